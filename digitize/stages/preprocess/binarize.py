"""Binarise a page (Sauvola, adaptive mean or Otsu) for OCR; optional, not in the default pipeline.

Tesseract binarises internally (Otsu). On our synthetic pages (bench/preprocess_cer.py) Sauvola
after the other stages lowered Tesseract's CER slightly: clean 0.33% -> 0.13%, faded print
0.33% -> 0.27%, combined damage 5.1% -> 4.1%. Those pages are crisp renders; on real scans a
local threshold can break thin diacritic strokes, so the stage stays out of the default
pipeline until the real-scan evaluation confirms the gain.

Figures must still be croppable in grey or colour, so the page keeps the un-binarised image in
`page.unbinarized`. Run it last among the preprocess stages: a later geometric change (deskew,
crop) would not be applied to `unbinarized`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
class BinarizeOptions:
    method: Literal["sauvola", "adaptive", "otsu"] = opt("sauvola", "thresholding method")
    window: float = opt(0.1, "local window for sauvola/adaptive, inches")
    k: float = opt(0.2, "Sauvola's k: higher thins strokes and drops faint marks")


def sauvola(gray: np.ndarray, win: int, k: float, r: float = 128.0) -> np.ndarray:
    """Sauvola threshold T = m (1 + k (s/R - 1)) with box-filtered local mean m and std s."""
    f = gray.astype(np.float64)
    mean = cv2.boxFilter(f, -1, (win, win), borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(f * f, -1, (win, win), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    thresh = mean * (1.0 + k * (std / r - 1.0))
    return np.where(f > thresh, 255, 0).astype(np.uint8)


def binarize(gray: np.ndarray, dpi: int, opts: BinarizeOptions) -> np.ndarray:
    win = max(15, int(opts.window * dpi) | 1)
    if opts.method == "sauvola":
        return sauvola(gray, win, opts.k)
    if opts.method == "adaptive":
        return cv2.adaptiveThreshold(
            gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, win, 10
        )
    _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


class Binarize(c.PreprocessStage[BinarizeOptions]):
    name = "preprocess.binarize"
    version = "1"
    Options = BinarizeOptions
    summary = "Black-and-white page for OCR (Sauvola); keeps the grey image for figure crops"

    def clean(self, page: Page, ctx: Context, img: np.ndarray, data: str) -> Page:
        out = binarize(c.to_gray(img), c.page_dpi(page, ctx), self.options)
        done = c.updated(self, page, ctx, out, data)
        return replace(done, unbinarized=page.unbinarized or page.image)
