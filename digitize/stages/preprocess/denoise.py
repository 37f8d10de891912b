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


@dataclass(frozen=True, slots=True)
class DenoiseOptions:
    max_area: float = opt(
        0.0004, "largest speckle removed, square inches (0.0004 in² ≈ 36 px at 300 dpi)"
    )
    distance: float = opt(0.03, "speckle this close to a glyph (inches) is kept: it may be a mark")


def speckle_mask(gray: np.ndarray, dpi: int, max_area_in2: float, dist_in: float) -> np.ndarray:
    """Boolean mask of the speckle pixels to whiten."""
    ink = c.ink_mask(gray, dpi)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
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
    r = max(1, round(dist_in * dpi))
    near = cv2.dilate(glyphs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    touched = np.bincount(labels[near > 0], minlength=n) > 0
    remove = small & ~touched
    mask = remove[labels].astype(np.uint8)
    # One pixel more takes the anti-aliased grey rim the threshold left behind.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0


class Denoise(PageStage[DenoiseOptions]):
    kind = "preprocess"
    name = "preprocess.denoise"
    version = "1"
    Options = DenoiseOptions
    summary = "Remove isolated speckle, keeping diacritics and punctuation near letters"

    def process_page(self, page: Page, ctx: Context) -> Page:
        if c.should_skip(page):
            return page
        img, data = c.read_image(page, ctx)
        dpi = c.page_dpi(page, ctx)
        gray = c.to_gray(img)
        mask = speckle_mask(gray, dpi, self.options.max_area, self.options.distance)
        if not mask.any():
            return c.noted(self, page)
        # Fill with the paper's own tone (per channel), not pure white.
        paper = np.percentile(img.reshape(-1, 1 if img.ndim == 2 else img.shape[2]), 90, axis=0)
        out = img.copy()
        out[mask] = paper.astype(np.uint8) if out.ndim == 3 else np.uint8(paper[0])
        return c.updated(self, page, ctx, out, data)
