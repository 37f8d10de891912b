"""A display formula's alt text: its reading on one line when credible, else what the OCR read.

The OCR reads a stacked fraction as two short lines, or as one word across the bar, and marks
it with stray signs (`c? = t— vy`). As alt text that misleads a listener more than it helps.
In any book the page says how the parts sit: a fraction's bar has its numerator above it and
its denominator below, what stands left or right of the bar is set on the line, so the words
above and below the bar read linearly as `c = (q + n)/(2b)`. The reading is trusted only when
it is credible: the OCR was sure of it, it holds only the letters, digits and signs formulas
are made of, and a fraction has a numerator and a denominator of its own (no word straddles
the bar). Otherwise the formula keeps the OCR's own lines: they are its recognised text (the
alt the issue asks for, however rough) and the words the page-faithful exports (hOCR, ALTO,
the searchable PDF's text layer) carry; a formula with no words at all is named a formula by
the exporters.
"""

from __future__ import annotations

from digitize.model import BBox, Block, Line, Word

SURE = 0.6  # mean word confidence of a reading worth keeping (the OCR's garbage sits lower)
SIGNS = set("=+−-×÷√±≤≥≠≈<>()[]/.,'^²³¹⁰πΔΣ∞·:;")


def readable(formula: Block, bar: tuple[int, int, int] | None) -> Block:
    """`formula` with one line of its linear reading, or as the OCR read it when no credible
    reading is there. `bar`: (row, x0, x1) of a fraction bar in its region, if one."""
    words = sorted((w for ln in formula.lines for w in ln.words), key=lambda w: w.bbox.x0)
    text = _linear(words, bar) if words else None
    if text is None or not _credible(text, words):
        return formula
    box = BBox.enclosing([w.bbox for w in words])
    conf = sum(w.conf for w in words) / len(words)
    return Block("formula", (Line((Word(text, box, conf),), box),), formula.bbox)


def _linear(words: list[Word], bar: tuple[int, int, int] | None) -> str | None:
    """The words read left to right, a fraction as `(num)/(den)`; None when a word straddles
    the bar or the fraction lacks a half."""
    if bar is None:
        lines: dict[int, list[Word]] = {}
        for w in sorted(words, key=lambda w: w.bbox.cy):  # a stack of lines: top one first
            key = next((k for k in lines if abs(k - w.bbox.cy) < 0.5 * w.bbox.height), None)
            lines.setdefault(int(w.bbox.cy) if key is None else key, []).append(w)
        return " ".join(_join(ws) for _, ws in sorted(lines.items()))
    row, a, z = bar
    before = [w for w in words if w.bbox.x1 <= a]
    after = [w for w in words if w.bbox.x0 >= z]
    over = [w for w in words if w not in before and w not in after]
    if any(w.bbox.y0 < row < w.bbox.y1 for w in over):
        return None
    num = [w for w in over if w.bbox.cy < row]
    den = [w for w in over if w.bbox.cy > row]
    if not num or not den:
        return None
    frac = f"{_group(_join(num))}/{_group(_join(den))}"
    return " ".join(t for t in (_join(before), frac, _join(after)) if t)


def _join(words: list[Word]) -> str:
    return " ".join(w.text for w in sorted(words, key=lambda w: w.bbox.x0)).strip()


def _group(text: str) -> str:
    """`a + b` in brackets, `2b` bare: a linear fraction must not change what it divides."""
    return text if text.isalnum() else f"({text})"


def _credible(text: str, words: list[Word]) -> bool:
    if not text.strip() or sum(w.conf for w in words) / len(words) < SURE:
        return False
    return all(c.isspace() or c.isalnum() or c in SIGNS for c in text)
