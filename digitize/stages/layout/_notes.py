"""Footnotes the type-size test missed (a note that measures body size beside one that does
not), note reference marks the OCR read as words of their own (`raised_marks`), and the
marks in running text `layout.flow` links to their notes (`cites`, `restore_mark`)."""

from __future__ import annotations

import re
from dataclasses import replace
from statistics import median

from digitize.model import BBox, Block, Line, Word
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height
from digitize.text import SUPERSCRIPT_DIGITS, superscript


def note_runs(blocks: list[Block], body_h: float) -> list[Block]:
    """A block set tight against a footnote, flush with it, opening with a note mark and in
    type no bigger than the body's, is a note of the same run. Notes are small type, but a
    short note of tall letters (`Há`, `phải`) or a speck can measure at body size, and alone
    it would read as a paragraph that closes the page's last sentence too early."""
    out = list(blocks)
    changed = True
    while changed:
        changed = False
        for k, b in enumerate(out):
            if b.kind != "paragraph" or not b.lines or _text.footnote_mark(b.lines[0].text) is None:
                continue
            if median(line_height(ln) for ln in b.lines) > body_h:
                continue
            near = [out[j] for j in (k - 1, k + 1) if 0 <= j < len(out)]
            if any(n.kind == "footnote" and _tight(b, n, body_h) for n in near):
                out[k] = replace(b, kind="footnote")
                changed = True
    return out


def _tight(a: Block, b: Block, body_h: float) -> bool:
    """One right under the other, at one left edge."""
    gap = max(b.bbox.y0 - a.bbox.y1, a.bbox.y0 - b.bbox.y1)
    return -0.2 * body_h <= gap < body_h and abs(a.bbox.x0 - b.bbox.x0) < body_h


# How OCR reads a small raised note number on its own: `!` for a `1`, `?` for a `2`.
_MISREAD = {"!": "1", "?": "2"}
RAISED = 0.3  # a mark's foot stands this share of the line's word height over the baseline
SMALL = 0.75  # ...and it is at most this share of that height tall


def raised_marks(blocks: list[Block]) -> list[Block]:
    """Note reference marks set as small raised glyphs the OCR read as words of their own
    (`uniform 1 as`, `ngôi ! hoàng`): a glyph clearly smaller than the line's words, its foot
    well over their baseline, right after a word, whose number (or `!` for 1, `?` for 2, or
    `*`) opens a footnote of the page, joins that word as the printed mark (`uniform¹`), which
    `layout.flow` links to its note. Geometry decides, so a `1` on the line stays text."""
    marks = {m for b in blocks if b.kind == "footnote" and b.lines for m in _note_mark(b)}
    if not marks:
        return blocks
    out = []
    for b in blocks:
        if b.kind in ("footnote", "heading") or not b.lines:
            out.append(b)
            continue
        lines = tuple(_joined(ln, marks) for ln in b.lines)
        changed = any(a is not c for a, c in zip(lines, b.lines, strict=True))
        out.append(replace(b, lines=lines) if changed else b)
    return out


def _note_mark(b: Block) -> list[str]:
    m = _text.footnote_mark(b.lines[0].text)
    return [m] if m else []


def _joined(ln: Line, marks: set[str]) -> Line:
    """`ln` with each raised mark glued to the word before it."""
    if len(ln.words) < 3:
        return ln
    height = median(w.bbox.height for w in ln.words)
    base = median(w.bbox.y1 for w in ln.words)
    words = list(ln.words)
    k = 1
    while k < len(words):
        w, prev = words[k], words[k - 1]
        mark = _MISREAD.get(w.text, w.text)
        raised = w.bbox.y1 <= base - RAISED * height and w.bbox.height <= SMALL * height
        close = w.bbox.x0 - prev.bbox.x1 <= 0.4 * height
        if raised and close and mark in marks and prev.text[-1:].isalpha():
            printed = superscript(mark)
            box = BBox.enclosing([prev.bbox, w.bbox])
            words[k - 1 : k + 1] = [Word(prev.text + printed, box, min(prev.conf, w.conf))]
            continue
        k += 1
    if len(words) == len(ln.words):
        return ln
    return Line(tuple(words), ln.bbox)


def footnote_body(text: str, mark: str) -> str:
    """The footnote's text after its mark: `(1) Xem` → `Xem`, and `*Xem` (mark glued to the
    first word by OCR) → `Xem`, not the empty string."""
    t = text.strip()
    if not mark:
        return t
    tok = t.split(" ", 1)[0]
    if tok.strip("()[]").rstrip(".:") == mark:
        return t[len(tok) :].strip()
    return t[t.index(mark) + len(mark) :].strip()


def cites(text: str, mark: str, loose: bool = False) -> tuple[int, int, bool] | None:
    """Where `text` carries the reference mark `mark` right after a word (`điều3`, `điều³`):
    (start, end, misread), or None. `loose`: a small raised `1` is often read as `!` (`2` as
    `?`, any digit as `°`); glued to a word inside a running sentence (`ngôi! hoàng đế`: a
    lower-case word follows) it is taken for the mark (misread = True)."""
    forms = {mark, superscript(mark)}
    for f in forms:
        if m := re.search(rf"(?<=[^\W\d]){re.escape(f)}(?![\d{SUPERSCRIPT_DIGITS}])", text):
            return m.start(), m.end(), False
    if loose:
        for m in _LOOSE_MARK.finditer(text):
            if m.group(1).islower() and (m.group(0)[1] != "?" or mark == "2"):
                return m.start() + 1, m.start() + 2, True
    return None


def restore_mark(
    text: str, breaks: list[tuple[int, int, str | None]], span: tuple[int, int, bool], mark: str
) -> tuple[str, list[tuple[int, int, str | None]]]:
    """`text` with a mark misread as `!`, `?` or `°` put back as printed (raised: `¹`)."""
    start, end, misread = span
    if not misread:
        return text, breaks
    printed = superscript(mark)
    shift = len(printed) - (end - start)
    moved = [(off + shift if off > start else off, i, lab) for off, i, lab in breaks]
    return text[:start] + printed + text[end:], moved


# What OCR makes of a small raised digit: `!` (mostly a `1`), `?` (a `2` only: its shape),
# `°` (any of them).
_LOOSE_MARK = re.compile(r"[^\W\d][!?°](?=\s+([^\W\d_]))")
