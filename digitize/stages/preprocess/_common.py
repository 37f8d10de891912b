"""Shared plumbing for the preprocess stages: read a page image, hand on a new one.

Every preprocess stage follows one contract: read the page's image (`read_image`), never modify
it, hand on the result under a name derived from the input's content, the stage and its options
(so a cached result stays valid), and return the page pointing at it (`updated`), or the page
with only its decision noted (`noted`). The images themselves travel through the page chain's
`ctx.images` (see `digitize.images`): in memory from stage to stage, written by the engine where
the chain needs files. The engine records each stage's step.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, final

from digitize.errors import PageError
from digitize.lazy import lazy_module
from digitize.model import Page
from digitize.stage import Context, PageStage

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

PAGES_DIR = "pages"
OptionsT = TypeVar("OptionsT")

#: Help of a cleanup stage's `mode` option (`Literal["auto", "on", "off"]`): `auto` runs it
#: where the page's own measurement asks for it (speckle, skew, uneven paper, dark edges).
MODE_HELP = "auto: clean only pages whose measurement asks for it; on: always; off: never"


def should_skip(page: Page) -> bool:
    """Born-digital pages have no image; failed pages are left to the runner's report."""
    return page.image is None or page.failed is not None


class PreprocessStage(PageStage[OptionsT]):
    """A preprocess stage: born-digital and failed pages pass through untouched; the others
    arrive with their pixels read (`clean`)."""

    kind: ClassVar[str] = "preprocess"

    @final
    def process_page(self, page: Page, ctx: Context) -> Page | tuple[Page, ...]:
        if should_skip(page):
            return page
        if self.mode == "off":
            ctx.note("skipped: mode=off")
            return page
        img, digest = read_image(page, ctx)
        return self.clean(page, ctx, img, digest)

    @property
    def mode(self) -> str:
        """The stage's `mode` option (`Mode`); `auto` for a stage without one."""
        return str(getattr(self.options, "mode", "auto"))

    @abstractmethod
    def clean(
        self, page: Page, ctx: Context, img: np.ndarray, digest: str
    ) -> Page | tuple[Page, ...]:
        """The page cleaned: `img` is its image (read-only uint8, grey or BGR), `digest` names
        its content. Hand a new image on with `updated`; record a decision with `noted`."""


def read_image(page: Page, ctx: Context) -> tuple[np.ndarray, str]:
    """The page image as a read-only uint8 array (grey or BGR; alpha dropped) plus the digest
    naming its content, which feeds the content-derived output name."""
    try:
        return ctx.read_image(page)
    except PageError as e:
        raise PageError(f"page {page.index}: {e}") from None


def to_gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def gray_percentile(gray: np.ndarray, q: float) -> float:
    """`np.percentile(gray, q)` for a uint8 image by histogram: ~20x faster than sorting."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    return float(np.searchsorted(cum, q / 100.0 * (cum[-1] - 1) + 1 - 1e-9))


def page_dpi(page: Page, ctx: Context) -> int:
    """The resolution to scale pixel thresholds by: the page's, else the run's, else 300."""
    return page.dpi or ctx.dpi or 300


def output_name(stage: PageStage[Any], digest: str, suffix: str = "") -> str:
    """`pages/<hash>.png`: sha256 of the input's digest + stage name + version + options."""
    h = hashlib.sha256(digest.encode())
    h.update(f"\0{stage.name}\0{stage.version}\0{stage.options_digest()}\0{suffix}".encode())
    return f"{PAGES_DIR}/{h.hexdigest()[:16]}.png"


def updated(
    stage: PageStage[Any],
    page: Page,
    ctx: Context,
    img: np.ndarray,
    digest: str,
    *,
    suffix: str = "",
    warnings: tuple[str, ...] = (),
    **changes: Any,
) -> Page:
    """Hand `img` on under its content-derived name and return `page` pointing at it."""
    rel = output_name(stage, digest, suffix)
    # The grey copy kept by preprocess.binarize no longer matches a re-made image: drop it
    # rather than let figures be cropped from a stale geometry.
    changes.setdefault("unbinarized", None)
    ctx.put_image(rel, img, page_dpi(page, ctx))
    h, w = img.shape[:2]
    return replace(
        page,
        image=rel,
        size=(int(w), int(h)),
        warnings=(*page.warnings, *warnings),
        **changes,
    )


def noted(page: Page, *warnings: str, **changes: Any) -> Page:
    """The page unchanged in pixels, with any decision or warning recorded."""
    return replace(page, warnings=(*page.warnings, *warnings), **changes)


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


def background(
    gray: np.ndarray, dpi: int, window_in: float, closed: tuple[np.ndarray, int] | None = None
) -> np.ndarray:
    """Estimated paper brightness at every pixel (uint8, >= 1).

    A closing `window_in` inches wide fills in text strokes; done at ~75 dpi since the result
    is smooth anyway (`closed`: that closing, when the caller has it already). Dividing by it
    removes shadows and tint.
    """
    h, w = gray.shape
    bg, k = closed if closed is not None else paper_closing(gray, dpi, window_in)
    bg = cv2.medianBlur(bg, k if k <= 255 else 255)
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(bg, np.uint8(1))
