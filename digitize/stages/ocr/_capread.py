"""Drop caps the OCR did not read: the chapter's first letter, set through two or three lines.

Tesseract's models know letters of ordinary size; a capital five times the body's height is
no letter to them, so the `vie` model reports nothing there (English sometimes reads it). What
holds in any book: a drop cap is one piece of ink no word covers, two or three body lines
tall and about a letter wide, its top level with the top of the first of the lines that start
just right of it. Such a piece is cut out, scaled down to the body's size and read as one
line; a single capital read there becomes a word of its own, which `layout._dropcap` puts back
in front of the first word beside it.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

from digitize.model import BBox, Block, Line, Word, nfc
from digitize.stages._grids import ink_threshold
from digitize.stages.ocr._rescale import Reader, read_crop

TALL = (1.8, 5.0)  # a drop cap's height in body line heights: two lines at least, few more
WIDE = (0.3, 3.5)  # ...and its width
SURE = 0.5  # the least confidence (0..1) a letter read at body size needs


def read_drop_caps(blocks: list[Block], image: Path, read: Reader, work_dir: Path) -> list[Block]:
    """`blocks` and a one-word block for each drop cap read (see the module doc)."""
    lines = [ln for b in blocks for ln in b.lines if ln.words]
    if len(lines) < 5:
        return blocks
    body = float(median(ln.bbox.height for ln in lines))
    import cv2
    import numpy as np
    from PIL import Image

    with Image.open(image) as im:
        gray = im.convert("L")
    pixels = np.asarray(gray)
    ink = np.asarray(pixels < ink_threshold(pixels, 160), dtype=np.uint8)
    for b in (w.bbox for ln in lines for w in ln.words):  # what the words explain
        ink[max(0, int(b.y0) - 2) : int(b.y1) + 3, max(0, int(b.x0) - 2) : int(b.x1) + 3] = 0
    pictures = [b.bbox for b in blocks if not b.lines]
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    out = list(blocks)
    for i in range(1, n):
        x, y, wide, h, _area = (int(v) for v in stats[i])
        box = BBox(float(x), float(y), float(x + wide), float(y + h))
        if not (TALL[0] * body <= h <= TALL[1] * body and WIDE[0] * body <= wide <= WIDE[1] * body):
            continue
        if any(_meets(box, p) for p in pictures) or any(_meets(box, ln.bbox) for ln in lines):
            continue
        beside = [
            ln
            for ln in lines
            if box.x1 <= ln.bbox.x0 < box.x1 + 2.5 * body
            and box.y0 - 0.5 * body < ln.bbox.cy < box.y1
        ]
        if len(beside) < 2 or abs(min(ln.bbox.y0 for ln in beside) - box.y0) > 0.7 * body:
            continue
        letter = _letter(read_crop(gray, box, 0.8 * body / h, read, work_dir))
        if letter is not None:
            word = Word(letter[0], box, letter[1])
            out.append(Block("paragraph", (Line((word,), box),), box))
    return out


def _letter(got: list[tuple[str, tuple[int, int, int, int], float]]) -> tuple[str, float] | None:
    """The one capital read, with its confidence (0..1), or None."""
    if len(got) != 1:
        return None
    text, _, conf = got[0]
    t = nfc(text.strip().strip("\"“'‘"))
    if len(t) != 1 or not t.isalpha() or not t.isupper() or conf / 100 < SURE:
        return None
    return t, conf / 100


def _meets(a: BBox, b: BBox) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)
