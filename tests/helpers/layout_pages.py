"""Hand-built pages for the layout tests: words get boxes proportional to their length."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitize.model import BBox, Block, Book, BookMeta, Line, Page, Word
from digitize.stages.layout._size import ink

REALPAGES = Path(__file__).parent.parent / "stages" / "realpages"


def recorded(name: str) -> Page:
    """A real scan's page as the OCR gave it (`stages/realpages/NAME.json`: word boxes, each
    word replaced by a placeholder, so the geometry is real and no transcript is kept)."""
    import json

    d = json.loads((REALPAGES / f"{name}.json").read_text(encoding="utf-8"))

    def _line(words: list[list[Any]]) -> Line:
        ws = tuple(Word(t, BBox(x0, y0, x1, y1), c) for t, x0, y0, x1, y1, c in words)
        return Line(ws, BBox.enclosing([w.bbox for w in ws]))

    blocks = tuple(
        Block(b["kind"], tuple(_line(ln) for ln in b["lines"]), BBox(*b["bbox"]))
        for b in d["blocks"]
    )
    return Page(0, tuple(d["size"]), 300, None, blocks=blocks)


def line(text: str, x: float, y: float, h: float = 30.0, cw: float | None = None) -> Line:
    """A line of `text` starting at (x, y), glyph height `h`, char width `cw` (default h/2)."""
    cw = cw if cw is not None else h * 0.5
    words = []
    cx = x
    base = y + 0.9 * h  # boxes are ink boxes: their height depends on the letters (see ink)
    for t in text.split():
        w = len(t) * cw
        top, desc = ink(t)
        words.append(Word(t, BBox(cx, base - top * h, cx + w, base + desc * h), 0.95))
        cx += w + cw
    box = BBox.enclosing([w.bbox for w in words]) if words else BBox(x, y, x, y + h)
    return Line(tuple(words), box)


def block(kind: str, lines: list[Line], level: int | None = None) -> Block:
    return Block(kind, tuple(lines), BBox.enclosing([ln.bbox for ln in lines]), level)


def para(
    texts: list[str], x: float, y: float, h: float = 30.0, gap: float = 15.0, indent: float = 0.0
) -> Block:
    """A paragraph block: first line indented by `indent`, lines `h + gap` apart."""
    lines = [
        line(t, x + (indent if i == 0 else 0), y + i * (h + gap), h) for i, t in enumerate(texts)
    ]
    return block("paragraph", lines)


def figure(x0: float, y0: float, x1: float, y1: float) -> Block:
    return Block("figure", (), BBox(x0, y0, x1, y1))


def page(
    index: int,
    blocks: list[Block],
    size: tuple[int, int] = (2000, 3000),
    image: str | None = None,
    label: str | None = None,
) -> Page:
    return Page(index=index, size=size, dpi=300, image=image, label=label, blocks=tuple(blocks))


def book(pages: list[Page], work_dir: str = "") -> Book:
    return Book(BookMeta(title="t"), tuple(pages), (), work_dir)


def lay_out(tmp: Path, p: Page) -> tuple[tuple[Block, ...], tuple[Any, ...]]:
    """`p` through layout.blocks, then alone through layout.flow: (its blocks, the flow)."""
    from digitize.stage import Context
    from digitize.stages.layout.blocks import BlockLayout
    from digitize.stages.layout.flow import FlowBuilder

    ctx = Context(work_dir=str(tmp))
    laid = BlockLayout().process_page(p, ctx)
    return laid.blocks, FlowBuilder().process_book(book([laid], str(tmp)), ctx).flow
