"""Whiten and crop the black bands a scanner lid or a book's edge leaves around a page.

Border = dark regions connected to the image edge that are large (they run along a good part
of a side). Text never touches the edge that way, so it is safe. Whole rows and columns that
are mostly border are cropped off; what remains of the border (uneven or skewed edges) is
painted with the paper's tone so OCR and layout never see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

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
class BordersOptions:
    mode: Literal["auto", "on", "off"] = opt(
        "auto", c.MODE_HELP + " (auto: pages with a dark edge)"
    )
    darkness: float = opt(0.45, "a pixel darker than this fraction of the paper tone may be border")
    min_extent: float = opt(0.25, "a border region spans at least this fraction of a page side")
    crop: bool = opt(True, "crop rows/columns that are mostly border (else only whiten them)")


def border_mask(
    gray: np.ndarray,
    darkness: float,
    min_extent: float,
    max_std: float = 25.0,
    check_edge: bool = True,
) -> tuple[np.ndarray, bool]:
    """Mask of border pixels (large flat dark regions touching the image edge), and whether
    textured dark pixels (a photo bleeding off the page?) were left out of it.

    Flatness is the local standard deviation over ~9 px: scanner black is flat, a photo is not.
    """
    h, w = gray.shape
    paper = c.gray_percentile(gray, 90)
    if check_edge and not edge_is_dark(gray, darkness * paper):
        return np.zeros((h, w), bool), False
    g = gray.astype(np.float32)
    mean = cv2.blur(g, (9, 9))
    std = np.sqrt(np.maximum(cv2.blur(g * g, (9, 9)) - mean * mean, 0.0))
    dark = gray < darkness * paper
    flat = (dark & (std < max_std)).astype(np.uint8)
    # Close small light holes (scanner noise) so a band is one component.
    flat_dark = cv2.morphologyEx(flat, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(flat_dark, connectivity=8)
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    touches = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    spans = (bw >= min_extent * w) | (bh >= min_extent * h)
    keep = touches & spans
    keep[0] = False
    mask = keep[labels]
    if not mask.any():
        return mask, False
    # The band's inner rim is not flat (black meets paper there): take it too, if it is dark.
    rim = cv2.dilate(mask.astype(np.uint8), np.ones((11, 11), np.uint8)) > 0
    mask |= rim & (gray < 0.8 * paper)
    # Textured dark pixels right next to the border: a photo at the edge, which we keep.
    near = cv2.dilate(mask.astype(np.uint8), np.ones((31, 31), np.uint8)) > 0
    textured = int((near & dark & ~mask & (std >= max_std)).sum()) > 0.001 * h * w
    return mask, textured


def edge_is_dark(gray: np.ndarray, limit: float, depth: int = 3, share: float = 0.02) -> bool:
    """Whether some side's outer `depth` pixels are darker than `limit` over `share` of it.

    A scanner border lies along the edge, so a page whose outer frame is paper (but for a few
    specks of noise) has none: the usual case, answered from ~1% of the pixels.
    """
    frame = (gray[:depth], gray[-depth:], gray[:, :depth], gray[:, -depth:])
    return any(float((f < limit).mean()) >= share for f in frame)


def crop_box(mask: np.ndarray, full: float = 0.5) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) after trimming edge rows/columns whose border fraction exceeds `full`."""
    _h, _w = mask.shape
    rows = mask.mean(axis=1) > full
    cols = mask.mean(axis=0) > full

    def trim(flags: np.ndarray) -> tuple[int, int]:
        n = len(flags)
        lo = 0
        while lo < n and flags[lo]:
            lo += 1
        hi = n
        while hi > lo and flags[hi - 1]:
            hi -= 1
        return lo, hi

    y0, y1 = trim(rows)
    x0, x1 = trim(cols)
    return x0, y0, x1, y1


class Borders(c.PreprocessStage[BordersOptions]):
    name = "preprocess.borders"
    version = "2"
    Options = BordersOptions
    summary = "Whiten and crop black scanner borders around the page"

    def clean(self, page: Page, ctx: Context, img: np.ndarray, data: str) -> Page:
        gray = c.to_gray(img)
        o = self.options
        mask, textured = border_mask(gray, o.darkness, o.min_extent, check_edge=self.mode == "auto")
        warnings: tuple[str, ...] = ()
        if textured:
            warnings = ("borders: a textured dark region touches the edge (a photo?); kept",)
        if not mask.any():
            ctx.note("skipped: no dark border at the edges")
            return c.noted(page, *warnings)
        ctx.note(f"ran: {mask.mean():.1%} of the page is border")
        if mask.mean() > 0.5:
            return c.noted(
                page,
                "borders: over half the page looks like border (a dark photo?); left as is",
                *warnings,
            )
        paper = np.percentile(img[~mask].reshape(-1, 1 if img.ndim == 2 else img.shape[2]), 90, 0)
        out = img.copy()
        out[mask] = paper.astype(np.uint8) if out.ndim == 3 else np.uint8(paper[0])
        if self.options.crop:
            x0, y0, x1, y1 = crop_box(mask)
            out = out[y0:y1, x0:x1]
        return c.updated(self, page, ctx, out, data, warnings=warnings)
