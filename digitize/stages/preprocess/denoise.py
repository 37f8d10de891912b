"""Remove scanner speckle without eating diacritics or punctuation.

A median filter would erase the dot of an "i", a Vietnamese "ạ" or a full stop. Instead we look
at connected ink components: a component is speckle only if it is both tiny (area below a
dpi-scaled limit) and far from any real glyph (not within a dpi-scaled distance of a larger
component, or inside a text line's extent). Diacritics and punctuation always sit next to
letters or within a line, so they survive.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from digitize.model import Page
from digitize.stage import Context, PageStage, opt
from digitize.stages.preprocess import _common as c

LINE_GAP_IN = 2.0  # widest gap between two glyphs of one text line, inches
CHAIN_IN = 0.2  # widest step between two dots of a leader or an ellipsis, inches
MAX_CHAIN_MARKS = 3000  # above this many small marks the page is noise: no chains followed


def _chained(
    stats: np.ndarray, cents: np.ndarray, small: np.ndarray, seeds: np.ndarray, step: float
) -> np.ndarray:
    """Small marks in a row of at least three look-alikes on one baseline, one of which is a
    seed (beside a glyph): the dots of "..." or of a contents leader trailing off a line.
    Random speckle rarely lines up like that (same size, same height within a pixel or two).
    """
    ids = np.flatnonzero(small)
    out = np.zeros_like(small)
    if len(ids) < 3 or len(ids) > MAX_CHAIN_MARKS:
        return out
    cx, cy = cents[ids, 0], cents[ids, 1]
    area = stats[ids, cv2.CC_STAT_AREA].astype(np.float64)
    h = stats[ids, cv2.CC_STAT_HEIGHT].astype(np.float64)
    ratio = area[:, None] / area[None, :]
    adj = (
        (np.abs(cx[:, None] - cx[None, :]) <= step)
        & (np.abs(cy[:, None] - cy[None, :]) <= np.maximum(1.5, 0.25 * h[:, None]))
        & (ratio <= 1.6)
        & (ratio >= 1 / 1.6)
    )
    # Connected groups by min-label propagation (groups are short rows: few rounds).
    group = np.arange(len(ids))
    big = len(ids)
    for _ in range(len(ids)):
        nxt = np.minimum(group, np.where(adj, group[None, :], big).min(axis=1))
        if (nxt == group).all():
            break
        group = nxt
    size = np.bincount(group, minlength=len(ids))
    seeded = np.bincount(group, weights=seeds[ids].astype(np.float64), minlength=len(ids)) > 0
    out[ids] = (size[group] >= 3) & seeded[group]
    return out


@dataclass(frozen=True, slots=True)
class DenoiseOptions:
    max_area: float = opt(
        0.0004, "largest speckle removed, square inches (0.0004 in² ≈ 36 px at 300 dpi)"
    )
    distance: float = opt(
        0.03, "speckle this close (inches) above/below a glyph is kept: it may be a diacritic"
    )
    side_distance: float = opt(
        0.08, "speckle this close (inches) beside a glyph is kept: a full stop, comma or colon"
    )


def speckle_mask(
    gray: np.ndarray, dpi: int, max_area_in2: float, dist_in: float, side_in: float
) -> np.ndarray:
    """Boolean mask of the speckle pixels to whiten."""
    ink = c.ink_mask(gray, dpi)
    n, labels, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    small = area <= max_area_in2 * dpi * dpi
    small[0] = False  # label 0 is the background
    big = ~small
    big[0] = False
    glyphs = big[labels].astype(np.uint8)
    # Only letter-sized components span a text line; rules, frames and page edges must not,
    # or the whole margin beside them would count as "inside a line".
    letter = big & (stats[:, cv2.CC_STAT_HEIGHT] < 0.4 * dpi) & (stats[:, cv2.CC_STAT_WIDTH] < dpi)
    letters = letter[labels].astype(np.uint8)
    # A text line's gaps (between words, along "....." leaders) count as text too: close the
    # glyph mask along rows, so the dots of an ellipsis or a contents leader are never "far".
    k = max(3, int(LINE_GAP_IN * dpi))
    row = cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))
    # Pad with empty paper first: OpenCV's default border would let the closing fill the margin
    # from the text out to the image edge.
    padded = cv2.copyMakeBorder(letters, 0, 0, k, k, cv2.BORDER_CONSTANT, value=0)
    glyphs |= cv2.morphologyEx(padded, cv2.MORPH_CLOSE, row)[:, k:-k]
    # Wider sideways: in a monospaced (typewriter) face a full stop sits mid-cell, well clear of
    # the letter before it.
    ry, rx = max(1, round(dist_in * dpi)), max(1, round(side_in * dpi))
    near = cv2.dilate(
        glyphs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rx + 1, 2 * ry + 1))
    )
    kept = (np.bincount(labels[near > 0], minlength=n) > 0) | big
    kept[0] = False
    # Seeds for rows of dots: marks on a glyph's baseline within CHAIN_IN beside it.
    wide = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * int(CHAIN_IN * dpi) + 1, 2 * ry + 1))
    seeds = np.bincount(labels[cv2.dilate(glyphs, wide) > 0], minlength=n) > 0
    kept |= _chained(stats, cents, small, seeds & small, CHAIN_IN * dpi)
    remove = small & ~kept
    mask = remove[labels].astype(np.uint8)
    # One pixel more takes the anti-aliased grey rim the threshold left behind.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0


class Denoise(PageStage[DenoiseOptions]):
    kind = "preprocess"
    name = "preprocess.denoise"
    version = "2"
    Options = DenoiseOptions
    summary = "Remove isolated speckle, keeping diacritics and punctuation near letters"

    def process_page(self, page: Page, ctx: Context) -> Page:
        if c.should_skip(page):
            return page
        img, data = c.read_image(page, ctx)
        dpi = c.page_dpi(page, ctx)
        gray = c.to_gray(img)
        o = self.options
        mask = speckle_mask(gray, dpi, o.max_area, o.distance, o.side_distance)
        if not mask.any():
            return c.noted(self, page)
        # Fill with the paper's own tone (per channel), not pure white.
        paper = np.percentile(img.reshape(-1, 1 if img.ndim == 2 else img.shape[2]), 90, axis=0)
        out = img.copy()
        out[mask] = paper.astype(np.uint8) if out.ndim == 3 else np.uint8(paper[0])
        return c.updated(self, page, ctx, out, data)
