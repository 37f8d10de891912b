"""Word-level cleanup before layout: NFC, specks read as marks, doubted dashes kept.

OCR reads paper specks as `:`, `ˆ`, `_` or a stray `-` before a line; those words are dropped.
Punctuation the engine merely doubted (a thin dash between words) is kept: losing it costs more
than a speck does.
"""

from __future__ import annotations

from dataclasses import replace

from digitize.model import BBox, Block, Line, Word, nfc
from digitize.stages.layout import _text
from digitize.stages.layout._lists import small_bullet
from digitize.stages.layout._noise import garbage_word, signs_only


def clean_block(block: Block) -> Block | None:
    """NFC every word and drop empty words/lines; a text block left empty is dropped."""
    lines = []
    for line in block.lines:
        raw, bullet = small_bullet(line.words)
        n = len(raw)
        words = tuple(
            Word(nfc(w.text).strip(_SPECKS), w.bbox, w.conf)
            for i, w in enumerate(raw)
            if (bullet and i == 0)
            or not (_noise(w) or garbage_word(w))
            or _dash(w, 0 < i < n - 1)
            or _seated(raw, i)
        )
        if len(words) >= 2 and _lead_speck(words[0], words[1:]) and not _dash(words[0], False):
            words = words[1:]
        if words and signs_only(words):
            continue
        if words:
            lines.append(Line(words, BBox.enclosing([w.bbox for w in words])))
    if not lines and block.kind not in ("figure", "table"):
        return None
    return replace(block, lines=tuple(lines))


_SPECKS = " _ˆ˜¨"


def _noise(w: Word) -> bool:
    """Specks read as `:`, `ˆ`, `_`: no letter or digit, and the engine was unsure; or a
    scrap of one or two signs the engine hardly believes (`T`, `an` at conf 0.2)."""
    t = w.text.strip(_SPECKS)
    if not t or (not any(ch.isalnum() for ch in t) and w.conf < 0.75):
        return True
    return len(t) <= 2 and w.conf < 0.25


_QUOTES = " '\"‘’‚“”„«»,.;:!?()"


def _seated(words: tuple[Word, ...], i: int) -> bool:
    """A short word of letters the engine doubts (`a` at conf 0.22 in `it was a har-`, a quoted
    `“s”` at 0.09) that
    sits between two words of its line, on their baseline, at least x-height tall and no
    further from them than a few letters: a word, not a speck. Plain `tesseract` prints it;
    dropping it loses a word of the book. Specks float off the baseline or between lines."""
    if not 0 < i < len(words) - 1:
        return False
    w, a, b = words[i], words[i - 1], words[i + 1]
    t = w.text.strip(_QUOTES)
    if not t.isalpha() or not (a.text.strip() and b.text.strip()):
        return False
    line_h = max(a.bbox.height, b.bbox.height)
    on_base = min(abs(w.bbox.y1 - a.bbox.y1), abs(w.bbox.y1 - b.bbox.y1)) <= 0.15 * line_h
    near = max(w.bbox.x0 - a.bbox.x1, b.bbox.x0 - w.bbox.x1) <= 2 * line_h
    return on_base and near and w.bbox.height >= 0.45 * line_h


_DASHES = "-–—‒―"


def _dash(w: Word, inside: bool) -> bool:
    """A dash the engine doubted (`Độc lập - Tự do`, a transcript's `area -- so`) is still
    punctuation: a thin stroke, between two words, or a run of dashes (`--` opening or closing a
    line); specks are blots or single marks at the line's edge."""
    t = w.text.strip()
    if not t or any(ch not in _DASHES for ch in t) or w.bbox.width < 4 * w.bbox.height:
        return False
    return inside or len(t) >= 2


def _lead_speck(first: Word, rest: tuple[Word, ...]) -> bool:
    """A doubtful mark before a lower-case word (`- cách xác định`, `.. Cần`) or before a
    caption (`- Hình 2.1.`) is a speck in the margin, not a list bullet: list items start with
    a capital, and a caption is never a list item."""
    specky = all(ch in "-–—.,:;'‘’`•·*+~^" for ch in first.text)  # never brackets or quotes
    if not specky or first.conf >= 0.9:
        return False
    return rest[0].text[:1].islower() or bool(
        _text.caption_match(" ".join(w.text for w in rest[:3]))
    )
