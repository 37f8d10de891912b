"""Reading order on one page: find column gutters, then read section by section.

A gutter is a vertical strip that narrow lines never cross while enough lines sit on both sides.
Items crossing a gutter (full-width headings, figures, running heads) cut the page into sections;
inside a section we read column after column, top to bottom. Single-column pages sort by y.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median

from digitize.model import BBox
from digitize.stages.layout._stacks import side_by_side


@dataclass(frozen=True, slots=True)
class Placed:
    """Where an item landed: `section` (top→bottom), `column` (0 = spanning or single column);
    `floating`: set into the columns (a photo, its caption), read after them."""

    index: int
    section: int
    column: int
    floating: bool = False


def find_gutters(boxes: list[BBox], line_h: float, min_side: int = 3) -> list[tuple[float, float]]:
    """Vertical gutters (x0, x1) between text columns; empty for a single-column page."""
    if len(boxes) < 2 * min_side:
        return []
    left = min(b.x0 for b in boxes)
    right = max(b.x1 for b in boxes)
    width = right - left
    if width <= 0:
        return []
    narrow = [b for b in boxes if b.width < 0.62 * width]
    if len(narrow) < 2 * min_side:
        return []
    # Coverage profile of narrow boxes, shrunk a little so OCR jitter does not close a gutter.
    step = max(1.0, line_h / 6)
    nbins = int(width / step) + 1
    cover = [0] * nbins
    for b in narrow:
        s = min(b.width * 0.05, line_h * 0.25)
        i0 = int((b.x0 + s - left) / step)
        i1 = int((b.x1 - s - left) / step)
        for i in range(max(0, i0), min(nbins, i1 + 1)):
            cover[i] += 1
    # A full-width heading or figure may cross a gutter: tolerate a few crossings here,
    # reading_order treats the crossing items as spanning.
    tol = max(1, len(narrow) // 10)
    gaps: list[tuple[float, float]] = []
    run_start: int | None = None
    for i, c in enumerate([*cover, len(boxes) + 1]):
        if c <= tol and run_start is None:
            run_start = i
        elif c > tol and run_start is not None:
            x0, x1 = left + run_start * step, left + i * step
            if x1 - x0 >= 0.8 * line_h and x0 > left + step and x1 < right - step:
                gaps.append((x0, x1))
            run_start = None
    out = []
    for g0, g1 in gaps:
        mid = (g0 + g1) / 2
        lside = [b for b in narrow if b.cx < mid]
        rside = [b for b in narrow if b.cx >= mid]
        if len(lside) < min_side or len(rside) < min_side:
            continue
        if min(len(lside), len(rside)) < 0.15 * len(boxes):
            continue
        crossing = [b for b in boxes if b.x0 < g0 and b.x1 > g1]
        if len(crossing) > 0.25 * len(boxes) and not _sections_apart(
            boxes, lside, rside, g0, g1, line_h
        ):
            continue
        out.append((g0, g1))
    return out


# A text column is this many line heights wide at least (a table's code column is narrower).
MIN_COLUMN = 8.0


def _sections_apart(
    boxes: list[BBox], lside: list[BBox], rside: list[BBox], g0: float, g1: float, lh: float
) -> bool:
    """Many lines cross the gutter, but as full-width text above or below the columns (an
    intro, a closing list): where both columns run, few lines cross. Only for columns of text:
    a table whose cells the OCR read apart keeps its rows (its cells are short)."""
    y0 = max(min(b.y0 for b in lside), min(b.y0 for b in rside))
    y1 = min(max(b.y1 for b in lside), max(b.y1 for b in rside))
    beside = [b for b in boxes if y0 <= b.cy <= y1]
    crossing = [b for b in beside if b.x0 < g0 and b.x1 > g1]
    wide = all(median(b.width for b in side) >= MIN_COLUMN * lh for side in (lside, rside))
    return wide and len(crossing) <= 0.25 * max(len(beside), 1)


def crosses_gutter(b: BBox, gutters: list[tuple[float, float]], lh: float) -> bool:
    """True when `b` reaches clearly into the strips on both sides of some gutter."""
    return any(b.x0 < g0 - lh * 0.25 and b.x1 > g1 + lh * 0.25 for g0, g1 in gutters)


def reading_order(boxes: list[BBox], line_h: float | None = None) -> list[Placed]:
    """Order `boxes` for reading; returns one Placed per box, in reading order.

    An item crossing a gutter with nothing beside it (a full-width heading or figure) cuts the
    page into sections. One with column text beside it on the same rows (a photo set into the
    middle of two columns, its caption, a pull quote) floats: it is read after the columns of
    its section, so it neither cuts the columns nor lands inside one of them.
    """
    if not boxes:
        return []
    lh = line_h or median(b.height for b in boxes) or 1.0
    gutters = find_gutters(boxes, lh)
    if not gutters:
        order = sorted(range(len(boxes)), key=lambda i: _row_key(boxes[i], lh))
        return [Placed(i, 0, 0) for i in _stacks_first(order, boxes, lh)]
    edges = [(g0 + g1) / 2 for g0, g1 in gutters]
    float_col = len(edges) + 2

    def column(b: BBox) -> int:
        return 1 + sum(1 for e in edges if b.cx >= e)

    crossing = [i for i, b in enumerate(boxes) if crosses_gutter(b, gutters, lh)]
    rest = [i for i, b in enumerate(boxes) if not crosses_gutter(b, gutters, lh)]
    floats = {i for i in crossing if _beside(boxes[i], [boxes[j] for j in rest], lh)}
    spanning = sorted((i for i in crossing if i not in floats), key=lambda i: boxes[i].y0)
    lead = _lead_ins(rest, spanning, boxes, column, lh)
    spanning = sorted([*spanning, *lead], key=lambda i: boxes[i].y0)
    rest = [i for i in rest if i not in lead] + sorted(floats)
    out: list[Placed] = []
    section = 0
    prev_y = float("-inf")
    for s in [*spanning, None]:
        limit = boxes[s].cy if s is not None else float("inf")
        inside = [i for i in rest if prev_y <= boxes[i].cy < limit]
        cols = {i: float_col if i in floats else column(boxes[i]) for i in inside}
        inside.sort(key=lambda i: (cols[i], _row_key(boxes[i], lh)))
        out.extend(Placed(i, section, cols[i], i in floats) for i in inside)
        if s is not None:
            section += 1
            out.append(Placed(s, section, 0))
            section += 1
            prev_y = limit
    return out


def _lead_ins(
    rest: list[int],
    spanning: list[int],
    boxes: list[BBox],
    column: Callable[[BBox], int],
    lh: float,
) -> set[int]:
    """Lines at the foot of one column, below the end of every other column and set off from
    their column by white, that lead into the full-width item under them (`Additional
    Features` over a full-width list): they open the next section, not end their column."""
    out: set[int] = set()
    prev = float("-inf")
    for s in spanning:
        limit = boxes[s].cy
        by_col: dict[int, list[int]] = {}
        for i in rest:
            if prev <= boxes[i].cy < limit:
                by_col.setdefault(column(boxes[i]), []).append(i)
        prev = limit
        if len(by_col) < 2:
            continue
        for c, members in by_col.items():
            others = max(boxes[j].y1 for d, ms in by_col.items() if d != c for j in ms)
            tail = [i for i in members if boxes[i].y0 > others]
            body = [i for i in members if boxes[i].y0 <= others]
            if not tail or not body or len(tail) > 2:
                continue  # a heading is a line or two; more is the rest of a longer column
            white = min(boxes[i].y0 for i in tail) - max(boxes[i].y1 for i in body)
            close = boxes[s].y0 - max(boxes[i].y1 for i in tail) < 2.5 * lh
            if white >= lh and close:
                out.update(tail)
    return out


def _stacks_first(order: list[int], boxes: list[BBox], lh: float) -> list[int]:
    """Side-by-side blocks (`_stacks`) read left block, then right block, not row by row."""
    for left, right in side_by_side(boxes, lh):
        members = set(left) | set(right)
        at = min(order.index(i) for i in members)
        rest = [i for i in order if i not in members]
        order = rest[:at] + left + right + rest[at:]
    return order


def _beside(b: BBox, others: list[BBox], lh: float) -> bool:
    """Some column item shares rows with `b` and lies wholly left or right of it, and column
    text runs on above and below it (a running head with its page number beside it is no
    float: nothing is above it)."""
    if not any(o.y1 <= b.y0 for o in others) or not any(o.y0 >= b.y1 for o in others):
        return False
    for o in others:
        rows = min(b.y1, o.y1) - max(b.y0, o.y0)
        if rows > 0.3 * min(b.height, o.height, lh) and (o.x1 <= b.x0 or o.x0 >= b.x1):
            return True
    return False


def _row_key(b: BBox, lh: float) -> tuple[float, float]:
    """Top to bottom; boxes on the same row (within half a line) left to right."""
    return (round(b.cy / max(lh * 0.5, 1.0)), b.x0)
