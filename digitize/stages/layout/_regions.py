"""Find the picture a caption belongs to when the OCR did not report one.

OCR engines often miss line art (thin strokes, no tone), yet a `Hình 1.2` caption says a picture
is there. We look in the band between the caption and the text above it (below it for a
`Bảng`/`Table` caption, which sits over its table) for ink that no text line explains.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from digitize.model import BBox, Block, Line
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height
from digitize.stages.layout._tables import ink_threshold

SEPARATOR_LETTERS = 6  # a line separating a picture from what is beyond it: words of body type


def missing_figures(gray: Any, blocks: list[Block], body_h: float) -> list[Block]:
    """Figure blocks for captions that have no figure block near them, or whose figure the OCR
    boxed only in part (one box of a diagram): then the found picture holds the OCR's and
    replaces it (see `_frames.drop_nested_figures`)."""
    import numpy as np

    tables = [b.bbox for b in blocks if b.kind == "table"]
    figures = [b.bbox for b in blocks if b.kind == "figure" and not b.lines]
    lines = [ln for b in blocks for ln in b.lines]
    out: list[Block] = []
    h = gray.shape[0]
    dark = ink_threshold(gray, 160)
    for ln in lines:
        m = _text.caption_match(ln.text)
        if m is None or ln.text.strip()[m.end() :].lstrip(" .:-–—)")[:1].islower():
            continue
        cb = ln.bbox
        if any(_near(cb, f, 4 * body_h) for f in [*tables, *(b.bbox for b in out)]):
            continue
        partial = [f for f in figures if _near(cb, f, 4 * body_h)]
        above = m.group(1).lower() not in ("bảng", "table")
        band = _band(cb, lines, body_h, h, above)
        if band is None:
            continue
        x0, y0, x1, y1 = (int(v) for v in (band.x0, band.y0, band.x1, band.y1))
        ink = np.asarray(gray[y0:y1, x0:x1] < dark)
        crossing = [ln for ln in lines if _overlaps(ln.bbox, band)]
        inside = [ln.bbox for ln in crossing]
        for ob in inside:  # text explains its own ink
            ink[
                max(0, int(ob.y0) - y0 - 2) : max(0, int(ob.y1) - y0 + 2),
                max(0, int(ob.x0) - x0 - 2) : max(0, int(ob.x1) - x0 + 2),
            ] = False
        rows = ink.sum(axis=1) > 2
        words = [
            ob.bbox
            for ob in crossing
            if sum(ch.isalpha() for ch in ob.text) >= SEPARATOR_LETTERS
            and _running_text(ob)
            and _text_line(ob, body_h)
        ]
        rows = _caption_side(rows, words, y0, above)
        ys = np.flatnonzero(rows)
        xs = np.flatnonzero(ink[rows].sum(axis=0) > 2)
        if len(ys) < 1.5 * body_h or len(xs) < 3 * body_h:
            continue
        box = BBox(
            x0 + float(xs[0]), y0 + float(ys[0]), x0 + float(xs[-1]) + 1, y0 + float(ys[-1]) + 1
        )
        if box.height < 1.5 * body_h or box.width < 3 * body_h:
            continue
        area = box.width * box.height
        if partial and not all(_holds(box, f) and area > 1.3 * f.width * f.height for f in partial):
            continue
        out.append(Block("figure", (), box))
    return out


def _caption_side(rows: Any, inside: list[BBox], y0: int, above: bool) -> Any:
    """The ink rows on the caption's side of the last text line that crosses the band with no
    other ink on its rows: such a line separates what lies beyond it (a running head's rule
    above a heading's last line) from the picture, which would otherwise swallow that line.
    A label drawn beside the picture's ink shares its rows, so it separates nothing; `inside`
    holds only lines with some letters: a tick number or a scrap of a map on rows of its own
    does not separate either."""
    rows = rows.copy()
    for ob in inside:
        top, bottom = max(0, int(ob.y0) - y0), max(0, int(ob.y1) - y0)
        if bottom <= top or rows[top:bottom].any():
            continue
        if above:  # the caption is below: drop what is above the line
            rows[:bottom] = False
        else:
            rows[top:] = False
    return rows


def _overlaps(a: BBox, band: BBox) -> bool:
    return (
        a.y1 > int(band.y0) and a.y0 < int(band.y1) and a.x1 > int(band.x0) and a.x0 < int(band.x1)
    )


def _text_line(ln: Line, body_h: float) -> bool:
    """A line of text, not names on a picture: those are set small, and a row of them
    (`Nhóm A Nhóm B Nhóm C` under a chart) holds few words of two letters or more, where a
    line of small text holds many."""
    words = sum(sum(ch.isalpha() for ch in w.text) >= 2 for w in ln.words)
    return line_height(ln) >= 0.8 * body_h or words >= 5


def _running_text(ln: Line) -> bool:
    """Words set as a line of text, not names spread over a picture (`Nhóm A     Nhóm B`)."""
    gaps = [b.bbox.x0 - a.bbox.x1 for a, b in zip(ln.words, ln.words[1:], strict=False)]
    return not gaps or max(gaps) <= 2 * ln.bbox.height


def _holds(box: BBox, f: BBox) -> bool:
    """Most of `f` lies inside `box`."""
    w = min(box.x1, f.x1) - max(box.x0, f.x0)
    h = min(box.y1, f.y1) - max(box.y0, f.y0)
    return w > 0 and h > 0 and w * h >= 0.8 * f.width * f.height


def _near(a: BBox, b: BBox, dist: float) -> bool:
    gap = max(a.y0 - b.y1, b.y0 - a.y1, 0.0)
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    return gap < dist and overlap > 0


def _band(cb: BBox, lines: list[Line], body_h: float, page_h: int, above: bool) -> BBox | None:
    """The empty-of-body-text band above (or below) the caption, as wide as the text there.
    Only the words over the caption's column count: the OCR may read a label of the picture
    and the next column's text as one line."""
    body, full = [], []
    for ln in lines:
        words = [w.bbox for w in ln.words if w.bbox.x1 > cb.x0 - 2 * body_h]
        words = [b for b in words if b.x0 < cb.x1 + 2 * body_h]
        if len(words) >= 4 and _running_text(ln) and _text_line(ln, body_h):
            body.append(BBox.enclosing(words))
            full.append(ln.bbox)
    if above:
        stops = [b.y1 for b in body if b.y1 <= cb.y0 - 0.2 * body_h]
        top, bottom = (max(stops) if stops else 0.0), cb.y0 - 2
    else:
        stops = [b.y0 for b in body if b.y0 >= cb.y1 + 0.2 * body_h]
        top, bottom = cb.y1 + 2, (min(stops) if stops else float(page_h))
    if bottom - top < 2 * body_h:
        return None
    near = [b for b in full if top - 3 * body_h <= b.cy <= bottom + 3 * body_h and b != cb]
    left = min([b.x0 for b in near] + [cb.x0])
    right = max([b.x1 for b in near] + [cb.x1])
    column = [b for b in full if b.x0 < cb.x1 and b.x1 > cb.x0]
    if not near and column:  # nothing beside the band: as wide as the caption's column
        left = min(left, float(median(b.x0 for b in column)))
        right = max(right, float(median(b.x1 for b in column)))
    return BBox(max(0.0, left - body_h), top, right + body_h, bottom)
