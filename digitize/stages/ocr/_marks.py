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

Reading the whole page again would cost as much as the first reading (+90 % OCR time). Each
word says which model read it (tesserocr's WordRecognitionLanguage; the CLI's hOCR `lang`,
written by the same call as its TSV), and `vie` inside `vie+eng` reads as `vie` alone: only
words another model won (`Dai`, `va`, `T6`), and words mixing digits and letters, need the
second reading (`other_model`, `candidate_runs`). Those runs of words are cropped (line
height, so marks fit), stacked on one strip and read in one call with `vie` alone
(`reread_words`): a few percent of the page's ink. Both engines take this one path, so the
in-process engine and the CLI give the same words (issue #16).

Where the `vie` reading of a re-read word differs in letters, not marks, one of the two models
is wrong though each may be sure: many such words (`CONTESTED`) make the page doubtful, and a
warning (`DISAGREE`) puts it on the report's review list.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING

from digitize import language
from digitize.lazy import lazy_module
from digitize.model import BBox, Block, Line, Word
from digitize.stages.ocr._coverage import Reader, stack
from digitize.stages.ocr._tesseract_engines import RawBlock

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported by the parent, which never runs it

VIE = "vie"
MIN_OVERLAP = 0.5  # share of the smaller box two readings of one word have in common
# A page where the two models read other letters (not other marks) for this share of its
# Vietnamese words is doubtful: one of the two readings is wrong on each. On the evalbooks and
# realscans Vietnamese pages, the share ranks pages by word error better than the mean
# confidence does, and at 3 % it picks only pages with 5 % or more words wrong.
CONTESTED = 0.03
CONTESTED_MIN = 3  # words: fewer is chance on a short page
DISAGREE = "readings disagree:"  # the warning's prefix: the report flags such pages


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


def take_word_marks(blocks: list[Block], theirs: list[Word]) -> tuple[list[Block], int]:
    """`blocks` with words of Vietnamese paragraphs given the marks `theirs` (the `vie`
    reading, loose words in page coordinates) reads at the same place; and how many words
    changed."""
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
            # only `theirs` words beside this line can share a box with its words
            near = [t for t in theirs if t.bbox.y0 < ln.bbox.y1 and t.bbox.y1 > ln.bbox.y0]
            words, n = _line_marks(ln.words, near) if near else (ln.words, 0)
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


def other_model(raw: list[RawBlock], vie: str) -> set[BBox]:
    """Boxes of the words a model other than `vie` read (the engine's raw output)."""
    return {
        BBox(float(w.box[0]), float(w.box[1]), float(w.box[2]), float(w.box[3]))
        for rb in raw
        for para in rb.paras
        for line in para
        for w in line
        if w.model and w.model != vie
    }


def _mixed(text: str) -> bool:
    """Digits and letters in one word: `T6` for Tổ, `d6` for đô (a digit read for ô)."""
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def candidate_runs(blocks: list[Block], other_model: set[BBox]) -> list[BBox]:
    """Boxes to read again with `vie`: in Vietnamese paragraphs, each run of neighbouring words
    another model read (their boxes in `other_model`) or mixing digits and letters, spanning
    the run's words across and its line's height (marks above capitals stay inside)."""
    out: list[BBox] = []
    for block, vi in zip(blocks, _langs(blocks), strict=True):
        if not vi:
            continue
        for ln in block.lines:
            run: list[Word] = []
            for w in (*ln.words, None):
                if w is not None and (w.bbox in other_model or _mixed(w.text)):
                    run.append(w)
                    continue
                if run:
                    box = BBox.enclosing([x.bbox for x in run])
                    out.append(BBox(box.x0, ln.bbox.y0, box.x1, ln.bbox.y1))
                run = []
    return out


def reread_words(
    grey: np.ndarray, blocks: list[Block], other_model: set[BBox], read: Reader
) -> tuple[list[Block], int, int, int]:
    """`blocks` with marks from `vie` re-reading only the candidate runs, stacked on one strip
    (one engine call); how many runs were read, how many words changed, and how many words
    the `vie` reading gives other letters (contested: no reading is sure)."""
    runs = candidate_runs(blocks, other_model)
    if not runs:
        return blocks, 0, 0, 0
    H, W = grey.shape
    crops = []
    for b in runs:
        # a little margin across (not into the next word), a fifth of the line's height above
        # and below: the box already holds the marks, the margin keeps them off the edge
        m = max(2, int(b.height * 0.2))
        x0, y0 = max(0, int(b.x0) - 2), max(0, int(b.y0) - m)
        x1, y1 = min(W, int(b.x1) + 3), min(H, int(b.y1) + m)
        crops.append((grey[y0:y1, x0:x1], BBox(float(x0), float(y0), float(x1), float(y1))))
    pad = max(8, int(max(b.height for b in runs) * 0.6))
    strip, places = stack(crops, pad)
    theirs: list[Word] = []
    for text, (x0, y0, x1, y1), conf in read(strip):
        cy = (y0 + y1) / 2
        for top, origin in places:
            if top <= cy < top + origin.height:
                dx, dy = origin.x0 - pad, origin.y0 - top
                box = BBox(x0 + dx, y0 + dy, x1 + dx, y1 + dy)
                theirs.append(Word(text.strip(), box, conf))
                break
    theirs = [w for w in theirs if w.text]
    out, changed = take_word_marks(blocks, theirs)
    return out, len(runs), changed, _contested(out, theirs, runs)


def _contested(blocks: list[Block], theirs: list[Word], runs: list[BBox]) -> int:
    """Words read again (inside a run) that the `vie` reading at their place reads with other
    letters, once its marks are taken. Words beside a run are not asked: a crop's margin may
    hold a sliver of them, read as a letter or two."""
    if not theirs:
        return 0
    n = 0
    for block, vi in zip(blocks, _langs(blocks), strict=True):
        for w in block.words if vi else ():
            cx, cy = (w.bbox.x0 + w.bbox.x1) / 2, (w.bbox.y0 + w.bbox.y1) / 2
            if not any(r.x0 <= cx <= r.x1 and r.y0 <= cy <= r.y1 for r in runs):
                continue
            t = _at(w.bbox, theirs)
            n += int(t is not None and t.text != w.text)
    return n


def contested_warning(contested: int, blocks: list[Block] | tuple[Block, ...]) -> tuple[str, ...]:
    """A warning when the two models read other letters for many of the page's Vietnamese
    words (`CONTESTED`): its text is doubtful though each model may be sure of its own."""
    words = sum(len(b.words) for b, vi in zip(blocks, _langs(blocks), strict=True) if vi)
    if not words or contested < CONTESTED_MIN or contested < CONTESTED * words:
        return ()
    return (
        f"{DISAGREE} the vie and eng models read {contested} of {words} Vietnamese words "
        "with other letters: check the text",
    )
