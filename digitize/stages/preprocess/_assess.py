"""Cheap measurements of a page, on a downscaled copy, that tell a cleanup stage whether the
page needs it at all: a page that needs no cleaning should cost almost nothing to clean.

Each measurement costs a fraction of the cleanup it gates (isolated speckle at ~150 dpi: about
a sixth of `preprocess.denoise` at 300 dpi), and is written into the page's step note, so the
report says why a stage ran or not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from digitize.lazy import lazy_module
from digitize.stages.preprocess import _common as c

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

SPECK_AREA = 0.0004  # in²: the largest speck (~36 px at 300 dpi); denoise's default
SPECK_REACH = 0.08  # in: a mark this close beside a glyph is punctuation, not a speck
ASSESS_DPI = 150.0  # a 300 dpi speck of 0.0004 in² (36 px) is still ~9 px here


def downscaled(gray: np.ndarray, dpi: int, to_dpi: float) -> tuple[np.ndarray, float]:
    """`gray` at about `to_dpi` (area-averaged; never enlarged) and its resolution."""
    s = min(1.0, to_dpi / dpi)
    if s == 1.0:
        return gray, float(dpi)
    return cv2.resize(gray, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), dpi * s


def speckle_density(gray: np.ndarray, dpi: int, max_area_in2: float, reach_in: float) -> float:
    """Isolated specks per square inch of page: marks of ink no bigger than `max_area_in2`
    with no larger mark within `reach_in` inches (a diacritic or a full stop always has one).
    The same test `preprocess.denoise` makes, at ~150 dpi and without its finer exceptions
    (rows of dots), so it estimates how much speckle there is, not exactly which."""
    small, d = downscaled(gray, dpi, ASSESS_DPI)
    ink = c.ink_mask(small, int(d))
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tiny = stats[:, cv2.CC_STAT_AREA] <= max(2.0, max_area_in2 * d * d)
    tiny[0] = False
    if not tiny.any():
        return 0.0
    big = ~tiny
    big[0] = False
    r = max(1, round(reach_in * d))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    near = cv2.integral(cv2.dilate(np.take(big.astype(np.uint8), np.asarray(labels)), disc))
    x0, y0 = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x1, y1 = x0 + stats[:, cv2.CC_STAT_WIDTH], y0 + stats[:, cv2.CC_STAT_HEIGHT]
    beside = (near[y1, x1] - near[y0, x1] - near[y1, x0] + near[y0, x0]) > 0
    h, w = gray.shape
    return float(np.count_nonzero(tiny & ~beside)) / (h * w / (dpi * dpi))
