"""Flatten uneven lighting, gutter shadow and grey/yellow paper; output grayscale.

The paper's brightness is estimated everywhere by a morphological closing (which fills in the
dark text strokes) followed by a blur, on a downscaled copy for speed; dividing the page by
that background makes the paper uniformly white while text keeps its contrast relative to the
paper around it. A final percentile stretch makes text dark again where the shadow had
squeezed its contrast.

Division would also bleach photos and dark boxes: they are wider than the window, so they look
like "background". What tells them from a shadow is the edge: a shadow fades in, a photo starts
abruptly. Dark background regions with a sharp outline are kept out of the division (scaled
by the global paper tone instead), so figures keep their tones.

A page whose paper is already white and even (a clean scan) is left as it is (`skip_even`): the
division would change nothing worth a new image.
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
class IlluminationOptions:
    mode: Literal["auto", "on", "off"] = opt("auto", c.MODE_HELP + " (auto: see skip_even)")
    window: float = opt(
        0.12, "closing window in inches: wider than the boldest text stroke, narrower than a gap"
    )
    stretch: bool = opt(True, "stretch contrast so the darkest ink is black after flattening")
    skip_even: bool = opt(
        True, "leave pages whose paper is already white and even as they are (fast)"
    )
    protect_photos: bool = opt(
        True, "keep sharp-edged dark regions (photos, shaded boxes) out of the flattening"
    )


def dark_content(
    gray: np.ndarray, dpi: int, window_in: float, closed: tuple[np.ndarray, int] | None = None
) -> np.ndarray:
    """Weight in 0..1 per pixel: 1 inside sharp-edged dark regions (photos, shaded boxes).

    Candidate regions are where the paper estimate is well below the paper tone; a region is
    content when the estimate changes abruptly (over 12 grey levels per 1/75 in) along most
    (60%) of its outline, not gradually as under a shadow.
    """
    h, w = gray.shape
    bg0, _ = closed if closed is not None else c.paper_closing(gray, dpi, window_in)
    paper = c.gray_percentile(bg0, 95)
    dark = (bg0 < 0.8 * paper).astype(np.uint8)
    n, labels = cv2.connectedComponents(dark, connectivity=8)
    if n <= 1:
        return np.zeros((h, w), np.float32)
    grad = cv2.morphologyEx(bg0, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(np.float64)
    rim = cv2.morphologyEx(dark, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    # Attribute each rim pixel to the region it borders (the rim's outer half is label 0).
    near = cv2.dilate(labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(np.int32)
    steep = np.bincount(near[rim], weights=(grad[rim] > 12.0).astype(np.float64), minlength=n)
    counts = np.bincount(near[rim], minlength=n)
    # Most of the outline must be steep: a shadow may meet a page edge sharply on one side,
    # but it fades into the page on the other.
    sharp = steep / np.maximum(counts, 1) > 0.6
    sharp[0] = False
    mask = sharp[labels].astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.0)
    return np.clip(cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)


def is_even(closed: np.ndarray, min_paper: float = 235.0, spread: float = 0.04) -> bool:
    """Whether the paper (the closing at ~75 dpi) is already white and even: nothing to flatten.

    A clean scan or a born-digital render; skipping it saves the division and a PNG write.
    """
    lo, hi = paper_range(closed)
    return lo >= min_paper and hi - lo <= spread * hi


def paper_range(closed: np.ndarray) -> tuple[float, float]:
    """The darkest and brightest paper (1st and 99th percentiles of the closing)."""
    return c.gray_percentile(closed, 1), c.gray_percentile(closed, 99)


def flatten(gray: np.ndarray, dpi: int, opts: IlluminationOptions) -> tuple[np.ndarray, float]:
    """The flattened page and the fraction of it protected as dark content.

    All in uint8 with OpenCV (division by the background, contrast stretch by lookup table):
    the float version cost five times as much for the same picture.
    """
    return flatten_closed(gray, dpi, opts, c.paper_closing(gray, dpi, opts.window))


def flatten_closed(
    gray: np.ndarray, dpi: int, opts: IlluminationOptions, closed: tuple[np.ndarray, int]
) -> tuple[np.ndarray, float]:
    bg = c.background(gray, dpi, opts.window, closed)
    flat = cv2.divide(gray, bg, scale=255.0)  # saturating: paper at or above its estimate is 255
    protected = 0.0
    if opts.protect_photos:
        wt = dark_content(gray, dpi, opts.window, closed)
        if wt.any():
            paper = c.gray_percentile(bg, 95)
            kept = np.minimum(gray.astype(np.float32) * (255.0 / paper), 255.0)
            mixed = flat.astype(np.float32) * (1.0 - wt) + kept * wt
            flat = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
            protected = float((wt > 0.5).mean())
    if opts.stretch:
        hist = cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel()
        ink = hist[1:192]  # flattened grey below 0.75 of paper: text, not paper
        if ink.sum() > 0.001 * flat.size:
            lo5 = 1 + int(np.searchsorted(np.cumsum(ink), 0.05 * ink.sum()))
            if lo5 < 0.9 * 255:
                v = np.arange(256, dtype=np.float32)
                lut = np.clip((v - lo5) * (255.0 / (255.0 - lo5)) + 0.5, 0, 255).astype(np.uint8)
                flat = cv2.LUT(flat, lut)
    return flat, protected


class Illumination(c.PreprocessStage[IlluminationOptions]):
    name = "preprocess.illumination"
    version = "3"
    Options = IlluminationOptions
    summary = "Even out lighting, gutter shadow and paper tint; output grayscale"

    def clean(self, page: Page, ctx: Context, img: np.ndarray, data: str) -> Page:
        dpi = c.page_dpi(page, ctx)
        gray = c.to_gray(img)
        closed = c.paper_closing(gray, dpi, self.options.window)
        lo, hi = paper_range(closed[0])
        why = f"paper {lo:.0f}..{hi:.0f}"
        if self.mode == "auto" and self.options.skip_even and is_even(closed[0]):
            ctx.note(f"skipped: {why}, white and even")
            return c.noted(page)
        ctx.note(f"ran ({why})" if self.mode == "auto" else f"ran ({why}, mode=on)")
        out, protected = flatten_closed(gray, dpi, self.options, closed)
        warnings: tuple[str, ...] = ()
        if protected > 0.01:
            warnings = (
                f"illumination: {protected:.0%} of the page is dark content (photo, shaded box "
                "or deep shadow) and was not flattened",
            )
        return c.updated(self, page, ctx, out, data, warnings=warnings)
