"""Shared plumbing for the preprocess stages: read a page image, write a new one, record a step.

Every preprocess stage follows one contract: read `work_dir / page.image`, never modify it,
write the result as a new PNG whose name is derived from the input bytes, the stage and its
options (so a cached result stays valid), and return the page pointing at the new file with a
`Step` appended. Keeping that in one place keeps the seven stages short and identical in it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from digitize.errors import PageError
from digitize.fileio import write_bytes
from digitize.model import Page, Step
from digitize.stage import Context, PageStage

PAGES_DIR = "pages"


def should_skip(page: Page) -> bool:
    """Born-digital pages have no image; failed pages are left to the runner's report."""
    return page.image is None or page.failed is not None


def image_path(page: Page, ctx: Context) -> Path:
    assert page.image is not None
    return Path(ctx.work_dir) / page.image


def read_image(page: Page, ctx: Context) -> tuple[np.ndarray, bytes]:
    """The page image as a uint8 array (gray or BGR; alpha dropped) plus its file bytes.

    The bytes feed the content-derived output name; decoding from them avoids a second read.
    """
    path = image_path(page, ctx)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PageError(f"page {page.index}: cannot read image {path}: {e.strerror or e}") from e
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise PageError(f"page {page.index}: {path} is not a readable image")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    return img, data


def to_gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def page_dpi(page: Page, ctx: Context) -> int:
    """The resolution to scale pixel thresholds by: the page's, else the run's, else 300."""
    return page.dpi or ctx.dpi or 300


def output_name(stage: PageStage[Any], data: bytes, suffix: str = "") -> str:
    """`pages/<hash>.png`: sha256 of input bytes + stage name + version + options digest."""
    h = hashlib.sha256(data)
    h.update(f"\0{stage.name}\0{stage.version}\0{stage.options_digest()}\0{suffix}".encode())
    return f"{PAGES_DIR}/{h.hexdigest()[:16]}.png"


def write_image(img: np.ndarray, rel: str, ctx: Context, dpi: int) -> None:
    """Write `img` as PNG (compress level 1: these are intermediates) keeping the DPI tag.

    Pillow writes the pHYs chunk that OpenCV's encoder omits; Tesseract reads it.
    """
    path = Path(ctx.work_dir) / rel
    if path.exists():  # content-derived name: an existing file is this very result
        return
    rgb = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    buf = BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(
        buf, format="PNG", compress_level=1, dpi=(dpi, dpi)
    )
    write_bytes(path, buf.getvalue())


def step(stage: PageStage[Any]) -> Step:
    return Step(stage.name, stage.version, stage.options_digest())


def updated(
    stage: PageStage[Any],
    page: Page,
    ctx: Context,
    img: np.ndarray,
    data: bytes,
    *,
    suffix: str = "",
    warnings: tuple[str, ...] = (),
    **changes: Any,
) -> Page:
    """Write `img` under its content-derived name and return `page` pointing at it."""
    dpi = page_dpi(page, ctx)
    rel = output_name(stage, data, suffix)
    # The grey copy kept by preprocess.binarize no longer matches a re-made image: drop it
    # rather than let figures be cropped from a stale geometry.
    changes.setdefault("unbinarized", None)
    write_image(img, rel, ctx, dpi)
    h, w = img.shape[:2]
    return replace(
        page,
        image=rel,
        size=(int(w), int(h)),
        steps=(*page.steps, step(stage)),
        warnings=(*page.warnings, *warnings),
        **changes,
    )


def noted(stage: PageStage[Any], page: Page, *warnings: str, **changes: Any) -> Page:
    """The page unchanged in pixels, with the step (and any decision or warning) recorded."""
    return replace(
        page,
        steps=(*page.steps, step(stage)),
        warnings=(*page.warnings, *warnings),
        **changes,
    )


def ink_mask(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Foreground (text) pixels as 0/255, robust to uneven lighting: local mean threshold.

    The window is about a third of an inch, wider than a glyph, so glyph interiors stay dark.
    """
    block = max(15, int(dpi / 3) | 1)
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15
    )


def paper_closing(gray: np.ndarray, dpi: int, window_in: float) -> tuple[np.ndarray, int]:
    """The page at ~75 dpi with text strokes filled in by a closing `window_in` inches wide,
    and the closing's kernel size in those pixels. Dark regions wider than the window survive.
    """
    h, w = gray.shape
    scale = min(1.0, 75.0 / dpi)  # 75 dpi is plenty for something this smooth
    small = cv2.resize(
        gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
    )
    k = max(3, int(window_in * dpi * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), k


def background(gray: np.ndarray, dpi: int, window_in: float) -> np.ndarray:
    """Estimated paper brightness at every pixel (float32, >= 1).

    A closing `window_in` inches wide fills in text strokes; done at ~75 dpi since the result
    is smooth anyway. Dividing by it removes shadows and tint.
    """
    h, w = gray.shape
    bg, k = paper_closing(gray, dpi, window_in)
    bg = cv2.medianBlur(bg, k if k <= 255 else 255)
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(bg.astype(np.float32), 1.0)
