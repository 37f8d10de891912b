"""Ruled tables: find the grid in the page image, then read each cell from the OCR words.

OCR engines read a ruled table as loose lines across cells (or as a picture). The rules are
plain in the pixels: long horizontal and vertical strokes. Where at least three of each cross we
have a grid; each OCR word goes to the cell holding its centre. The table becomes one
`Block("table")` whose Lines are its cells (Line.bbox = the cell), row by row, so the flow
builder can rebuild rows and columns from the boxes alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from digitize.model import BBox, Block, Line, Word


@dataclass(frozen=True, slots=True)
class Grid:
    xs: tuple[float, ...]  # vertical rule positions, left to right
    ys: tuple[float, ...]  # horizontal rule positions, top to bottom

    @property
    def bbox(self) -> BBox:
        return BBox(self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def find_grids(gray: Any, min_rules: int = 3) -> list[Grid]:
    """Ruled grids in a grayscale page (numpy array): at least `min_rules` rules each way."""
    import cv2
    import numpy as np

    full = gray
    scale = 2 if min(full.shape[:2]) > 1200 else 1  # rules survive halving; 4x less work
    if scale > 1:
        gray = cv2.resize(
            full, (full.shape[1] // 2, full.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
    h, w = gray.shape[:2]
    ink = (gray < ink_threshold(gray, 200 if scale > 1 else 160)).astype(np.uint8)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(20, w // 25)), np.uint8))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(20, h // 40), 1), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(np.bitwise_or(horiz, vert), connectivity=8)
    grids = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if bw < w // 10 or bh < h // 40:
            continue
        hs = _rules(horiz[y : y + bh, x : x + bw], 0.6 * bw, axis=0)
        vs = _rules(vert[y : y + bh, x : x + bw], 0.6 * bh, axis=1)
        if len(hs) >= min_rules and len(vs) >= min_rules:
            xs = tuple(float(scale * (x + v) + (scale - 1) / 2) for v in vs)
            ys = tuple(float(scale * (y + r) + (scale - 1) / 2) for r in hs)
            grids.append(Grid(xs, ys))
    return grids


def ink_threshold(gray: Any, clean: float) -> float:
    """Gray level below which a pixel is ink. `clean` suits white paper; a dark, noisy scan
    (paper at 180) would turn all paper into ink and every text line into a "rule", so the
    threshold keeps the same relative place between the paper and the ink levels."""
    import numpy as np

    paper, ink = np.percentile(gray[::4, ::4], [50, 1])
    if paper - ink < 40:
        return float(clean * paper / 255.0)
    return float(min(clean, paper - (1.0 - clean / 255.0) * (paper - ink)))


def _rules(mask: Any, need: float, axis: int) -> list[float]:
    """Centres of the rules in a rule mask: horizontal (axis 0) or vertical (axis 1) strokes at
    least `need` pixels long. Each stroke is measured as its own connected piece, so a skewed
    scan (a rule drifting over several pixel rows) still counts it once and at full length."""
    import cv2

    n, _, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for i in range(1, n):
        length = stats[i][2] if axis == 0 else stats[i][3]
        if length >= need:
            found.append(float(cents[i][1] if axis == 0 else cents[i][0]))
    out: list[float] = []
    for v in sorted(found):
        if out and v - out[-1] < 4:
            continue  # one thick rule broken in two
        out.append(v)
    return out


def table_block(grid: Grid, words: list[Word]) -> Block:
    """One Line per cell, row-major; words go to the cell holding their centre."""
    cells: dict[tuple[int, int], list[Word]] = {}
    for wd in words:
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
        region = g.bbox
        words: list[Word] = []
        out: list[Block] = []
        for b in blocks:
            if not b.lines:
                if b.kind in ("figure", "table") and inside(b.bbox, region):
                    continue
                out.append(b)
                continue
            lines = []
            for ln in b.lines:
                words += [w for w in ln.words if inside(w.bbox, region)]
                keep = tuple(w for w in ln.words if not inside(w.bbox, region))
                if keep:
                    lines.append(Line(keep, BBox.enclosing([w.bbox for w in keep])))
            if lines:
                out.append(
                    replace(b, lines=tuple(lines), bbox=BBox.enclosing([ln.bbox for ln in lines]))
                )
        table = table_block(g, words)
        if sum(1 for ln in table.lines if ln.words) < min_filled * len(table.lines):
            continue  # a framed drawing (a box around circles), not a table: leave it alone
        blocks = out
        tables.append(table)
    return blocks, tables
