"""Type size of an OCR line, measured from its word boxes and the letters they hold.

Word boxes are ink boxes: `ao` is shorter than `Ấy` at the same size. Dividing each box by the
ink its letters are expected to make gives pixels per em that agree across words.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from digitize.model import Line

_ASC = frozenset("bdfhiklt0123456789!?/\\|()[]{}'\"%&#@đĐ")
_DESC = frozenset("gjpqy,;()[]{}|Q")


@lru_cache(maxsize=1 << 16)  # words repeat: every layout stage measures every line again
def _extent(text: str) -> float:
    top, desc = ink(text)
    return top + desc


def ink(text: str) -> tuple[float, float]:
    """Expected ink height of `text` in em: x-height, plus ascenders, capitals and Vietnamese
    marks above, plus descenders and the dot below. Lets `acterisation` (no descender) and
    `đề` (stacked marks) measure the same type size as a full line."""
    top, desc = 0.55, False
    prev_base = ""
    marks = 0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if ch == "\u0323":
                desc = True
                continue
            marks += 1
            top = max(top, 0.9 if prev_base.isupper() else 0.86 if marks > 1 else 0.76)
            continue
        prev_base, marks = ch, 0
        if ch in _ASC or ch.isupper():
            top = max(top, 0.76)
        if ch in _DESC:
            desc = True
    return top, (0.23 if desc else 0.0)


@lru_cache(maxsize=1 << 16)
def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


# Lines are frozen and every layout stage measures each one several times (~7 a line): kept by
# identity, the line itself held so its id cannot be reused while the entry lives.
_MEASURED: dict[int, tuple[Line, float]] = {}


def line_height(line: Line) -> float:
    """Type size of a line in pixels per em: the median over its words of box height divided by
    the expected ink extent of the word's letters (`ao` vs `Ấy`, see `_extent`)."""
    hit = _MEASURED.get(id(line))
    if hit is not None and hit[0] is line:
        return hit[1]
    if len(_MEASURED) >= 1 << 15:
        _MEASURED.clear()
    h = _line_height(line)
    _MEASURED[id(line)] = (line, h)
    return h


def _line_height(line: Line) -> float:
    sizes = [w.bbox.height / _extent(w.text) for w in line.words if _alnum(w.text) >= 2]
    if sizes:
        # Specks glued to words (noisy scans) only ever enlarge boxes: a low quantile, not the
        # median, so a few inflated words do not make a body line look like a heading.
        return float(sorted(sizes)[(len(sizes) - 1) // 3])
    if not line.words:
        return line.bbox.height
    ink = max(w.bbox.y1 for w in line.words) - min(w.bbox.y0 for w in line.words)
    return ink / _extent(line.text)
