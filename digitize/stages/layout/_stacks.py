"""Side-by-side stacks: two short blocks of centred lines sharing their rows.

An official letter or decree opens with the issuer's name centred on the left and the national
motto centred on the right (`ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI` beside `CỘNG HÒA XÃ HỘI… /
Độc lập - Tự do - Hạnh phúc`); title pages and letterheads do the same. Read row by row, the two
blocks interleave. Each side is one unit: read the left stack, then the right one.

A table is told apart by its shape: its cells are aligned on their left edge and it runs for
more rows than a heading block; neither is taken for a pair of stacks.
"""

from __future__ import annotations

from digitize.model import BBox

MIN_GAP = 2.0  # horizontal gap between the stacks, in line heights
MAX_ROWS = 4  # a longer run of paired rows is a table
MAX_LEADING = 0.35  # vertical gap between rows of one stack, in line heights


def _same_row(a: BBox, b: BBox) -> bool:
    return min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5 * min(a.height, b.height)


def paired_rows(boxes: list[BBox], lh: float) -> list[tuple[int, int]]:
    """(left, right) index pairs: rows holding exactly two boxes far apart, top to bottom."""
    pairs = []
    for i, a in enumerate(boxes):
        row = [j for j, b in enumerate(boxes) if j != i and _same_row(a, b)]
        if len(row) != 1:
            continue
        j = row[0]
        b = boxes[j]
        if b.x0 - a.x1 >= MIN_GAP * lh and [k for k, c in enumerate(boxes) if _same_row(b, c)] == [
            i,
            j,
        ]:
            pairs.append((i, j))
    return sorted(pairs, key=lambda p: boxes[p[0]].y0)


def stacks(boxes: list[BBox], lh: float) -> list[tuple[list[int], list[int]]]:
    """Runs of 2..MAX_ROWS paired rows whose left and right pieces each form a centred stack."""
    pairs = paired_rows(boxes, lh)
    runs: list[list[tuple[int, int]]] = []
    for p in pairs:
        if runs and _continues(runs[-1][-1], p, boxes, lh):
            runs[-1].append(p)
        else:
            runs.append([p])
    out = []
    for run in runs:
        if not 2 <= len(run) <= MAX_ROWS:
            continue
        left = [boxes[a] for a, _ in run]
        right = [boxes[b] for _, b in run]
        if max(b.x1 for b in left) >= min(b.x0 for b in right):
            continue
        if _centred(left, lh) or _centred(right, lh):
            out.append(([a for a, _ in run], [b for _, b in run]))
    return out


def _continues(p: tuple[int, int], q: tuple[int, int], boxes: list[BBox], lh: float) -> bool:
    """`q` is the next row of the stacks `p` belongs to: tight leading, same centres."""
    top = min(boxes[q[0]].y0, boxes[q[1]].y0)
    bottom = max(boxes[p[0]].y1, boxes[p[1]].y1)
    if top - bottom > MAX_LEADING * lh or top < bottom - 0.5 * lh:
        return False
    return all(abs(boxes[q[k]].cx - boxes[p[k]].cx) <= lh for k in (0, 1))


def _centred(side: list[BBox], lh: float) -> bool:
    """Lines of clearly different widths sharing a centre (not a left-aligned table column)."""
    widths = [b.width for b in side]
    lefts = [b.x0 for b in side]
    return max(widths) - min(widths) > lh and max(lefts) - min(lefts) > 0.5 * lh
