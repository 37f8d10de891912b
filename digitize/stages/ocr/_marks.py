"""Vietnamese marks taken from a second reading with the Vietnamese model alone.

With several languages (`vie+eng`, the default) Tesseract reads each word with every model
and keeps the reading it is most sure of. The English model has no marks, and it is very sure
of mark-less syllables that are English-looking words or names: `Dai` (Đại), `va` (và), `ban`
(bản), `long` (lòng), `Ly` (Lý), and it reads ô as a digit (`T6` for Tổ, `d6` for đô). So in
Vietnamese text whole words lose their marks while the `vie` model alone reads them right
(on the evalbooks, plain `tesseract -l vie` loses 0.5 % of marked letters, `-l vie+eng` 2.5 %;
heading lines, bold or large, suffer most: `VỊ TRI DIA LÍ`, `Nha Ly doi d6`).

The page is read once more with `vie` alone; in paragraphs that are Vietnamese (by their
words, else by the page's majority), a word is replaced by the `vie` word at the same place
when the two differ only in marks (same letters and case once marks are removed), or where
ours has a digit the `vie` word has a letter (`T6`/`Tổ`). Letters are never changed otherwise,
so English words and a second reading's own mistakes in spelling cannot come in.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from digitize import language
from digitize.model import BBox, Block, Line, Word

VIE = "vie"
MIN_OVERLAP = 0.5  # share of the smaller box two readings of one word have in common


def second_language(lang: str) -> str | None:
    """The language to read again with (`vie`), when the run reads several including it."""
    langs = [x for x in lang.split("+") if x]
    return VIE if VIE in langs and len(langs) > 1 else None


def vietnamese_page(blocks: list[Block] | tuple[Block, ...]) -> bool:
    """Whether any paragraph of the page is Vietnamese: only then is a second reading useful."""
    return any(_langs(blocks))


def _langs(blocks: list[Block] | tuple[Block, ...]) -> list[bool]:
    """Per block: whether its text is Vietnamese (its own words, else the page's majority)."""
    texts = [b.text for b in blocks]
    page = language.majority(texts, ("vi", "en"))
    out = []
    for t in texts:
        g = language.guess(t)
        out.append((g or page) == "vi" if t.strip() else False)
    return out


def _bare(text: str) -> str:
    """The letters without Vietnamese marks, case kept (`Đại` -> `Dai`)."""
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def same_but_marks(ours: str, theirs: str) -> bool:
    """`theirs` is `ours` with other marks, or with marked letters where `ours` has digits
    (`T6`/`Tổ`)."""
    if ours == theirs:
        return False
    if _bare(ours) == _bare(theirs):
        return True
    a, b = unicodedata.normalize("NFC", ours), unicodedata.normalize("NFC", theirs)
    if len(a) != len(b) or not any(ch.isalpha() for ch in a):
        return False  # a number stays a number
    return all(
        _bare(x) == _bare(y) or (x.isdigit() and y.isalpha() and _bare(y) != y)
        for x, y in zip(a, b, strict=True)
    )


def _overlap(a: BBox, b: BBox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    small = min(a.width * a.height, b.width * b.height)
    return w * h / small if small > 0 else 0.0


def take_marks(blocks: list[Block], other: list[Block]) -> tuple[list[Block], int]:
    """`blocks` with words of Vietnamese paragraphs given the marks `other` (the `vie`
    reading of the same page) reads at the same place; and how many words changed."""
    theirs = [w for b in other for ln in b.lines for w in ln.words]
    if not theirs:
        return blocks, 0
    out: list[Block] = []
    changed = 0
    for block, vi in zip(blocks, _langs(blocks), strict=True):
        if not vi:
            out.append(block)
            continue
        lines = []
        for ln in block.lines:
            words, n = _line_marks(ln.words, theirs)
            changed += n
            lines.append(Line(words, ln.bbox))
        out.append(replace(block, lines=tuple(lines)))
    return out, changed


def _line_marks(words: tuple[Word, ...], theirs: list[Word]) -> tuple[tuple[Word, ...], int]:
    """One line's words with `theirs`' marks; two of ours that `theirs` reads as one word
    (`CHU ONG` for `CHƯƠNG`) become that word."""
    out: list[Word] = []
    changed = 0
    i = 0
    while i < len(words):
        w = words[i]
        if i + 1 < len(words):
            pair = w.bbox.union(words[i + 1].bbox)
            t = _at(pair, theirs)
            joined = w.text + words[i + 1].text
            if t is not None and t.text != _bare(t.text) and _bare(joined) == _bare(t.text):
                out.append(Word(t.text, pair, t.conf))
                changed += 1
                i += 2
                continue
        t = _at(w.bbox, theirs)
        if t is not None and same_but_marks(w.text, t.text):
            w = Word(t.text, w.bbox, t.conf)
            changed += 1
        out.append(w)
        i += 1
    return tuple(out), changed


def _at(box: BBox, theirs: list[Word]) -> Word | None:
    """`theirs`' word at `box` (sharing most of the smaller box), if any."""
    best = max(theirs, key=lambda t: _overlap(box, t.bbox))
    return best if _overlap(box, best.bbox) >= MIN_OVERLAP else None
