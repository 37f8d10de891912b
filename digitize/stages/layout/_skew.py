"""Layout geometry for a page scanned askew, and the shadow at its edges.

A scan turned by 1-2 degrees tilts every text line: the left margin drifts across the page, so
indents and short last lines are misread and paragraphs split. The words show the tilt (their
centres climb or fall along each line); we measure it and lay the page out on rectified copies
of the lines, handing the original lines back afterwards. A deskew step upstream makes this a
no-op. Separately, a dark gutter shadow at the page edge is read as a tall "figure" or as
columns of garbage words; `edge_noise` names those blocks so the layout can drop them.
"""

from __future__ import annotations

from statistics import median

from digitize.model import BBox, Block, Line, Word


def line_slope(lines: list[Line], min_words: int = 4) -> float:
    """Median dy/dx of the word centres along each long line (0 when there is no evidence)."""
    slopes = []
    for ln in lines:
        ws = ln.words
        if len(ws) < min_words:
            continue
        a, b = ws[0].bbox, ws[-1].bbox
        dx = b.cx - a.cx
        if dx <= 0:
            continue
        # Word tops and bottoms move with ascenders; the middle of the box is steadier, and
        # a least-squares fit over every word is steadier still.
        xs = [w.bbox.cx for w in ws]
        ys = [w.bbox.cy for w in ws]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        den = sum((x - mx) ** 2 for x in xs)
        if den > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den)
    if len(slopes) < 3:
        return 0.0
    return float(median(slopes))


def _move(b: BBox, s: float) -> BBox:
    """The box turned back by slope `s` about the origin (its centre moves, its size stays)."""
    dx, dy = s * b.cy, -s * b.cx
    return BBox(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)


def rectify(line: Line, s: float) -> Line:
    """A copy of `line` with each word moved as if the page had been scanned straight."""
    words = tuple(Word(w.text, _move(w.bbox, s), w.conf) for w in line.words)
    if not words:
        return Line(words, _move(line.bbox, s))
    return Line(words, BBox.enclosing([w.bbox for w in words]))


def rectify_box(b: BBox, s: float) -> BBox:
    return _move(b, s)


def edge_noise(block: Block, size: tuple[int, int]) -> bool:
    """A narrow, tall block hugging the left or right page edge that is a figure without
    text, or text the engine barely believes (conf < 0.4): the shadow of the gutter."""
    w, h = size
    if w <= 0 or h <= 0:
        return False
    b = block.bbox
    at_edge = b.x0 <= 0.04 * w or b.x1 >= 0.96 * w
    narrow = b.width < 0.12 * w and b.height > 2.5 * b.width
    if not (at_edge and narrow):
        return False
    if block.kind in ("figure", "table") and not block.lines:
        return b.height > 0.25 * h
    words = [wd for ln in block.lines for wd in ln.words]
    if not words:
        return False
    return sum(wd.conf for wd in words) / len(words) < 0.4
