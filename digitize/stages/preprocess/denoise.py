"""Remove scanner speckle without eating diacritics or punctuation.

A median filter would erase the dot of an "i", a Vietnamese "ạ" or a full stop. Instead we look
at connected ink components: a component is speckle only if it is both tiny (area below a
dpi-scaled limit) and far from any real glyph (not within a dpi-scaled distance of a larger
component, or inside a text line's extent). Diacritics and punctuation always sit next to
letters or within a line, so they survive.

In `auto` mode a page is measured first (`_assess.speckle_density`, at ~150 dpi, a sixth of the
cleanup's cost): a page with less than `min_specks` isolated specks per square inch (a clean
scan, a render) is left as it is, and its step note says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from digitize.lazy import lazy_module
from digitize.model import Page
from digitize.stage import Context, opt
from digitize.stages.preprocess import _assess
from digitize.stages.preprocess import _common as c

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

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
    # Candidate pairs: marks sorted by vertical position, each paired with those whose centre
    # is within its reach up or down (a row of dots shares a baseline), then filtered by
    # sideways step and size likeness. Windows along x instead paired every mark with the
    # whole column band beside it: 700k pairs and 17 ms on a speckled page, now ~1 ms.
    h = stats[ids, cv2.CC_STAT_HEIGHT].astype(np.float64)
    order = np.argsort(cents[ids, 1], kind="stable")
    ids, reach = ids[order], np.maximum(1.5, 0.25 * h[order])
    cx, cy = cents[ids, 0], cents[ids, 1]
    area = stats[ids, cv2.CC_STAT_AREA].astype(np.float64)
    n = len(ids)
    lo = np.searchsorted(cy, cy - reach, "left")
    hi = np.searchsorted(cy, cy + reach, "right")
    counts = hi - lo
    ii = np.repeat(np.arange(n), counts)
    jj = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    jj += np.repeat(lo, counts)
    ratio = area[ii] / area[jj]
    ok = (np.abs(cx[ii] - cx[jj]) <= step) & (ratio <= 1.6) & (ratio >= 1 / 1.6)
    ii, jj = ii[ok], jj[ok]  # still sorted by ii
    # Connected groups: each mark takes the least label among its pairs, then its label's
    # label (pointer jumping), until nothing changes.
    group = np.arange(n)
    if len(ii):
        starts = np.flatnonzero(np.r_[True, ii[1:] != ii[:-1]])
        nodes = ii[starts]
        while True:
            nxt = group.copy()
            nxt[nodes] = np.minimum(group[nodes], np.minimum.reduceat(group[jj], starts))
            nxt = nxt[nxt]
            if (nxt == group).all():
                break
            group = nxt
    size = np.bincount(group, minlength=n)
    seeded = np.bincount(group, weights=seeds[ids].astype(np.float64), minlength=n) > 0
    out[ids] = (size[group] >= 3) & seeded[group]
    return out


@dataclass(frozen=True, slots=True)
class DenoiseOptions:
    mode: Literal["auto", "on", "off"] = opt("auto", c.MODE_HELP)
    min_specks: float = opt(
        1.0, "auto: clean only pages with at least this many isolated specks per square inch"
    )
    max_area: float = opt(
        _assess.SPECK_AREA, "largest speckle removed, square inches (0.0004 in² ≈ 36 px at 300 dpi)"
    )
    distance: float = opt(
        0.03, "speckle this close (inches) above/below a glyph is kept: it may be a diacritic"
    )
    side_distance: float = opt(
        _assess.SPECK_REACH,
        "speckle this close (inches) beside a glyph is kept: a full stop, comma or colon",
    )


def _pool_x(mask: np.ndarray, f: int) -> np.ndarray:
    """0/1 mask -> any-of-`f`-columns at 1/f horizontal resolution (an area resize is a fast
    box sum; anything above zero had a set pixel)."""
    if f == 1:
        return mask
    h, w = mask.shape
    pad = (-w) % f
    if pad:
        mask = cv2.copyMakeBorder(mask, 0, 0, 0, pad, cv2.BORDER_CONSTANT, value=0)
    small = cv2.resize(mask * np.uint8(255), ((w + pad) // f, h), interpolation=cv2.INTER_AREA)
    return (small > 0).astype(np.uint8)


def _any_in_boxes(mask: np.ndarray, stats: np.ndarray, f: int) -> np.ndarray:
    """Per component: does `mask` (pooled by `f` in x) hold any pixel within its bounding box?"""
    ii = cv2.integral((mask > 0).astype(np.uint8))
    x0 = stats[:, cv2.CC_STAT_LEFT] // f
    x1 = (stats[:, cv2.CC_STAT_LEFT] + stats[:, cv2.CC_STAT_WIDTH] - 1) // f + 1
    y0 = stats[:, cv2.CC_STAT_TOP]
    y1 = y0 + stats[:, cv2.CC_STAT_HEIGHT]
    return (ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]) > 0


def _paint(per_label: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """0/1 image: each pixel takes its component's flag (`take` is twice as fast as indexing)."""
    return np.take(per_label.astype(np.uint8), labels)


def speckle_mask(
    gray: np.ndarray, dpi: int, max_area_in2: float, dist_in: float, side_in: float
) -> np.ndarray:
    """Boolean mask of the speckle pixels to whiten.

    The "near a glyph" tests run on masks pooled to 1/3 horizontal resolution at 300 dpi (a
    pixel there is 0.01 in wide, far below the distances involved) and test each small mark's
    bounding box, so the wide closing and dilations cost a ninth of full resolution.
    """
    ink = c.ink_mask(gray, dpi)
    _n, labels, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    small = area <= max_area_in2 * dpi * dpi
    small[0] = False  # label 0 is the background
    if not small.any():
        return np.zeros(gray.shape, bool)
    big = ~small
    big[0] = False
    f = max(1, dpi // 100)
    glyphs = _pool_x(_paint(big, labels), f)
    # Only letter-sized components span a text line; rules, frames and page edges must not,
    # or the whole margin beside them would count as "inside a line".
    letter = big & (stats[:, cv2.CC_STAT_HEIGHT] < 0.4 * dpi) & (stats[:, cv2.CC_STAT_WIDTH] < dpi)
    letters = _pool_x(_paint(letter, labels), f)
    # A text line's gaps (between words, along "....." leaders) count as text too: close the
    # glyph mask along rows, so the dots of an ellipsis or a contents leader are never "far".
    k = max(3, int(LINE_GAP_IN * dpi / f))
    row = cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))
    # Pad with empty paper first: OpenCV's default border would let the closing fill the margin
    # from the text out to the image edge.
    padded = cv2.copyMakeBorder(letters, 0, 0, k, k, cv2.BORDER_CONSTANT, value=0)
    glyphs |= cv2.morphologyEx(padded, cv2.MORPH_CLOSE, row)[:, k:-k]
    # Wider sideways: in a monospaced (typewriter) face a full stop sits mid-cell, well clear of
    # the letter before it.
    ry, rx = max(1, round(dist_in * dpi)), max(1, round(side_in * dpi / f))
    near = cv2.dilate(
        glyphs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rx + 1, 2 * ry + 1))
    )
    kept = _any_in_boxes(near, stats, f) | big
    kept[0] = False
    # Seeds for rows of dots: marks on a glyph's baseline within CHAIN_IN beside it.
    wide = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * int(CHAIN_IN * dpi / f) + 1, 2 * ry + 1))
    seeds = _any_in_boxes(cv2.dilate(glyphs, wide), stats, f)
    kept |= _chained(stats, cents, small, seeds & small, CHAIN_IN * dpi)
    remove = small & ~kept
    if not remove.any():
        return np.zeros(gray.shape, bool)
    mask = _paint(remove, labels)
    # One pixel more takes the anti-aliased grey rim the threshold left behind.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0


class Denoise(c.PreprocessStage[DenoiseOptions]):
    name = "preprocess.denoise"
    version = "4"
    Options = DenoiseOptions
    summary = "Remove isolated speckle, keeping diacritics and punctuation near letters"

    def clean(self, page: Page, ctx: Context, img: np.ndarray, data: str) -> Page:
        dpi = c.page_dpi(page, ctx)
        gray = c.to_gray(img)
        o = self.options
        why = "mode=on"
        if self.mode == "auto":
            density = _assess.speckle_density(gray, dpi, o.max_area, o.side_distance)
            why = f"{density:.2f} isolated specks/in²"
            if density < o.min_specks:
                ctx.note(f"skipped: {why} < {o.min_specks:g}")
                return c.noted(page)
        mask = speckle_mask(gray, dpi, o.max_area, o.distance, o.side_distance)
        if not mask.any():
            ctx.note(f"ran ({why}): no speckle to remove")
            return c.noted(page)
        ctx.note(f"ran ({why}): whitened {int(np.count_nonzero(mask))} px")
        # Fill with the paper's own tone (per channel), not pure white.
        out = img.copy()
        if img.ndim == 2:
            out[mask] = np.uint8(c.gray_percentile(img, 90))
        else:
            paper = np.percentile(img.reshape(-1, img.shape[2]), 90, axis=0)
            out[mask] = paper.astype(np.uint8)
        return c.updated(self, page, ctx, out, data)
