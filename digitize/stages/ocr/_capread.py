"""Drop caps the OCR did not read: the chapter's first letter, set through two or three lines.

Tesseract's models know letters of ordinary size; a capital five times the body's height is
no letter to them, so the `vie` model reports nothing there (English sometimes reads it). What
holds in any book: a drop cap is one piece of ink no word covers, two or three body lines
tall and about a letter wide, its top level with the top of the first of the lines that start
just right of it. Such a piece is cut out, scaled down to the body's size and read as one
line; a single capital read there becomes a word of its own, which `layout._dropcap` puts back
in front of the first word beside it. A word of that size and place that the OCR did read,
but as no capital (`k` for K, `VW` for W), is read again the same way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path
from statistics import median
from typing import Any

from digitize.model import BBox, Block, Line, Word, nfc
from digitize.stages._grids import ink_threshold
from digitize.stages.ocr._rescale import Reader, Word3, read_crop
from digitize.text import lone_capital

TALL = (1.8, 5.0)  # a drop cap's height in body line heights: two lines at least, few more
NARROW = 0.3  # the least width of a letter (an I), in body line heights
WIDE = 1.4  # the most width of a letter (a W, an M), in its own heights
PUNCTUATION = "\"“”'‘’.,:;!?-–—()[]|/"
# Every capital a Latin or Vietnamese drop cap may be; the engine reads the crop with no other
# character allowed (a lone wide W comes out `WwW` otherwise).
CAPITALS = "".join(
    dict.fromkeys(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZĐ"
        + "".join(
            unicodedata.normalize("NFC", v + tone)
            for v in "AĂÂEÊIOÔƠUƯY"
            for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
        )
    )
)
SIZES = (0.8, 0.55)  # cap heights, in body line heights, at which a letter is read
SURE = 0.5  # the least confidence (0..1) a letter read at body size needs


def read_drop_caps(blocks: list[Block], grey: Any, read: Reader, work_dir: Path) -> list[Block]:
    """`blocks` and a one-word block for each drop cap read (see the module doc); `grey` is
    the page's pixels, one channel."""
    lines = [ln for b in blocks for ln in b.lines if ln.words]
    if len(lines) < 5:
        return blocks
    body = float(median(ln.bbox.height for ln in lines))
    import cv2
    import numpy as np

    pixels = np.asarray(grey)
    words = [w.bbox for ln in lines for w in ln.words]

    def letter_at(box: BBox) -> tuple[str, float] | None:
        """The capital read on `box` scaled to body size, the words around it wiped: slivers
        of them in the crop's margin make Tesseract read nothing or `W:`."""
        from PIL import Image

        pad = int(0.3 * box.height) + 2
        x0, y0 = max(0, int(box.x0) - pad), max(0, int(box.y0) - pad)
        part = pixels[y0 : int(box.y1) + pad + 1, x0 : int(box.x1) + pad + 1].copy()
        for w in words:
            if w != box:
                part[
                    max(0, int(w.y0) - y0) : max(0, int(w.y1) + 1 - y0),
                    max(0, int(w.x0) - x0) : max(0, int(w.x1) + 1 - x0),
                ] = 255
        inner = BBox(box.x0 - x0, box.y0 - y0, box.x1 - x0, box.y1 - y0)
        crop = Image.fromarray(part)
        for size in SIZES:  # a lone wide letter may come out doubled (`WwW`) at one size
            got = _letter(read_crop(crop, inner, size * body / box.height, read, work_dir))
            if got is not None:
                return got
        return None

    blocks = _reread_tall_words(blocks, lines, body, letter_at)
    lines = [ln for b in blocks for ln in b.lines if ln.words]
    # A drop cap is several lines tall: looking for it at half resolution loses nothing and
    # costs a quarter (this runs on every page).
    half = pixels[::2, ::2]
    ink = np.asarray(half < ink_threshold(half, 160), dtype=np.uint8)
    for b in (w.bbox for ln in lines for w in ln.words):  # what the words explain
        ink[
            max(0, int(b.y0) // 2 - 1) : int(b.y1) // 2 + 2,
            max(0, int(b.x0) // 2 - 1) : int(b.x1) // 2 + 2,
        ] = 0
    pictures = [b.bbox for b in blocks if not b.lines]
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    out = list(blocks)
    for i in range(1, n):
        x, y, wide, h, _area = (2 * int(v) for v in stats[i])
        box = BBox(float(x), float(y), float(x + wide), float(y + h))
        if not _drop_cap_size(box, body):
            continue
        if any(box.overlaps(p) for p in pictures) or any(box.overlaps(ln.bbox) for ln in lines):
            continue
        if not _lines_beside(box, [ln.bbox for ln in lines], body):
            continue
        letter = letter_at(box)
        if letter is not None:
            word = Word(letter[0], box, letter[1])
            out.append(Block("paragraph", (Line((word,), box),), box))
    return out


def _drop_cap_size(box: BBox, body: float) -> bool:
    tall = TALL[0] * body <= box.height <= TALL[1] * body
    return tall and NARROW * body <= box.width <= WIDE * box.height


def _lines_beside(box: BBox, lines: list[BBox], body: float) -> bool:
    """Two or more lines start just right of `box`, the first level with its top."""
    beside = [
        b
        for b in lines
        if box.x1 <= b.x0 < box.x1 + 2.5 * body and box.y0 - 0.5 * body < b.cy < box.y1
    ]
    return len(beside) >= 2 and abs(min(b.y0 for b in beside) - box.y0) <= 0.7 * body


def _reread_tall_words(
    blocks: list[Block], lines: list[Line], body: float, letter_at: Any
) -> list[Block]:
    """Blocks where the first word of a line, drop-cap sized and placed but read as no single
    capital, takes the capital its crop reads at body size (its box is kept)."""
    out = []
    for b in blocks:
        new_lines = []
        for ln in b.lines:
            new_lines.append(_with_capital(ln, lines, body, letter_at))
        out.append(replace(b, lines=tuple(new_lines)))
    return out


def _with_capital(ln: Line, lines: list[Line], body: float, letter_at: Any) -> Line:
    """`ln`, its first word replaced by the capital read on it if that word is a misread drop
    cap: drop-cap sized, at most three characters with a letter and no digit, two or more
    lines beside it."""
    if not ln.words:
        return ln
    w = ln.words[0]
    if len(w.text) > 3 or lone_capital(w.text) or not _drop_cap_size(w.bbox, body):
        return ln
    # A big number (a chapter's `1`) is no misread letter; read as capitals only, it would be `I`.
    if any(ch.isdigit() for ch in w.text) or not any(ch.isalpha() for ch in w.text):
        return ln
    others = [x.bbox for x in lines if x is not ln]
    if len(ln.words) > 1:  # the letter's own line, beside it with its other words
        others.append(BBox.enclosing([x.bbox for x in ln.words[1:]]))
    if not _lines_beside(w.bbox, others, body):
        return ln
    letter = letter_at(w.bbox)
    if letter is None:
        return ln
    return replace(ln, words=(replace(w, text=letter[0], conf=letter[1]), *ln.words[1:]))


def _letter(got: list[Word3]) -> tuple[str, float] | None:
    """The one capital read, with its confidence (0..1), or None. Signs at its ends go: the
    crop's margin may catch a sliver of the next word (`W:`) or an opening quote."""
    if len(got) != 1:
        return None
    text, _, conf = got[0]
    t = nfc("".join(text.split()).strip(PUNCTUATION))
    if len(t) != 1 or not t.isalpha() or not t.isupper() or conf / 100 < SURE:
        return None
    return t, conf / 100
