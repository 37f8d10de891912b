"""A ~15 ms test that a page is upright, so the ~250 ms orientation detection (OSD) can be skipped.

Two facts about upright Latin-script text (Vietnamese included), read from the ink's projection
profile at ~150 dpi:

1. Text lines are horizontal: the row profile (searched within ±4° for skew) is far sharper than
   the column profile. A page turned 90° fails this.
2. Lines are top-heavy: within each line, more ink lies above the x-height band (ascenders,
   capitals, and Vietnamese tone marks) than below the baseline (descenders). A page turned 180°
   has it the other way round. On the synthetic corpus and the sample book the upright ratio is
   1.4-3000, the upside-down one 0.01-1.1; we demand 1.6 and six lines, or twice that ratio on
   a short page of three to five lines (a chapter's last lines), and send everything else to
   OSD: a false "upright" would leave a page upside down, a false "unsure" only costs one OSD
   run (~250 ms, a page in 16 of the bench book).

Specks (marks of up to 4 px at 150 dpi) are dropped from the ink first. Without that, a heavy
scan's speckle flattened the row profile, so upright heavy pages went to OSD (2 of the bench's
8), and one speckled synthetic page turned 180° reached a ratio of 2.3 and passed as upright.
Checked on every page we have (the synthetic corpus, the bench books, the evaluation books and
the real scans: 186 pages, each turned 90°, 180° and 270°): with the specks dropped none of the
558 turned pages passes, the highest upside-down ratio is 1.25, and 173 of the 186 upright
pages pass (167 before).
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

MIN_SHARPNESS = 2.5  # row-profile sharpness / column-profile sharpness
MIN_TOP_HEAVY = 1.6  # ink above the x-height band / ink below the baseline
MIN_LINES = 6
MIN_LINES_SHORT = 3  # a short page passes on MIN_TOP_HEAVY_SHORT
MIN_TOP_HEAVY_SHORT = 2 * MIN_TOP_HEAVY
MAX_POINTS = 150_000
SPECK_PX = 4  # px at 150 dpi (16 at 300): a speck, or a dot too small to tell up from down


def _profile(along: np.ndarray, across: np.ndarray, angle_deg: float) -> np.ndarray:
    a = np.deg2rad(angle_deg)
    p = across * np.float32(np.cos(a)) + along * np.float32(np.sin(a))
    return np.bincount((p - p.min()).astype(np.int32)).astype(np.float32)


def _sharpness(h: np.ndarray) -> float:
    d = np.diff(h)
    return float(np.dot(d, d))


def _ink_points(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """(ys, xs) of the page's ink, without its specks (marks of up to SPECK_PX at 150 dpi): a
    speckled scan's noise flattens the row profile and, where specks line up under a row, makes
    an upside-down page look top-heavy."""
    ink = c.ink_mask(gray, dpi)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    ys, xs = np.nonzero(ink)
    if n < 2:
        return ys, xs
    speck = stats[:, cv2.CC_STAT_AREA] <= max(1, round(SPECK_PX * (dpi / 150.0) ** 2))
    keep = ~speck[labels[ys, xs]]
    return ys[keep], xs[keep]


def line_stats(gray: np.ndarray, dpi: int) -> tuple[float, int, float]:
    """(row/column profile sharpness ratio, number of text lines, top/bottom ink ratio)."""
    scale = min(1.0, 150.0 / dpi)
    small = (
        cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if scale < 1.0
        else gray
    )
    ys, xs = _ink_points(small, max(1, int(dpi * scale)))
    if len(xs) < 500:
        return 0.0, 0, 0.0
    if len(xs) > MAX_POINTS:
        stride = len(xs) // MAX_POINTS + 1
        ys, xs = ys[::stride], xs[::stride]
    fx, fy = xs.astype(np.float32), ys.astype(np.float32)
    angles = np.arange(-4.0, 4.01, 0.5)
    rows = [_sharpness(_profile(fx, fy, a)) for a in angles]
    cols = max(_sharpness(_profile(fy, fx, a)) for a in angles)
    best = int(np.argmax(rows))
    h = _profile(fx, fy, float(angles[best]))
    on = np.concatenate([[0], (h > 0.08 * np.percentile(h[h > 0], 95)).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(on))
    top = bottom = 0.0
    lines = 0
    for s, e in zip(edges[::2], edges[1::2], strict=True):
        if e - s < 4:  # a rule or a row of specks, not a line of text
            continue
        seg = h[s:e]
        core = np.flatnonzero(seg >= 0.5 * seg.max())
        top += float(seg[: core[0]].sum())
        bottom += float(seg[core[-1] + 1 :].sum())
        lines += 1
    return rows[best] / max(cols, 1.0), lines, top / max(bottom, 1.0)


def looks_upright(gray: np.ndarray, dpi: int) -> bool:
    sharp, lines, top_heavy = line_stats(gray, dpi)
    if sharp < MIN_SHARPNESS:
        return False
    if lines >= MIN_LINES:
        return top_heavy >= MIN_TOP_HEAVY
    return lines >= MIN_LINES_SHORT and top_heavy >= MIN_TOP_HEAVY_SHORT
