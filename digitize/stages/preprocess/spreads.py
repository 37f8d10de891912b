"""Split a two-page spread (one scan of an open book) into its left and right pages.

A spread is recognised by its shape (wider than tall) AND a clear gutter near the middle: a
band of columns free of text that is either wide (two inner margins side by side) or darkened
by the fold's shadow. The cut goes through the darkest column of that band (the fold) or its
centre when there is no shadow, never simply at the middle: books are rarely scanned centred.
Thin tall ink (the fold's own line, a ruler) is ignored when looking for text.

`process_page` returns a tuple of two pages (left first) for a spread, or the page itself; the
runner re-indexes pages afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from digitize.lazy import lazy_module
from digitize.model import Page
from digitize.stage import Context, opt
from digitize.stages.preprocess import _common as c

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")


@dataclass(frozen=True, slots=True)
class SpreadsOptions:
    min_aspect: float = opt(1.1, "only images at least this much wider than tall may be spreads")
    band: float = opt(
        0.2, "search the gutter within this fraction of the width either side of centre"
    )
    min_gap: float = opt(0.5, "an unshaded gutter must be at least this wide, inches")
    min_shaded_gap: float = opt(
        0.08, "a gutter darkened by the fold's shadow: minimum width, inches"
    )


@dataclass(frozen=True, slots=True)
class Gutter:
    x: int  # the cut, in image columns
    width: int  # width of the text-free band, pixels
    shaded: bool


def _text_mask(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Ink mask without tall narrow components that would hide the gutter: the fold's line, its
    shadow's dark core (the local threshold sees it as ink), vertical rules.
    """
    ink = c.ink_mask(gray, dpi)
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tall = stats[:, cv2.CC_STAT_HEIGHT] > 0.25 * gray.shape[0]
    thin = stats[:, cv2.CC_STAT_WIDTH] < 0.6 * dpi
    drop = tall & thin
    drop[0] = True
    return ~drop[labels] & (ink > 0)


def find_gutter(gray: np.ndarray, dpi: int, opts: SpreadsOptions) -> Gutter | None:
    _h, w = gray.shape
    text = _text_mask(gray, dpi)
    ink = text.mean(axis=0)  # fraction of rows with text ink, per column
    k = max(3, int(0.03 * dpi) | 1)
    ink = np.convolve(ink, np.ones(k) / k, mode="same")
    lo, hi = int(w * (0.5 - opts.band)), int(w * (0.5 + opts.band))
    body = ink[ink > 0.002]
    if body.size == 0:
        return None
    empty = ink < max(0.002, 0.05 * float(np.median(body)))
    # Runs of empty columns overlapping the search band.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], empty.astype(np.int8), [0]])))
    runs = [(s, e) for s, e in zip(edges[::2], edges[1::2], strict=True) if e > lo and s < hi]
    runs = [(s, e) for s, e in runs if s > 0 and e < w]  # not the outer margins
    if not runs:
        return None
    colmean = gray.astype(np.float32).mean(axis=0)
    paper = float(np.percentile(colmean, 90))
    best: Gutter | None = None
    for s, e in runs:
        seg = colmean[s:e]
        dark = int(np.argmin(seg))
        shaded = seg[dark] < 0.85 * paper
        need = opts.min_shaded_gap if shaded else opts.min_gap
        if e - s < need * dpi:
            continue
        x = s + dark if shaded else (s + e) // 2
        if not lo <= x <= hi:
            continue
        # Both halves must carry text: an empty half means one page with a wide margin.
        if (
            text[:, :x].sum() < 0.1 * text[:, x:].sum()
            or text[:, x:].sum() < 0.1 * text[:, :x].sum()
        ):
            continue
        cand = Gutter(int(x), int(e - s), bool(shaded))
        if best is None or (cand.shaded, cand.width) > (best.shaded, best.width):
            best = cand
    return best


class Spreads(c.PreprocessStage[SpreadsOptions]):
    name = "preprocess.spreads"
    version = "1"
    Options = SpreadsOptions
    summary = "Split two-page spreads at the gutter (found, not assumed) into two pages"

    def clean(
        self, page: Page, ctx: Context, img: np.ndarray, data: str
    ) -> Page | tuple[Page, ...]:
        h, w = img.shape[:2]
        if w < self.options.min_aspect * h:
            return c.noted(page)
        dpi = c.page_dpi(page, ctx)
        gutter = find_gutter(c.to_gray(img), dpi, self.options)
        if gutter is None:
            return c.noted(page, "spreads: wide page but no clear gutter; kept as one page")
        left = c.updated(self, page, ctx, img[:, : gutter.x], data, suffix="left")
        right = c.updated(self, page, ctx, img[:, gutter.x :], data, suffix="right")
        return left, replace(right, index=page.index + 1)
