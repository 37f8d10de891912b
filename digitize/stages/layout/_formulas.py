"""Display formulas: a line set apart whose text is symbols, not words, is kept as a picture.

OCR reads a fraction, a power or a root as garbage (`c? = t— vy`, the numerator and the
denominator as two lines, the bar lost). What holds in any book: a display formula is set on
a line (or a stack of short lines) of its own, centred in the column, narrower than the text;
its text carries a relation or operator sign (`=`, `+`, `√`, ...) and few real words (letter
runs of three or more), or the OCR doubts it; in the pixels, a fraction has a horizontal bar
with glyphs above and below. Such a region becomes `Block("formula")` with its reading on one
line, the alt text, or the OCR's lines when no reading is credible (`_formula_text`);
`layout.blocks` crops it like a figure and `layout.flow` emits a
`Figure` with role "formula". A formula inside a sentence stays text: only display lines are
taken.
"""

from __future__ import annotations

import re
from statistics import median
from typing import Any

from digitize.model import BBox, Block, Line
from digitize.stages.layout._formula_text import readable

MATH = set("=+−-×÷√∑∫±≤≥≠≈^²³⁴⁵⁶⁷⁸⁹¹⁰/πΔΣ∞<>")
RELATIONS = set("=≤≥≠≈<>√∑∫")
_WORD = re.compile(r"[^\W\d_]{3,}")
MAX_WIDTH = 0.7  # a display formula is narrower than this share of its column
CENTRE = 0.12  # its centre lies this share of the column width from the column's centre
MAX_WORDS = 0.34  # share of its words that may be real words (letter runs of three or more)
LOW_CONF = 0.6  # mean word confidence the OCR gives garbage


def take_formulas(
    blocks: list[Block], em: float, pixels: Any = None, regions: list[BBox] | None = None
) -> tuple[list[Block], list[Block]]:
    """Move display formula lines out of `blocks` into formula blocks (region grown over the
    ink the OCR left out: a fraction bar, a root sign). `regions`: tables and frames, whose
    pixels hold rules, not fractions."""
    lines = [ln for b in blocks if b.kind not in ("figure", "table") for ln in b.lines]
    if len(lines) < 4:
        return blocks, []
    seeds = [
        ln
        for ln in lines
        if _apart(ln, lines, em) and (_symbolic(ln) or _stacked(ln, lines, em, pixels))
    ]
    pictures = [b.bbox for b in blocks if not b.lines] + list(regions or [])
    unread = _unread(lines, em, pixels, pictures)
    if not seeds and not unread:
        return blocks, []
    taken: set[int] = set()
    formulas = []
    for seed in seeds:
        if id(seed) in taken:
            continue
        group = [seed]
        grown = True
        while grown:  # a fraction's other half: a short centred line just above or below
            grown = False
            for ln in lines:
                if id(ln) in taken or any(ln is g for g in group) or not _apart(ln, lines, em):
                    continue
                box = _union([g.bbox for g in group])
                near = ln.bbox.y0 - box.y1 < 0.8 * em and box.y0 - ln.bbox.y1 < 0.8 * em
                over = min(ln.bbox.x1, box.x1) - max(ln.bbox.x0, box.x0) > -em
                if near and over and (_symbolic(ln) or len(_WORD.findall(ln.text)) <= 1):
                    group.append(ln)
                    grown = True
        taken.update(id(g) for g in group)
        others = [ln for ln in lines if id(ln) not in taken]
        box = _grow(_union([g.bbox for g in group]), others, em, pixels)
        group.sort(key=lambda ln: (ln.bbox.cy, ln.bbox.x0))
        bar = _bar(pixels, box, em) if pixels is not None else None
        formulas.append(readable(Block("formula", tuple(group), box), bar))
    formulas += [Block("formula", (), box) for box in unread]
    out = []
    for b in blocks:
        kept = tuple(ln for ln in b.lines if id(ln) not in taken)
        if len(kept) == len(b.lines):
            out.append(b)
        elif kept:
            out.append(Block(b.kind, kept, _union([ln.bbox for ln in kept]), b.level))
    return out, formulas


def _symbolic(line: Line) -> bool:
    """Symbols, not words: a relation or operator sign and few real words, or garbage the OCR
    doubts."""
    text = line.text
    chars = [c for c in text if not c.isspace()]
    if not chars or not line.words:
        return False
    words = len(_WORD.findall(text)) / len(line.words)
    signs = sum(1 for c in chars if c in MATH) / len(chars)
    conf = sum(w.conf for w in line.words) / len(line.words)
    if words > MAX_WORDS:
        return False
    return any(c in RELATIONS for c in chars) or signs >= 0.2 or conf < LOW_CONF


def _apart(line: Line, lines: list[Line], em: float) -> bool:
    """Set apart: centred in the column the lines around it make, clearly narrower than it, no
    other line beside it."""
    b = line.bbox
    beside = [
        o
        for o in lines
        if o is not line
        and min(o.bbox.y1, b.y1) - max(o.bbox.y0, b.y0) > 0
        and not (_piece(o) and max(o.bbox.x0 - b.x1, b.x0 - o.bbox.x1) < em)
    ]
    if beside:
        return False
    if not any(o.bbox.y1 < b.y0 for o in lines) or not any(o.bbox.y0 > b.y1 for o in lines):
        return False  # between lines of text, not a page number or running head
    return _centred(b, lines, em)


def _piece(line: Line) -> bool:
    """A few signs and letters, no running text: a piece of a formula the OCR cut apart."""
    return len(line.words) <= 4 and len(_WORD.findall(line.text)) <= 1


def _centred(b: BBox, lines: list[Line], em: float) -> bool:
    """Centred in the column the wider lines around `b` make, and clearly narrower than it."""
    wide = [o.bbox for o in lines if o.bbox.x0 < b.x0 - em and o.bbox.x1 > b.x1 + em]
    if len(wide) < 2:
        return False
    left, right = median(w.x0 for w in wide), median(w.x1 for w in wide)
    width = right - left
    return b.width < MAX_WIDTH * width and abs(b.cx - (left + right) / 2) < CENTRE * width


def _stacked(line: Line, lines: list[Line], em: float, pixels: Any) -> bool:
    """A fraction at the line: a thin horizontal bar with ink above and below it, in or just
    next to the line's box (the OCR read the fraction as a piece or two), few real words."""
    if pixels is None or len(_WORD.findall(line.text)) > MAX_WORDS * len(line.words):
        return False
    b = line.bbox
    others = [o for o in lines if o is not line and not _piece(o)]  # running text bounds it
    top = max([o.bbox.y1 for o in others if o.bbox.y1 <= b.y0] + [b.y0 - em])
    bot = min([o.bbox.y0 for o in others if o.bbox.y0 >= b.y1] + [b.y1 + em])
    return _bar(pixels, BBox(b.x0 - em, top + 1, b.x1 + em, bot - 1), em) is not None


def _bar(pixels: Any, box: BBox, em: float) -> tuple[int, int, int] | None:
    """(row, x0, x1) of a fraction bar in `box`: a horizontal run of ink at least an em long,
    at most a sixth of an em thick, with ink above and below it over its span."""
    import numpy as np

    h, w = pixels.shape[:2]
    x0, x1 = max(0, int(box.x0)), min(w, int(box.x1))
    y0, y1 = max(0, int(box.y0)), min(h, int(box.y1))
    if x1 - x0 < em or y1 - y0 < em:
        return None
    ink = pixels[y0:y1, x0:x1] < 128
    thick = max(2, int(em / 6))
    reach = max(3, int(0.9 * em))
    for r in range(ink.shape[0]):
        row = np.concatenate(([0], ink[r].astype(np.int8), [0]))
        d = np.diff(row)
        starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
        if not len(starts):
            continue
        k = int(np.argmax(ends - starts))
        a, z = int(starts[k]), int(ends[k])
        if z - a < em:
            continue
        bar = ink[r : r + thick + 2, a:z].all(axis=1)
        rows = int(bar.sum())
        if rows > thick or (r + rows < ink.shape[0] and bar.all()):
            continue
        above = ink[max(0, r - reach) : max(0, r - 1), a:z].any()
        below = ink[r + rows + 1 : r + rows + reach, a:z].any()
        if above and below:
            return r + y0, a + x0, z + x0
    return None


def _unread(lines: list[Line], em: float, pixels: Any, pictures: list[BBox]) -> list[BBox]:
    """Formulas the OCR read nothing of: between two lines of running text one above the
    other, a centred, narrow cluster of ink around a fraction bar."""
    if pixels is None:
        return []
    out = []
    ordered = sorted(lines, key=lambda ln: ln.bbox.y0)
    for k, up in enumerate(ordered[:-1]):
        down = next(
            (
                o
                for o in ordered[k + 1 :]
                if min(o.bbox.x1, up.bbox.x1) - max(o.bbox.x0, up.bbox.x0) > 0.5 * up.bbox.width
            ),
            None,
        )
        if down is None or down.bbox.y0 - up.bbox.y1 < 2 * em:
            continue
        left, right = min(up.bbox.x0, down.bbox.x0), max(up.bbox.x1, down.bbox.x1)
        band = BBox(left, up.bbox.y1 + 2, right, down.bbox.y0 - 2)
        if any(band.overlaps(o.bbox) for o in lines if o is not up and o is not down):
            continue
        if any(band.overlaps(p) for p in pictures):
            continue
        bar = _bar(pixels, band, em)
        if bar is None:
            continue
        row = bar[0]
        import numpy as np

        ink = (pixels[:, int(left) : int(right)] < 128).any(axis=1)
        gap = max(2, int(0.35 * em))
        y0 = _reach(ink, row, int(band.y0), -1, gap)
        y1 = _reach(ink, row, int(band.y1), 1, gap)
        cols = np.flatnonzero((pixels[y0 : y1 + 1, int(left) : int(right)] < 128).any(axis=0))
        x0, x1 = left + float(cols[0]), left + float(cols[-1])
        if y1 - y0 > 4 * em or not _centred(BBox(x0, y0, x1, y1), lines, em):
            continue
        pad = 0.25 * em
        out.append(BBox(x0 - pad, max(band.y0, y0 - pad), x1 + pad, min(band.y1, y1 + pad)))
    return out


def _grow(box: BBox, others: list[Line], em: float, pixels: Any) -> BBox:
    """The region padded over ink next to it (a bar, a root's stroke, an index the OCR did not
    report), up to an em above and below and never into another line."""
    pad = 0.25 * em
    y0, y1 = box.y0 - pad, box.y1 + pad
    x0, x1 = box.x0 - pad, box.x1 + pad
    if pixels is not None:
        h, w = pixels.shape[:2]
        lo, hi = max(0, int(x0)), min(w, int(x1) + 1)
        ceiling = max([o.bbox.y1 for o in others if o.bbox.y1 <= box.y0] + [box.y0 - 1.2 * em])
        floor = min([o.bbox.y0 for o in others if o.bbox.y0 >= box.y1] + [box.y1 + 1.2 * em])
        if hi > lo:
            ink = (pixels[:, lo:hi] < 128).any(axis=1)
            gap = max(2, int(0.35 * em))  # a blank run this tall ends the region
            top = _reach(ink, int(box.y0), max(0, int(ceiling) + 2), -1, gap)
            bot = _reach(ink, int(box.y1), min(h - 1, int(floor) - 2), 1, gap)
            y0, y1 = min(y0, top - pad), max(y1, bot + pad)
            y0, y1 = max(y0, ceiling + 1), min(y1, floor - 1)
            # sideways over what the OCR left out (`c =` before a fraction it read as `qn`)
            cols = (pixels[max(0, int(y0)) : int(y1) + 1] < 128).any(axis=0)
            side = max(2, int(0.8 * em))
            left = _reach(cols, int(box.x0), max(0, int(box.x0 - 6 * em)), -1, side)
            right = _reach(cols, int(box.x1), min(w - 1, int(box.x1 + 6 * em)), 1, side)
            x0, x1 = min(x0, left - pad), max(x1, right + pad)
    return BBox(max(0.0, x0), max(0.0, y0), x1, y1)


def _reach(ink: Any, start: int, stop: int, step: int, gap: int) -> int:
    """The last inked row (column) from `start` towards `stop` before a blank run of `gap`."""
    last, blank, y = start, 0, start
    while (y - stop) * step < 0:
        y += step
        if ink[y]:
            last, blank = y, 0
        else:
            blank += 1
            if blank >= gap:
                break
    return last


def _union(boxes: list[BBox]) -> BBox:
    return BBox(
        min(b.x0 for b in boxes),
        min(b.y0 for b in boxes),
        max(b.x1 for b in boxes),
        max(b.y1 for b in boxes),
    )
