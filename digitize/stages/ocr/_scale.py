"""The scale at which Tesseract reads a page: body text a little smaller than a 300-dpi scan's.

Tesseract reads 300-dpi book type better and faster slightly reduced. Raw evalbook pages read
(vie+eng) as scanned and area-reduced to 0.85 (CER against the truth, CPU seconds per book):
vie_heavy 30.9 -> 20.0 %, mixed_heavy 36.5 -> 17.9 %, vie_light 5.3 -> 2.4 %, mixed_light
1.2 -> 0.8 %, the English books unchanged (0.35 / 0.19 %), and 5-25 % less time. Their median
letter is 26-30 px tall at 300 dpi. So the page is read reduced until its median letter is
about `letter_px` tall, never enlarged, and the word boxes are put back in page pixels.

Only the page reading is reduced: the re-reads of words, lines and cells cut their crops from
the page at full resolution.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from digitize.lazy import lazy_module
from digitize.stages.ocr._tesseract_engines import Box, RawBlock

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

LOOK_DPI = 150.0  # letters are still 13-15 px tall here: enough to measure, 4x fewer pixels
MIN_LETTERS = 50  # fewer letter-sized marks (a picture page, a title page): read as scanned
MIN_SCALE = 0.6  # large print is reduced no further


def letter_height(grey: np.ndarray, dpi: int) -> float | None:
    """Median height in page pixels of the letter-sized ink marks of `grey` (ink darker than
    the page's paper by Otsu's threshold), None on a page with too few of them."""
    s = min(1.0, LOOK_DPI / dpi)
    small = cv2.resize(grey, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else grey
    d = dpi * s
    _t, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    # a letter: 0.03-0.4 in tall, not a rule (wide) nor a thin stroke of a drawing (tall)
    letters = (h >= 0.03 * d) & (h <= 0.4 * d) & (w <= 2 * h) & (w >= 0.2 * h)
    if np.count_nonzero(letters) < MIN_LETTERS:
        return None
    return float(np.median(h[letters])) / s


def reading_scale(grey: np.ndarray, dpi: int, letter_px: float) -> float:
    """The factor (<= 1) the page is reduced by before Tesseract reads it."""
    if letter_px <= 0:
        return 1.0
    h = letter_height(grey, dpi)
    if h is None or h <= letter_px:
        return 1.0
    return max(MIN_SCALE, letter_px / h)


def reduce(pixels: np.ndarray, scale: float) -> np.ndarray:
    """`pixels` (grey or BGR) reduced by `scale`, area-averaged (contiguous, for the engine)."""
    return np.ascontiguousarray(
        cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )


def to_page(blocks: list[RawBlock], scale: float) -> list[RawBlock]:
    """The engine's blocks read on the reduced page, with boxes in page pixels again."""
    if scale == 1.0:
        return blocks

    def up(b: Box) -> Box:
        x0, y0, x1, y1 = b
        return (int(x0 / scale), int(y0 / scale), round(x1 / scale), round(y1 / scale))

    for rb in blocks:
        rb.box = up(rb.box)
        for para in rb.paras:
            for line in para:
                for i, w in enumerate(line):
                    line[i] = dataclasses.replace(w, box=up(w.box))
    return blocks
