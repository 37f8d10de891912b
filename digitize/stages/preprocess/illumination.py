"""Flatten uneven lighting, gutter shadow and grey/yellow paper; output grayscale.

The paper's brightness is estimated everywhere by a morphological closing (which fills in the
dark text strokes) followed by a blur, on a downscaled copy for speed; dividing the page by
that background makes the paper uniformly white while text keeps its contrast relative to the
paper around it. A final percentile stretch makes text dark again where the shadow had
squeezed its contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def flatten(gray: np.ndarray, dpi: int, window_in: float, stretch: bool) -> np.ndarray:
    bg = c.background(gray, dpi, window_in)
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
