/* digitize quality report: the page viewer. All OCR text arrives as JSON and is written with
   textContent only, never innerHTML, so hostile text stays text. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var FURN = { header: "running head", footer: "running foot", page_number: "page number" };
  var HY = {
    joined: "joined: the book text reads ",
    kept: "kept as a hyphenated word: ",
    line: "line ends in a hyphen (not found joined in the book text)",
  };

  function hue(c) {
    var t = Math.max(0, Math.min(1, (c - D.ramp.low) / D.ramp.span)); // markup.CONF_RAMP
    return Math.round(t * 120);
  }
  function col(c, l) {
    var h = c === null || c === undefined ? "220,8%," : hue(c) + ",72%,";
    return "hsl(" + h + (l || 40) + "%)";
  }
  function pct(c) {
    return c === null || c === undefined ? "–" : (c * 100).toFixed(1) + "%";
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function badge(text, cls) {
    return el("span", "badge " + (cls || ""), text);
  }

  function header(P) {
    var h = document.getElementById("pv-head");
    h.replaceChildren();
    var t = el("h3", "", "Page " + (P.i + 1));
    if (P.label && P.label !== String(P.i + 1)) t.append(el("small", "", " printed " + P.label));
    h.append(t);
    var facts = el("div", "facts");
    var conf = el("span", "conf", pct(P.conf));
    conf.style.background = col(P.conf, 92);
    conf.style.color = col(P.conf, 28);
    facts.append(conf, el("span", "", P.words.length + " words"));
    facts.append(el("span", "", P.w + "×" + P.h + " px, " + P.dpi + " dpi"));
    if (P.skew) facts.append(el("span", "", "deskewed " + P.skew.toFixed(2) + "°"));
    if (P.rotation) facts.append(el("span", "", "rotated " + P.rotation + "°"));
    if (P.source !== "scan") facts.append(el("span", "", "source: " + P.source));
    if (P.coverage !== null) facts.append(el("span", "", Math.round(P.coverage * 100) + "% of words in book text"));
    P.flags.forEach(function (f) { facts.append(badge(f.replace("_", " "), "flag " + f)); });
    h.append(facts);
    if (P.failed) h.append(el("p", "failed", "Failed: " + P.failed));
    P.warnings.forEach(function (w) { h.append(el("p", "warn", w)); });
    (P.structure || []).forEach(function (w) { h.append(el("p", "warn", "structure: " + w)); });
    if (P.steps.length) h.append(el("p", "steps", P.steps.join(" → ")));
  }

  function kindOfWord(P) {
    var kinds = new Array(P.words.length);
    P.blocks.forEach(function (b) {
      b[2].forEach(function (ln) {
        for (var k = ln[0]; k < ln[1]; k++) kinds[k] = b[0];
      });
    });
    return kinds;
  }

  function stage(P) {
    var s = document.getElementById("pv-stage");
    s.replaceChildren();
    s.style.aspectRatio = P.w + " / " + P.h;
    s.style.width = "min(100%, calc(82vh * " + (P.w / P.h).toFixed(4) + "))";
    s.classList.toggle("blank", !P.img);
    if (P.img) {
      var img = el("img");
      img.src = P.img;
      img.alt = "page " + (P.i + 1);
      s.append(img);
    } else {
      s.append(el("p", "blank-note", (P.img_left_out ?
        "Page image left out of this report (only pages to review carry theirs in a long book): " :
        "Page image not available (the run's work directory is gone): ") +
        "word boxes are drawn on a blank page of the right size."));
    }
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + P.w + " " + P.h);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("class", "boxes");
    var kinds = kindOfWord(P);
    P.words.forEach(function (w, k) {
      var r = document.createElementNS(NS, "rect");
      r.setAttribute("x", w[0]);
      r.setAttribute("y", w[1]);
      r.setAttribute("width", Math.max(1, w[2] - w[0]));
      r.setAttribute("height", Math.max(1, w[3] - w[1]));
      r.setAttribute("class", "word" + (FURN[kinds[k]] ? " furn" : ""));
      r.setAttribute("data-k", k);
      r.style.stroke = col(w[4], 38);
      r.style.fill = col(w[4], 50);
      var t = document.createElementNS(NS, "title");
      t.textContent = w[5] + " — " + pct(w[4]) + (FURN[kinds[k]] ? " (" + FURN[kinds[k]] + ", removed)" : "");
      r.append(t);
      svg.append(r);
    });
    (P.gaps || []).forEach(function (g) {
      var r = document.createElementNS(NS, "rect");
      r.setAttribute("x", g[0]);
      r.setAttribute("y", g[1]);
      r.setAttribute("width", Math.max(1, g[2] - g[0]));
      r.setAttribute("height", Math.max(1, g[3] - g[1]));
      r.setAttribute("class", "gap");
      var t = document.createElementNS(NS, "title");
      t.textContent = "text-like ink OCR did not read: check the book text here";
      r.append(t);
      svg.append(r);
    });
    s.append(svg);
  }

  function text(P) {
    var box = document.getElementById("pv-text");
    box.replaceChildren();
    if (!P.blocks.length) box.append(el("p", "empty", P.failed ? "No text: the page failed." : "No text recognised on this page."));
    P.blocks.forEach(function (b) {
      var kind = b[0];
      var div = el("div", "block kind-" + kind + (FURN[kind] ? " furn" : ""));
      var lab = kind.replace("_", " ") + (b[1] ? " " + b[1] : "");
      div.append(badge(FURN[kind] ? FURN[kind] + " · removed from text" : lab, "kind"));
      b[2].forEach(function (ln) {
        var line = el("div", "line");
        for (var k = ln[0]; k < ln[1]; k++) {
          var w = P.words[k];
          var sp = el("span", "w", w[5]);
          sp.setAttribute("data-k", k);
          sp.style.textDecorationColor = col(w[4], 45);
          if (w[4] < 0.75) sp.classList.add("low");
          sp.title = pct(w[4]);
          if (k === ln[1] - 1 && ln[2]) {
            sp.classList.add("hy", "hy-" + ln[2]);
            sp.title += " · " + HY[ln[2]] + (ln[3] || "");
          }
          line.append(sp, document.createTextNode(" "));
        }
        if (ln[2] === "joined" || ln[2] === "kept") line.append(badge("→ " + ln[3], "hy-note hy-" + ln[2]));
        div.append(line);
      });
      box.append(div);
    });
  }

  function link(on) {
    var k = on.getAttribute("data-k");
    return document.querySelectorAll('[data-k="' + k + '"]');
  }
  function hover(ev, add) {
    var t = ev.target;
    if (!t.getAttribute || t.getAttribute("data-k") === null) return;
    link(t).forEach(function (e) { e.classList.toggle("hl", add); });
  }

  function show(i, scroll) {
    var P = D.pages[i];
    if (!P) return;
    document.querySelectorAll(".thumb").forEach(function (t) {
      var on = Number(t.getAttribute("data-i")) === i;
      t.classList.toggle("sel", on);
      if (on && scroll) t.scrollIntoView({ block: "nearest", inline: "center" });
    });
    header(P);
    stage(P);
    text(P);
    document.getElementById("viewer").setAttribute("data-page", String(i));
  }

  function fromHash() {
    var m = /^#p(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) - 1 : null;
  }

  window.addEventListener("hashchange", function () {
    var i = fromHash();
    if (i !== null) {
      show(i, true);
      document.getElementById("viewer").scrollIntoView({ block: "start" });
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.target.tagName === "INPUT" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var cur = Number(document.getElementById("viewer").getAttribute("data-page"));
    var d = ev.key === "ArrowRight" || ev.key === "j" ? 1 : ev.key === "ArrowLeft" || ev.key === "k" ? -1 : 0;
    if (d && D.pages[cur + d]) location.hash = "#p" + (cur + d + 1);
  });
  ["mouseover", "mouseout"].forEach(function (n) {
    document.getElementById("viewer").addEventListener(n, function (ev) { hover(ev, n === "mouseover"); });
  });
  document.getElementById("pv-boxes").addEventListener("change", function (ev) {
    document.getElementById("pv-stage").classList.toggle("noboxes", !ev.target.checked);
  });
  var start = fromHash();
  var deep = start !== null && !!D.pages[start];
  show(deep ? start : D.start, deep);
  if (deep) document.getElementById("viewer").scrollIntoView({ block: "start" });
})();
