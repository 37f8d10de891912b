"""What the editor draws for one page: its blocks, lines and words with boxes and colours.

Colours and the doubt threshold are the quality report's (`report.markup`), so a word looks as
doubtful here as it did there. Text goes out raw (the editor edits it) and as `shown`, with
invisible and bidi characters made visible (`report.pages.visible`); the browser writes both
with textContent only.
"""

from __future__ import annotations

from typing import Any

from digitize.corrections import level_of, page_position, reviewed_pages
from digitize.model import BBox
from digitize.proof.store import BookStore
from digitize.report.markup import conf_color
from digitize.report.pages import page_images, visible
from digitize.report.summary import LOW_CONF


def _box(b: BBox) -> list[int]:
    return [round(b.x0), round(b.y0), round(b.x1), round(b.y1)]


def page_view(store: BookStore, index: int) -> dict[str, Any]:
    book = store.book
    page = book.pages[page_position(book, index)]
    img = page_images(store.with_images(), page)[0] if store.images else None
    blocks = []
    for b in page.blocks:
        lines = [
            [
                [*_box(w.bbox), round(w.conf, 3), w.text, visible(w.text), conf_color(w.conf)]
                for w in ln.words
            ]
            for ln in b.lines
        ]
        blocks.append(
            {
                "kind": b.kind,
                "level": level_of(book, b),
                "box": _box(b.bbox),
                "text": b.text,
                "shown": visible(b.text),
                "lines": lines,
            }
        )
    return {
        "version": store.version,
        "i": page.index,
        "label": visible(page.label) if page.label else None,
        "w": page.size[0],
        "h": page.size[1],
        "img": img,
        "conf": page.mean_conf,
        "conf_color": conf_color(page.mean_conf),
        "reviewed": page.index in reviewed_pages(book),
        "doubt": LOW_CONF,
        "blocks": blocks,
    }
