"""Side-by-side blocks on a single-column page: two short blocks sharing their rows.

An official letter or decree opens with the issuer's name centred on the left and the national
motto centred on the right (`ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI` beside `CỘNG HÒA XÃ HỘI… /
Độc lập - Tự do - Hạnh phúc`), and closes with the list of recipients on the left beside the
signature block on the right; letterheads and title pages do the same. Read row by row, the two
blocks interleave. Each side is one unit: read the left block, then the right one.

A run of rows qualifies when a vertical strip of white runs through all of them with text on
both sides and the rows follow each other at text leading. A table looks the same, so its shape
decides: table rows pair up (nearly every row has a cell on both sides), while two independent
blocks are set to their own line pitch. Rows that all pair up are taken for side-by-side blocks
only when they are few and at least one side is a centred stack (a heading block, not a column
of left-aligned cells).
"""

from __future__ import annotations

from digitize.model import BBox

MIN_GAP = 2.0  # white between the two sides, in line heights
MAX_ROWS = 4  # more fully paired rows than this are a table
MAX_LEADING = 0.35  # vertical white between rows of one run, in line heights
MAX_PAIRED = 0.6
MIN_WIDTH = 3.0  # a line counted on a side is this wide at least, in line heights
MAX_LINE = 2.5  # a taller box is no line of text, in line heights  # share of paired rows above which a longer run is a table


def _rows(boxes: list[BBox], order: list[int]) -> list[list[int]]:
    """Group indices into rows (boxes sharing most of their height), top to bottom."""
    rows: list[list[int]] = []
    for i in sorted(order, key=lambda i: boxes[i].y0):
        b = boxes[i]
        if rows:
            a = boxes[rows[-1][0]]
            if min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5 * min(a.height, b.height):
                rows[-1].append(i)
                continue
        rows.append([i])
    return [sorted(r, key=lambda i: boxes[i].x0) for r in rows]


def _free(boxes: list[BBox], row: list[int], lo: float, hi: float) -> list[tuple[float, float]]:
    """White intervals of one row between `lo` and `hi`."""
    out = []
    x = lo
    for b in sorted((boxes[i] for i in row), key=lambda b: b.x0):
        if b.x0 > x:
            out.append((x, b.x0))
        x = max(x, b.x1)
    if hi > x:
        out.append((x, hi))
    return out


def _meet(a: list[tuple[float, float]], b: list[tuple[float, float]], w: float) -> list:
    return [
        (max(a0, b0), min(a1, b1)) for a0, a1 in a for b0, b1 in b if min(a1, b1) - max(a0, b0) >= w
    ]


def side_by_side(boxes: list[BBox], lh: float) -> list[tuple[list[int], list[int]]]:
    """(left, right) index lists, each in row order, for every run of side-by-side blocks."""
    if len(boxes) < 4:
        return []
    lo, hi = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    rows = _rows(boxes, list(range(len(boxes))))
    out = []
    k = 0
    while k < len(rows):
        free = _meet(_free(boxes, rows[k], lo, hi), [(lo, hi)], MIN_GAP * lh)
        m = k  # the run is as long as the strip stays open and the leading tight
        while free and m + 1 < len(rows) and _gap(boxes, rows[m], rows[m + 1]) <= MAX_LEADING * lh:
            more = _meet(free, _free(boxes, rows[m + 1], lo, hi), MIN_GAP * lh)
            if not more:
                break
            free, m = more, m + 1
        strips = [s for s in free if _accept(boxes, rows[k : m + 1], s, lh)]
        if not strips:
            k = m + 1  # judged whole: a table's last rows are no stack of their own
            continue
        run = [i for r in rows[k : m + 1] for i in r]
        left = [i for i in run if boxes[i].x1 <= strips[0][0]]
        out.append((left, [i for i in run if boxes[i].x0 >= strips[0][1]]))
        k = m + 1
    return out


def _gap(boxes: list[BBox], a: list[int], b: list[int]) -> float:
    return min(boxes[i].y0 for i in b) - max(boxes[i].y1 for i in a)


def _accept(
    boxes: list[BBox], rows: list[list[int]], strip: tuple[float, float], lh: float
) -> bool:
    left = [i for r in rows for i in r if boxes[i].x1 <= strip[0]]
    right = [i for r in rows for i in r if boxes[i].x0 >= strip[1]]
    for side in (left, right):  # two real lines a side, not specks at the page edge
        if sum(1 for i in side if boxes[i].width >= MIN_WIDTH * lh) < 2:
            return False
    if any(boxes[i].height > MAX_LINE * lh for r in rows for i in r):
        return False  # a picture or a table beside text is not a block of lines
    paired = sum(1 for r in rows if set(r) & set(left) and set(r) & set(right))
    n = len(rows)
    stacks = paired == n <= MAX_ROWS and (
        _centred([boxes[i] for i in left], lh) or _centred([boxes[i] for i in right], lh)
    )
    return paired > 0 and (stacks or (n > 2 and paired <= MAX_PAIRED * n))


def _centred(side: list[BBox], lh: float) -> bool:
    """Lines of clearly different widths sharing a centre (not a left-aligned table column)."""
    widths = [b.width for b in side]
    lefts = [b.x0 for b in side]
    centres = [b.cx for b in side]
    return (
        max(widths) - min(widths) > lh
        and max(lefts) - min(lefts) > 0.5 * lh
        and max(centres) - min(centres) <= lh
    )
