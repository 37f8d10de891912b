"""Where a paragraph ends, by the page's geometry: a first line set in (when the book indents)
and a last line that leaves no room for the next word (the typesetter did not break there)."""

from __future__ import annotations

import itertools

from digitize.model import FURNITURE_KINDS, Block, Page


def first_line_indented(block: Block, body_h: float) -> bool:
    if len(block.lines) < 2:
        return False
    rest = min(ln.bbox.x0 for ln in block.lines[1:])
    return block.lines[0].bbox.x0 - rest > 0.8 * body_h


def column_right(page: Page, block: Block) -> float | None:
    """The right text edge of the column `block` stands in: most body lines above or below it
    reach this far (None when the page has too few such lines to tell)."""
    b = block.bbox
    x1s = sorted(
        ln.bbox.x1
        for other in page.blocks
        if other.kind == "paragraph"
        for ln in other.lines
        if min(ln.bbox.x1, b.x1) - max(ln.bbox.x0, b.x0) > 0.5 * min(ln.bbox.width, b.width)
    )
    return x1s[(len(x1s) * 4) // 5] if len(x1s) >= 3 else None


def full_last_line(block: Block, nxt: Block, body_h: float, right: float | None = None) -> bool:
    """The block's last line leaves no room for the next block's first word: the typesetter
    did not end a paragraph there (holds for ragged-right text too). `right`: the column's
    right edge, which a one-line block cannot show by itself."""
    if len(block.lines) < 2 and right is None:
        return False
    right = max([ln.bbox.x1 for ln in block.lines] + ([right] if right is not None else []))
    words = [w for w in nxt.lines[0].words if any(c.isalnum() for c in w.text)] if nxt.lines else []
    need = words[0].bbox.width if words else 0.0
    return right - block.lines[-1].bbox.x1 < need + 0.8 * body_h


def uses_indent(pages: tuple[Page, ...], body_h: float) -> bool:
    """Does the book mark a new paragraph by indenting its first line? Most of its blocks
    may not show it (a block opening a page or column continues a paragraph, the first one
    after a heading is set flush), so the blocks that follow another paragraph right above
    them in the same column are asked first: most of those indented is the book's habit."""
    multi = [b for p in pages for b in p.blocks if b.kind == "paragraph" and len(b.lines) >= 2]
    if not multi:
        return False
    if sum(first_line_indented(b, body_h) for b in multi) >= 0.5 * len(multi):
        return True
    after = [b for p in pages for b in _after_paragraph(p) if len(b.lines) >= 2]
    return len(after) >= 2 and sum(first_line_indented(b, body_h) for b in after) > 0.5 * len(after)


def _after_paragraph(page: Page) -> list[Block]:
    """The page's paragraphs that stand right under another paragraph of their column."""
    body = [b for b in page.blocks if b.kind not in FURNITURE_KINDS]
    return [
        b
        for a, b in itertools.pairwise(body)
        if a.kind == b.kind == "paragraph"
        and b.bbox.y0 >= a.bbox.y1
        and min(a.bbox.x1, b.bbox.x1) - max(a.bbox.x0, b.bbox.x0) > 0
    ]
