"""The quality report people look at: `<stem>.report.html`, one self-contained file per book.

It embeds everything it shows (page images as downscaled JPEG data URIs, CSS, JS, the words
as JSON), because the run's work dir is often a temp dir deleted right after the run; so it is
written while the run is alive. A Content-Security-Policy forbids any network fetch: it works
offline, from the file system. Static parts are rendered here with `html.escape`; the page
viewer is drawn by `assets/report.js` from a JSON blob whose `<`, `>` and `&` are \\u-escaped and
whose text is only ever written with `textContent`.

What it marks (see `report_data`):
- furniture: words of blocks of kind header / footer / page_number (removed from the book text);
- line-end hyphens: the last word of a body line ending in "-", soft hyphen or U+2010, as
  "joined" when the book text (flow) holds the two halves joined, "kept" when it holds both
  halves but not joined, "line" otherwise;
- flags from report.json (failed, damaged, unread_text, low_confidence, few_words,
  readings_disagree, ...) plus `layout_unsure`: fewer than
  80% of a page's body words (8 or more, hyphen halves excluded) occur in the book text of that
  page or its neighbours — text the layout stages lost or misplaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitize.fileio import write_text
from digitize.model import Book
from digitize.report.markup import CONF_RAMP, CSP, asset, conf_color, esc, href, pct, script_json
from digitize.report.pages import FlowIndex, page_data, page_images, review_order
from digitize.report.summary import DISAGREE_PREFIX, LOW_CONF

# Beyond this many pages only the pages to review embed their full view (~100 kB each): a
# 500-page book would otherwise make a 50 MB report that browsers open slowly.
FULL_VIEW_PAGES = 60


# ---------------------------------------------------------------- sections


def _stat(key: str, value: str, detail: str = "", color: str = "") -> str:
    style = f' style="border-top-color:{color}"' if color else ""
    return (
        f'<div class="stat"{style}><div class="k">{esc(key)}</div>'
        f'<div class="v">{value}</div><div class="d">{detail}</div></div>'
    )


def _summary(report: dict[str, Any], flagged: list[dict[str, Any]]) -> str:
    total = report.get("pages_total", 0)
    failed = report.get("pages_failed", 0)
    cached = report.get("pages_cached", 0)
    mean = report.get("mean_conf")
    low = report.get("lowest_conf") or None
    wall = report.get("wall_seconds")
    low_html = (
        f'<a href="#p{low["page"] + 1}">page {low["page"] + 1}</a>' if low else "no scanned pages"
    )
    return (
        '<div class="stats" id="summary">'
        + "".join(
            (
                _stat(
                    "Pages",
                    f'<span id="s-pages">{total}</span>',
                    f"{failed} failed · {cached} from cache",
                    "var(--bad)" if failed else "",
                ),
                _stat("Words", f'<span id="s-words">{report.get("words", 0)}</span>', "recognised"),
                _stat(
                    "Mean confidence",
                    f'<span id="s-mean">{pct(mean)}</span>',
                    "word-weighted, scanned pages",
                    conf_color(mean),
                ),
                _stat(
                    "Lowest page",
                    f'<span id="s-low">{pct(low["conf"] if low else None)}</span>',
                    low_html,
                    conf_color(low["conf"] if low else None),
                ),
                _stat(
                    "To review",
                    f'<span id="s-flagged">{len(flagged)}</span>',
                    "pages flagged",
                    "var(--warn)" if flagged else "var(--good)",
                ),
                _stat(
                    "Time",
                    f"{wall:.1f} s" if isinstance(wall, int | float) else "–",
                    f"{report.get('seconds_per_page', 0):.2f} s per page",
                ),
            )
        )
        + "</div>"
    )


def _chart(pages: list[dict[str, Any]]) -> str:
    """Confidence per page as bars; the dashed line is the low-confidence threshold."""
    n = max(1, len(pages))
    w, h, left, top, bottom = 1000.0, 190.0, 34.0, 8.0, 22.0
    plot_w, plot_h = w - left - 6, h - top - bottom
    bw = plot_w / n
    gap = min(2.0, bw * 0.2)

    def y(conf: float) -> float:
        return top + plot_h * (1 - conf)

    out = [
        f'<svg class="chart" id="chart" viewBox="0 0 {w:.0f} {h:.0f}" role="img" '
        'aria-label="OCR confidence per page">'
    ]
    for c in (0.0, 0.25, 0.5, 1.0):
        out.append(f'<line class="grid" x1="{left}" x2="{w - 6}" y1="{y(c):.1f}" y2="{y(c):.1f}"/>')
        out.append(f'<text x="{left - 4}" y="{y(c) + 4:.1f}" text-anchor="end">{c:.0%}</text>')
    out.append(
        f'<line class="thr" x1="{left}" x2="{w - 6}" y1="{y(LOW_CONF):.1f}" y2="{y(LOW_CONF):.1f}"/>'
    )
    out.append(
        f'<text x="{left - 4}" y="{y(LOW_CONF) + 4:.1f}" text-anchor="end">{LOW_CONF:.0%}</text>'
    )
    step = max(1, round(n / 12))
    for i, p in enumerate(pages):
        x = left + i * bw
        conf = p["conf"]
        label = f"page {i + 1}: " + (
            "failed" if p["failed"] else pct(conf) if conf is not None else "no text"
        )
        if p["failed"]:
            cls, y0, bh, fill = "bar failed", top, plot_h, "hsl(5,70%,92%)"
        else:
            c = conf if conf is not None else 0.0
            cls, y0, bh, fill = "bar", y(c), max(1.0, plot_h * c), conf_color(conf)
        out.append(
            f'<a href="#p{i + 1}"><rect class="{cls}" x="{x + gap / 2:.2f}" y="{y0:.2f}" '
            f'width="{bw - gap:.2f}" height="{bh:.2f}" fill="{fill}">'
            f"<title>{esc(label)}</title></rect></a>"
        )
        if i % step == 0:
            out.append(
                f'<text x="{x + bw / 2:.1f}" y="{h - 6}" text-anchor="middle">{i + 1}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _printed(p: dict[str, Any]) -> str:
    """The printed page number, when it differs from the position in the book."""
    if not p["label"] or p["label"] == str(p["i"] + 1):
        return ""
    return f' <span class="muted">({esc(p["label"])})</span>'


def _flagged(flagged: list[dict[str, Any]]) -> str:
    if not flagged:
        return '<p class="muted" id="flagged-none">No page needs review.</p>'
    rows = []
    for p in flagged:
        badges = "".join(f'<span class="badge {esc(f)}">{esc(f)}</span>' for f in p["flags"])
        note = p["failed"] or (p["warnings"][0] if p["warnings"] else "")
        if "structure" in p["flags"] and p.get("structure"):
            note = "; ".join(p["structure"])
        if "unread_text" in p["flags"]:
            n = len(p["gaps"])
            note = f"{n} line{'s' if n > 1 else ''} of text not read (red boxes on the page)"
        if "readings_disagree" in p["flags"] and not note.startswith(DISAGREE_PREFIX):
            note = next((w for w in p["warnings"] if w.startswith(DISAGREE_PREFIX)), note)
        if "layout_unsure" in p["flags"] and p["coverage"] is not None:
            note = note or f"{p['coverage']:.0%} of its words are in the book text"
        rows.append(
            f'<tr data-i="{p["i"]}"><td><a href="#p{p["i"] + 1}">page {p["i"] + 1}</a>'
            f"{_printed(p)}</td>"
            f'<td class="num" style="color:{conf_color(p["conf"], 35)}">{pct(p["conf"])}</td>'
            f'<td class="num">{len(p["words"])}</td>'
            f"<td>{badges}</td>"
            f'<td class="muted">{esc(note)}</td></tr>'
        )
    return (
        '<div class="scroll"><table id="flagged"><thead><tr><th>page</th><th class="num">conf.</th>'
        '<th class="num">words</th><th>flags</th><th>why</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )


def _strip(pages: list[dict[str, Any]], thumbs: list[str | None]) -> str:
    out = ['<div class="strip" id="strip">']
    for p, thumb in zip(pages, thumbs, strict=True):
        ratio = p["w"] / max(1, p["h"])
        im = f'<img src="{thumb}" alt="">' if thumb else "no image"
        cls = "thumb flagged" if p["flags"] else "thumb"
        label = f"{p['i'] + 1}{_printed(p)}"
        out.append(
            f'<a class="{cls}" href="#p{p["i"] + 1}" data-i="{p["i"]}" title="page {p["i"] + 1}: '
            f'{pct(p["conf"])}"><span class="im" style="width:{110 * ratio:.0f}px;'
            f'border-bottom-color:{conf_color(p["conf"])}">{im}</span>'
            f'<span class="n">{label}</span><span class="c">{pct(p["conf"])}</span></a>'
        )
    out.append("</div>")
    return "".join(out)


def _viewer() -> str:
    return (
        '<section class="card" id="viewer" style="margin-top:16px"><div id="pv-head"></div>'
        '<div class="pv-body"><div><div class="pv-tools">'
        '<label><input type="checkbox" id="pv-boxes" checked> word boxes</label>'
        '<span class="legend"><span class="ramp"></span> 60% → 95% confidence</span>'
        '<span class="key"><i class="dash"></i> removed furniture</span>'
        '<span class="key"><i></i> line-end hyphen</span>'
        '<span class="muted">← → keys: previous / next page</span></div>'
        '<div id="pv-stage"></div></div><div id="pv-text"></div></div></section>'
    )


def _run(report: dict[str, Any]) -> str:
    secs: dict[str, float] = report.get("seconds") or {}
    cpu: dict[str, float] = report.get("cpu_seconds") or {}
    most = max(secs.values(), default=0) or 1
    rows = "".join(
        f'<tr><td><code>{esc(k)}</code></td><td class="num">{v:.2f} s</td>'
        + (f'<td class="num muted">CPU {cpu[k]:.2f} s</td>' if k in cpu else "<td></td>")
        + f'<td style="width:40%"><div class="bar-bg"><div class="bar-fg" '
        f'style="width:{100 * v / most:.1f}%"></div></div></td></tr>'
        for k, v in sorted(secs.items(), key=lambda kv: -kv[1])
    )
    times = f'<table id="times"><tbody>{rows}</tbody></table>' if rows else '<p class="muted">–</p>'
    pipe = report.get("pipeline") or {}
    stages = "".join(f"<li><code>{esc(s)}</code></li>" for s in pipe.get("stages", []))
    outputs = "".join(
        f'<li><a href="{href(o)}">{esc(o)}</a></li>' for o in report.get("outputs", [])
    )
    warns = report.get("warnings") or []
    warn_html = (
        '<ul class="plain warnings" id="warnings">'
        + "".join(f"<li>{esc(w)}</li>" for w in warns)
        + "</ul>"
        if warns
        else '<p class="muted">None.</p>'
    )
    return (
        '<div class="row three">'
        f'<section class="card"><h2>Time per stage <small>wall {report.get("wall_seconds", 0)} s'
        f"</small></h2>{times}</section>"
        f'<section class="card" id="pipeline"><h2>Pipeline <small>{esc(pipe.get("name", "?"))}'
        f' · lang {esc(pipe.get("lang", "?"))}</small></h2><ul class="plain">{stages}</ul>'
        f'<p class="muted">digitize {esc(report.get("digitize", "?"))} · Python '
        f"{esc(report.get('python', '?'))}<br>source <code>{esc(report.get('source', ''))}</code>"
        + (f"<br>pipeline file <code>{esc(pipe['file'])}</code>" if pipe.get("file") else "")
        + f'</p><h2>Outputs</h2><ul class="plain" id="outputs">{outputs}</ul></section>'
        f'<section class="card"><h2>Warnings <small>{len(warns)}</small></h2>{warn_html}</section>'
        "</div>"
    )


# ---------------------------------------------------------------- the page


def render_report_html(book: Book, report: dict[str, Any], images: bool = True) -> str:
    flow = FlowIndex.of(book)
    by_index = {p.get("index"): p for p in report.get("pages", [])}
    pages: list[dict[str, Any]] = []
    thumbs: list[str | None] = []
    every_view = len(book.pages) <= FULL_VIEW_PAGES
    for i, page in enumerate(book.pages):
        data = page_data(book, i, flow, by_index.get(page.index, {}))
        view, thumb = page_images(book, page) if images else (None, None)
        if view and not (every_view or data["flags"]):
            view, data["img_left_out"] = None, True
        data["img"] = view
        pages.append(data)
        thumbs.append(thumb)
    flagged = review_order(pages)
    start = flagged[0]["i"] if flagged else 0
    title = report.get("title") or book.meta.title
    left_out = sum(1 for p in pages if p.get("img_left_out"))
    missing = sum(1 for p in pages if p["img"] is None) - left_out
    note = (
        f'<p class="muted" id="no-images">{missing} of {len(pages)} page images were not available'
        " when this report was built: their word boxes are shown on blank pages.</p>"
        if missing
        else ""
    ) + (
        f'<p class="muted" id="images-left-out">A book over {FULL_VIEW_PAGES} pages: only the '
        f"pages to review carry their full image ({left_out} others show word boxes on a blank "
        "page and their thumbnail), which keeps this file small enough to open.</p>"
        if left_out
        else ""
    )
    body = (
        f'<header class="top"><div class="in"><h1>{esc(title)}</h1>'
        f'<span class="sub">quality report · {esc(book.meta.source or report.get("source", ""))}'
        f"</span></div></header><main>"
        + _summary(report, flagged)
        + '<div class="row two">'
        + f'<section class="card"><h2>Confidence per page <small>{len(pages)} pages</small></h2>'
        + _chart(pages)
        + '<div class="legend"><span class="ramp"></span> mean word confidence · dashed: '
        + f"review threshold {LOW_CONF:.0%} · pale red: failed page · click a bar to open the page"
        + "</div></section>"
        + f'<section class="card"><h2>Pages to review <small>worst first</small></h2>{_flagged(flagged)}'
        + "</section></div>"
        + f'<section class="card" style="margin-top:16px"><h2>Pages</h2>{note}'
        + _strip(pages, thumbs)
        + "</section>"
        + _viewer()
        + _run(report)
        + "</main>"
    )
    lang = esc(book.meta.lang or "und")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — digitize report</title><style>{asset('report.css')}</style>"
        f'</head><body>{body}<script type="application/json" id="report-data">'
        f"{script_json({'pages': pages, 'start': start, 'ramp': CONF_RAMP})}</script>"
        f"<script>{asset('report.js')}</script></body></html>\n"
    )


def write_report_html(book: Book, report: dict[str, Any], out_path: Path) -> Path:
    """Write the self-contained HTML quality report of `book` (whose run produced `report`).

    Call it while the book's work dir still exists to embed page images; missing images are
    replaced by blank pages of the right size. Returns `out_path`.
    """
    return write_text(Path(out_path), render_report_html(book, report))
