"""Flatten uneven lighting, gutter shadow and grey/yellow paper; output grayscale.

The paper's brightness is estimated everywhere by a morphological closing (which fills in the
dark text strokes) followed by a blur, on a downscaled copy for speed; dividing the page by
that background makes the paper uniformly white while text keeps its contrast relative to the
paper around it. A final percentile stretch makes text dark again where the shadow had
squeezed its contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from digitize.model import Page
from digitize.stage import Context, PageStage, opt
from digitize.stages.preprocess import _common as c


@dataclass(frozen=True, slots=True)
class IlluminationOptions:
    window: float = opt(
        0.12, "closing window in inches: wider than the boldest text stroke, narrower than a gap"
    )
    stretch: bool = opt(True, "stretch contrast so the darkest ink is black after flattening")


def background(gray: np.ndarray, dpi: int, window_in: float) -> np.ndarray:
    """Estimated paper brightness at every pixel (float32, >= 1)."""
    h, w = gray.shape
    scale = min(1.0, 75.0 / dpi)  # 75 dpi is plenty for something this smooth
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), cv2.INTER_AREA)
    k = max(3, int(window_in * dpi * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    bg = cv2.medianBlur(bg, k if k <= 255 else 255)
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(bg.astype(np.float32), 1.0)


def flatten(gray: np.ndarray, dpi: int, window_in: float, stretch: bool) -> np.ndarray:
    bg = background(gray, dpi, window_in)
    flat = gray.astype(np.float32) / bg
    if stretch:
        ink = flat[flat < 0.75]
        if ink.size > 0.001 * flat.size:
            lo = float(np.percentile(ink, 5))
            if lo < 0.9:
                flat = (flat - lo) / (1.0 - lo)
    return np.clip(flat * 255.0, 0, 255).astype(np.uint8)


class Illumination(PageStage[IlluminationOptions]):
    kind = "preprocess"
    name = "preprocess.illumination"
    version = "1"
    Options = IlluminationOptions
    summary = "Even out lighting, gutter shadow and paper tint; output grayscale"

    def process_page(self, page: Page, ctx: Context) -> Page:
        if c.should_skip(page):
            return page
        img, data = c.read_image(page, ctx)
        dpi = c.page_dpi(page, ctx)
        out = flatten(c.to_gray(img), dpi, self.options.window, self.options.stretch)
        return c.updated(self, page, ctx, out, data)
