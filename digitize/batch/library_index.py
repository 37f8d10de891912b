"""`LIBRARY/index.html`: one page listing every book of a batch with its status and links.

`digitize batch` calls `write_library_index(library_dir, books)` with one dict per book:

    name      str            display name (e.g. the source file name)
    status    str            "done" | "partial" (some pages failed) | "failed" | "pending" |
                             "running" (any other string is shown as is)
    pages     int | None     number of pages
    mean_conf float | None   mean word confidence, 0..1 (report.json "mean_conf")
    flagged   list[int] | int | None
                             0-based indices of pages flagged for review (report.json
                             "flagged_pages"), or just their number
    outputs   list[str]      output files, paths RELATIVE to library_dir ("books/x/x.epub")
    report    str | None     the book's report.html, relative to library_dir
    reason    str | None     why it failed / is partial (one line)

Missing keys are shown as "–". Every string is escaped; links are quoted so that no value can
become a `javascript:` URL or leave the relative namespace by markup.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from digitize.fileio import write_text
from digitize.report.markup import asset, conf_color, esc, href, pct

INDEX_NAME = "index.html"
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _conf_cell(conf: Any) -> str:
    if not isinstance(conf, int | float):
        return '<td class="num muted">–</td>'
    return (
        f'<td class="num"><span style="color:{conf_color(conf, 35)};font-weight:600">'
        f"{pct(conf)}</span></td>"
    )


def _flagged_cells(flagged: Any, report: str | None) -> str:
    """Two cells: how many pages are flagged, and links to the first few in the report."""
    if isinstance(flagged, int) and not isinstance(flagged, bool):
        return f'<td class="num">{flagged}</td><td></td>'
    if not isinstance(flagged, list | tuple):
        return '<td class="num muted">–</td><td></td>'
    shown = []
    for i in list(flagged)[:8]:
        if isinstance(i, int):
            label = str(i + 1)
            shown.append(f'<a href="{href(report)}#p{i + 1}">{label}</a>' if report else label)
    more = f" +{len(flagged) - 8}" if len(flagged) > 8 else ""
    return f'<td class="num">{len(flagged)}</td><td>{", ".join(shown)}{more}</td>'


_BREAK_AFTER = re.compile(r"([-_/])(?=[^-_/])")
_BREAK_BEFORE = re.compile(r"(?<=[^.])(\.)(?=[^.])")


def _breakable(name: str) -> str:
    """An (escaped) file name that a narrow column wraps where a reader would: after `-`, `_`
    and `/`, before a `.`, never inside a word ("3small.p|df")."""
    return _BREAK_BEFORE.sub(r"<wbr>\1", _BREAK_AFTER.sub(r"\1<wbr>", name))


def render_library_index(books: list[dict[str, Any]], title: str = "Library") -> str:
    rows = []
    total_pages = 0
    counts: dict[str, int] = {}
    for b in books:
        status = str(b.get("status") or "?")
        counts[status] = counts.get(status, 0) + 1
        pages = b.get("pages")
        total_pages += pages if isinstance(pages, int) else 0
        report = b.get("report") or None
        name = _breakable(esc(b.get("name") or "?"))
        name_html = f'<a href="{href(report)}">{name}</a>' if report else name
        links = [(report, "quality report")] if report else []
        links += [(o, PurePosixPath(str(o)).name) for o in b.get("outputs") or []]
        outputs = " ".join(f'<a class="badge" href="{href(h)}">{esc(t)}</a>' for h, t in links)
        fl = _flagged_cells(b.get("flagged"), report)
        rows.append(
            f'<tr><td class="name">{name_html}</td>'
            f'<td><span class="status {esc(status)}">{esc(status)}</span></td>'
            f'<td class="num">{pages if isinstance(pages, int) else "–"}</td>'
            f"{_conf_cell(b.get('mean_conf'))}{fl}<td>{outputs}</td>"
            f'<td class="muted">{esc(b.get("reason") or "")}</td></tr>'
        )
    summary = " · ".join(f"{n} {esc(s)}" for s, n in sorted(counts.items()))
    css = asset("report.css")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — digitize</title><style>{css}</style></head><body>"
        f'<header class="top"><div class="in"><h1>{esc(title)}</h1><span class="sub">'
        f"library index · {len(books)} books · {total_pages} pages · {summary}</span></div></header><main>"
        '<section class="card" style="margin-top:16px"><table class="lib" id="books"><thead><tr>'
        '<th>book</th><th>status</th><th class="num">pages</th><th class="num">confidence</th>'
        '<th class="num">flagged</th><th>pages to review</th><th>outputs</th><th>note</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section></main></body></html>\n"
    )


def write_library_index(library_dir: Path, books: list[dict[str, Any]]) -> Path:
    """Write `library_dir/index.html` listing `books` (dicts as in the module docstring)."""
    library_dir = Path(library_dir)
    return write_text(library_dir / INDEX_NAME, render_library_index(books, library_dir.name))
