"""Ruled tables: find the grid in the page image, then read each cell from the OCR words.

OCR engines read a ruled table as loose lines across cells (or as a picture). The rules are
plain in the pixels: long horizontal and vertical strokes. Where at least three of each cross we
have a grid; each OCR word goes to the cell holding its centre. The table becomes one
`Block("table")` whose Lines are its cells (Line.bbox = the cell), row by row, so the flow
builder can rebuild rows and columns from the boxes alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from digitize.model import FURNITURE_KINDS, BBox, Block, Line, Word
from digitize.stages._grids import Grid, find_grids, horizontal_rules, ink_threshold
from digitize.stages._opentables import open_grids

__all__ = [
    "Grid",
    "find_grids",
    "find_tables",
    "ink_threshold",
    "table_block",
    "table_rows",
    "take_tables",
]


def find_tables(gray: Any, blocks: list[Block]) -> list[Grid]:
    """The grids of a page's tables: ruled both ways, then open ones (rules across only, the
    columns found in the words between them)."""
    grids = find_grids(gray)
    words = [w for b in blocks if b.kind not in FURNITURE_KINDS for w in b.words]
    return grids + open_grids(horizontal_rules(gray), words, [g.bbox for g in grids])


def table_block(grid: Grid, words: list[Word]) -> Block:
    """One Line per cell, row-major; words go to the cell holding their centre."""
    cells: dict[tuple[int, int], list[Word]] = {}
    for wd in words:
        if wd.text.strip("|¦") != wd.text:  # a vertical rule read as a glyph, alone or fused
            if not wd.text.strip("|¦ "):
                continue
            wd = replace(wd, text=wd.text.strip("|¦ "))
        r = _index(grid.ys, wd.bbox.cy)
        c = _index(grid.xs, wd.bbox.cx)
        if r is not None and c is not None:
            cells.setdefault((r, c), []).append(wd)
    lines = []
    for r in range(len(grid.ys) - 1):
        for c in range(len(grid.xs) - 1):
            ws = sorted(cells.get((r, c), []), key=lambda w: (round(w.bbox.cy / 20), w.bbox.x0))
            box = BBox(grid.xs[c], grid.ys[r], grid.xs[c + 1], grid.ys[r + 1])
            lines.append(Line(tuple(ws), box))
    return Block("table", tuple(lines), grid.bbox)


def _index(edges: tuple[float, ...], v: float) -> int | None:
    for i in range(len(edges) - 1):
        if edges[i] <= v < edges[i + 1]:
            return i
    return None


def table_rows(block: Block) -> tuple[tuple[str, ...], ...]:
    """Rebuild rows from a table block's cell lines (cells sharing a top edge form a row)."""
    rows: dict[float, list[Line]] = {}
    for ln in block.lines:
        rows.setdefault(round(ln.bbox.y0), []).append(ln)
    return tuple(
        tuple(ln.text for ln in sorted(cells, key=lambda ln: ln.bbox.x0))
        for _, cells in sorted(rows.items())
    )


def inside(b: BBox, region: BBox, slack: float = 2.0) -> bool:
    return (
        b.cx >= region.x0 - slack
        and b.cx <= region.x1 + slack
        and b.cy >= region.y0 - slack
        and b.cy <= region.y1 + slack
    )


def take_tables(
    blocks: list[Block], grids: list[Grid], min_filled: float = 0.5
) -> tuple[list[Block], list[Block]]:
    """Move the OCR words inside each ruled grid into a table block; a figure block that is
    really the table goes away. A grid with fewer than `min_filled` of its cells holding words
    is line art, not a table."""
    tables = []
    for g in grids:
        taken, out = cut_region(blocks, g.bbox)
        table = table_block(g, [w for ln in taken for w in ln.words])
        if sum(1 for ln in table.lines if ln.words) < min_filled * len(table.lines):
            continue  # a framed drawing (a box around circles), not a table: leave it alone
        blocks = out
        tables.append(table)
    return blocks, tables


def cut_region(blocks: list[Block], region: BBox) -> tuple[list[Line], list[Block]]:
    """The pieces of OCR lines whose words lie inside `region`, and the blocks without them; a
    text-less figure block inside the region (the OCR's picture of it) goes away."""
    taken: list[Line] = []
    out: list[Block] = []
    for b in blocks:
        if not b.lines:
            if not (b.kind in ("figure", "table") and inside(b.bbox, region)):
                out.append(b)
            continue
        lines = []
        for ln in b.lines:
            held = tuple(w for w in ln.words if inside(w.bbox, region))
            if held:
                taken.append(Line(held, BBox.enclosing([w.bbox for w in held])))
            keep = tuple(w for w in ln.words if not inside(w.bbox, region))
            if keep:
                lines.append(Line(keep, BBox.enclosing([w.bbox for w in keep])))
        if lines:
            out.append(
                replace(b, lines=tuple(lines), bbox=BBox.enclosing([ln.bbox for ln in lines]))
            )
    return taken, out
