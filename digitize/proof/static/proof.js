/* digitize proof: the proofreading editor. OCR text arrives as JSON and is only ever written
   with textContent or as a form field's value, never as markup, so hostile text stays text. */
(function () {
  "use strict";
  var main = document.getElementById("editor");
  var BASE = main.dataset.base;
  var KINDS = main.dataset.kinds.split(",");
  var MAX_LEVEL = parseInt(main.dataset.maxLevel, 10);
  var KIND_NAMES = {
    paragraph: "paragraph", heading: "heading", caption: "caption", footnote: "footnote",
    list_item: "list item", header: "running head (dropped)",
  };
  var S = { version: null, summary: null, order: [], page: null, cur: null, word: null, busy: false };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function status(text, bad) {
    var s = $("status");
    s.textContent = text;
    s.className = bad ? "bad" : "";
  }

  function api(path, body) {
    var opts = { credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.method = "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(BASE + path, opts).then(function (r) {
      return r.json().then(function (data) {
        if (r.status === 409) {
          $("conflict-text").textContent = "Not saved: " + data.error;
          $("conflict").hidden = false;
          status("conflict", true);
          throw new Error(data.error);
        }
        if (!r.ok) {
          status(data.error || "error " + r.status, true);
          throw new Error(data.error);
        }
        return data;
      });
    });
  }

  // ------------------------------------------------------------------ pages list

  function loadSummary() {
    return api("/api/summary").then(function (d) {
      S.summary = d;
      S.version = d.version;
      S.order = d.pages.map(function (p) { return p.i; });
      var list = $("page-list");
      list.replaceChildren();
      d.pages.forEach(function (p) {
        var li = el("li");
        li.dataset.i = p.i;
        var b = el("button", "page-link", "p. " + (p.label || p.i + 1));
        b.title = "page " + (p.i + 1);
        b.addEventListener("click", function () { openPage(p.i); });
        li.append(b);
        p.flags.forEach(function (f) { li.append(el("span", "flag " + f, f.replace("_", " "))); });
        if (p.reviewed) li.append(el("span", "done", "✓ reviewed"));
        if (S.page && S.page.i === p.i) li.className = "current";
        list.append(li);
      });
      $("to-review").textContent = d.to_review + " to review · " + d.corrections + " corrections";
    });
  }

  // ------------------------------------------------------------------ one page

  function openPage(i, then) {
    closeEditors();
    return api("/api/page/" + i).then(function (P) {
      S.page = P;
      S.version = P.version;
      S.cur = null;
      drawScan(P);
      drawBlocks(P);
      $("page-title").textContent = "Page " + (P.i + 1) + (P.label ? " (printed " + P.label + ")" : "");
      $("reviewed").textContent = P.reviewed ? "Reviewed ✓ (undo mark)" : "Mark reviewed";
      $("reviewed").classList.toggle("on", P.reviewed);
      Array.prototype.forEach.call($("page-list").children, function (li) {
        li.classList.toggle("current", parseInt(li.dataset.i, 10) === P.i);
      });
      if (then) then();
    });
  }

  function pct(v, whole) { return (100 * v / whole) + "%"; }

  function place(e, box, P) {
    e.style.left = pct(box[0], P.w);
    e.style.top = pct(box[1], P.h);
    e.style.width = pct(box[2] - box[0], P.w);
    e.style.height = pct(box[3] - box[1], P.h);
  }

  function drawScan(P) {
    var scan = $("scan");
    scan.replaceChildren();
    scan.style.aspectRatio = P.w + " / " + P.h;
    if (P.img) {
      var img = el("img");
      img.src = P.img;
      img.alt = "scan of page " + (P.i + 1);
      scan.append(img);
    } else {
      scan.append(el("p", "noimg", "page image not available"));
    }
    P.blocks.forEach(function (b, bi) {
      var bb = el("div", "bbox kind-" + b.kind);
      bb.dataset.b = bi;
      place(bb, b.box, P);
      bb.addEventListener("click", function () { select(bi, true); });
      scan.append(bb);
      b.lines.forEach(function (line, li) {
        line.forEach(function (w, wi) {
          if (!w[5].trim()) return;
          var box = el("div", "box" + (w[4] < P.doubt ? " doubt" : ""));
          box.dataset.b = bi; box.dataset.l = li; box.dataset.w = wi;
          box.title = w[6] + " · " + Math.round(w[4] * 100) + "%";
          box.style.borderColor = w[7];
          place(box, w, P);
          box.addEventListener("click", function (ev) { ev.stopPropagation(); editWord(bi, li, wi); });
          scan.append(box);
        });
      });
    });
  }

  function kindSelect(b, bi) {
    var sel = el("select", "kind");
    sel.setAttribute("aria-label", "kind of block " + (bi + 1));
    if (KINDS.indexOf(b.kind) < 0) {
      var o = el("option", "", b.kind.replace("_", " "));
      o.value = b.kind;
      sel.append(o);
      sel.disabled = true;
      return sel;
    }
    KINDS.forEach(function (k) {
      if (k === "heading") {
        for (var lv = 1; lv <= MAX_LEVEL; lv++) {
          var h = el("option", "", "heading " + lv);
          h.value = "heading:" + lv;
          sel.append(h);
        }
      } else {
        var o = el("option", "", KIND_NAMES[k] || k);
        o.value = k;
        sel.append(o);
      }
    });
    sel.value = b.kind === "heading" ? "heading:" + Math.min(b.level || 1, MAX_LEVEL) : b.kind;
    sel.addEventListener("change", function () {
      var v = sel.value.split(":");
      save({ op: "kind", block: bi, value: v[0], level: v[1] ? parseInt(v[1], 10) : null });
    });
    return sel;
  }

  function drawBlocks(P) {
    var box = $("blocks");
    box.replaceChildren();
    P.blocks.forEach(function (b, bi) {
      var div = el("div", "block kind-" + b.kind);
      div.dataset.b = bi;
      var head = el("div", "bhead");
      head.append(kindSelect(b, bi));
      if (b.lines.length) {
        var ed = el("button", "edit", "Edit text");
        ed.addEventListener("click", function () { editBlock(bi); });
        head.append(ed);
      }
      var next = P.blocks[bi + 1];
      if (next && b.lines.length && next.lines.length) {
        var j = el("button", "join", "Join with next");
        j.title = "join this block and the next into one";
        j.addEventListener("click", function () { save({ op: "join", block: bi }); });
        head.append(j);
      }
      div.append(head);
      var text = el("div", "btext");
      if (b.kind === "heading") text.classList.add("h" + Math.min(b.level || 1, MAX_LEVEL));
      b.lines.forEach(function (line, li) {
        var ln = el("div", "line");
        line.forEach(function (w, wi) {
          if (!w[5].trim()) return;
          var span = el("span", "w" + (w[4] < P.doubt ? " doubt" : ""), w[6]);
          span.dataset.b = bi; span.dataset.l = li; span.dataset.w = wi;
          if (w[4] < P.doubt) span.style.textDecorationColor = w[7];
          span.addEventListener("click", function (ev) { ev.stopPropagation(); editWord(bi, li, wi); });
          ln.append(span, document.createTextNode(" "));
        });
        text.append(ln);
      });
      if (!b.lines.length) text.append(el("em", "muted", b.kind));
      text.addEventListener("click", function () { select(bi, true); });
      div.append(text);
      box.append(div);
    });
  }

  function select(bi, scroll) {
    document.querySelectorAll(".selected").forEach(function (e) { e.classList.remove("selected"); });
    document.querySelectorAll('[data-b="' + bi + '"].block, [data-b="' + bi + '"].bbox').forEach(function (e) {
      e.classList.add("selected");
      if (scroll) e.scrollIntoView({ block: "nearest" });
    });
  }

  // ------------------------------------------------------------------ editing

  function closeEditors() {
    $("word-editor").hidden = true;
    S.word = null;
    var open = document.querySelector(".block textarea");
    if (open && S.page) drawBlocks(S.page);
  }

  function save(edit) {
    if (S.busy) return Promise.resolve();
    S.busy = true;
    edit.version = S.version;
    edit.page = S.page.i;
    status("saving…");
    return api("/api/edit", edit).then(function (d) {
      S.version = d.version;
      status("saved");
      return Promise.all([openPage(S.page.i), loadSummary()]);
    }).catch(function () {}).then(function () { S.busy = false; });
  }

  function editWord(bi, li, wi) {
    closeEditors();
    var w = S.page.blocks[bi].lines[li][wi];
    S.word = [bi, li, wi];
    S.cur = [bi, li, wi];
    select(bi, false);
    document.querySelectorAll(".box.current, .w.current").forEach(function (e) { e.classList.remove("current"); });
    document.querySelectorAll('[data-b="' + bi + '"][data-l="' + li + '"][data-w="' + wi + '"]').forEach(function (e) {
      e.classList.add("current");
      e.scrollIntoView({ block: "nearest" });
    });
    var pop = $("word-editor");
    var input = $("word-input");
    input.value = w[5];
    pop.hidden = false;
    input.focus();
    input.select();
  }

  function saveWord() {
    if (!S.word) return;
    var at = S.word;
    var value = $("word-input").value;
    $("word-editor").hidden = true;
    S.word = null;
    if (value === S.page.blocks[at[0]].lines[at[1]][at[2]][5]) return;
    save({ op: "word", block: at[0], line: at[1], word: at[2], value: value });
  }

  function editBlock(bi) {
    closeEditors();
    var b = S.page.blocks[bi];
    var div = document.querySelector('.block[data-b="' + bi + '"]');
    var text = div.querySelector(".btext");
    var area = el("textarea");
    area.value = b.lines.map(function (l) { return l.map(function (w) { return w[5]; }).join(" "); }).join("\n");
    area.rows = Math.max(3, b.lines.length + 1);
    area.setAttribute("lang", "vi");
    area.spellcheck = false;
    var bar = el("div", "bar");
    var ok = el("button", "primary save", "Save");
    var split = el("button", "split", "Split at cursor");
    split.title = "start a new paragraph at the line the cursor is on";
    var cancel = el("button", "cancel", "Cancel");
    ok.addEventListener("click", function () { save({ op: "text", block: bi, value: area.value }); });
    split.addEventListener("click", function () {
      var line = area.value.slice(0, area.selectionStart).split("\n").length - 1;
      save({ op: "split", block: bi, line: line });
    });
    cancel.addEventListener("click", function () { drawBlocks(S.page); });
    bar.append(ok, split, cancel);
    text.replaceWith(area);
    div.append(bar);
    area.focus();
    select(bi, false);
  }

  function nextDoubt() {
    var P = S.page;
    var cur = S.cur || [-1, 0, 0];
    for (var bi = Math.max(0, cur[0]); bi < P.blocks.length; bi++) {
      var lines = P.blocks[bi].lines;
      for (var li = 0; li < lines.length; li++) {
        for (var wi = 0; wi < lines[li].length; wi++) {
          var after = bi > cur[0] || li > cur[1] || (li === cur[1] && wi > cur[2]);
          var w = lines[li][wi];
          if (after && w[5].trim() && w[4] < P.doubt) { editWord(bi, li, wi); return; }
        }
      }
    }
    var k = S.order.indexOf(P.i);
    if (k + 1 < S.order.length) {
      openPage(S.order[k + 1], function () { S.cur = [-1, 0, 0]; nextDoubt(); });
    } else {
      status("no more doubtful words");
    }
  }

  function step(delta) {
    var k = S.order.indexOf(S.page.i) + delta;
    if (k >= 0 && k < S.order.length) openPage(S.order[k]);
  }

  function undo() {
    if (S.busy) return;
    S.busy = true;
    api("/api/undo", { version: S.version }).then(function (d) {
      S.version = d.version;
      status("undone");
      return Promise.all([openPage(d.page), loadSummary()]);
    }).catch(function () {}).then(function () { S.busy = false; });
  }

  function markReviewed() {
    save({ op: "reviewed", value: S.page.reviewed ? "" : "yes" });
  }

  function publish() {
    var btn = $("publish");
    btn.disabled = true;
    status("publishing…");
    api("/api/publish", {}).then(function (d) {
      var box = $("published");
      box.replaceChildren(el("strong", "", "Published: "));
      d.files.forEach(function (f) {
        var a = el("a", "", f.name);
        a.href = f.url;
        a.target = "_blank";
        a.rel = "noopener";
        box.append(a, document.createTextNode(" "));
      });
      box.hidden = false;
      status("published");
    }).catch(function () {}).then(function () { btn.disabled = false; });
  }

  // ------------------------------------------------------------------ wiring

  $("word-save").addEventListener("click", saveWord);
  $("word-cancel").addEventListener("click", closeEditors);
  $("word-input").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); saveWord(); }
  });
  $("undo").addEventListener("click", undo);
  $("reviewed").addEventListener("click", markReviewed);
  $("publish").addEventListener("click", publish);
  $("reload").addEventListener("click", function () { location.reload(); });

  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      if (S.word) { saveWord(); return; }
      var save = document.querySelector(".block .save");
      if (save) save.click();
      return;
    }
    if (e.key === "Escape") { closeEditors(); return; }
    if (typing) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") { e.preventDefault(); undo(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key.toLowerCase();
    if (k === "n" || e.key === "PageDown") { e.preventDefault(); step(1); }
    else if (k === "p" || e.key === "PageUp") { e.preventDefault(); step(-1); }
    else if (k === "d") { e.preventDefault(); nextDoubt(); }
    else if (k === "r") { e.preventDefault(); markReviewed(); }
  });

  loadSummary().then(function () {
    if (S.order.length) return openPage(S.order[0]);
  }).then(function () { status("ready"); main.dataset.ready = "1"; });
})();
