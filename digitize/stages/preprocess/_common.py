"""Shared plumbing for the preprocess stages: read a page image, write a new one, record a step.

Every preprocess stage follows one contract: read `work_dir / page.image`, never modify it,
write the result as a new PNG whose name is derived from the input's content, the stage and its
options (so a cached result stays valid), and return the page pointing at the new file with a
`Step` appended. Keeping that in one place keeps the seven stages short and identical in it.

Speed: the runner takes one page through every page stage in the same worker process, so the
array a stage writes is kept in a small in-process memo (`digitize.stages._pixels`, which OCR
reads too) and handed to the next stage as is:
decoding the PNG it just encoded would cost more than most stages' own work. The PNG is still
written (the page cache and later runs need it); the memo is checked against the file's size and
mtime, so a replaced file is never served from memory.

Inside a page chain (`deferred()`, which `digitize.engine.worker` opens around the chain in a worker)
a stage's image is not even written: it waits in memory, and the chain writes only the images
handed to a later, non-preprocess stage (OCR, layout) or left at its end (`flush`). Encoding a
300 dpi page as PNG costs more than deskew, illumination or denoise themselves, and the
intermediate images were never read back from disk. Derived images are named after their input's
name (itself content-derived), not after their bytes, so a name is known before (or without) the
file.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitize.errors import PageError
from digitize.fileio import write_bytes
from digitize.lazy import lazy_module
from digitize.model import Page, Step
from digitize.stage import Context, PageStage
from digitize.stages import _pixels
from digitize.stages._imagenames import names_its_content
from digitize.stages._png import encode_png

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

PAGES_DIR = "pages"

# Images made inside `deferred()` and not written yet: abs path -> (read-only image, rel, dpi).
_PENDING: dict[str, tuple[np.ndarray, str, int]] = {}
_DEFER = False


def forget_all() -> None:
    """Empty the memo (tests; a long-lived worker between books needs no call)."""
    _pixels.forget_all()
    _PENDING.clear()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within: stages keep the images they make in memory instead of writing them; the caller
    writes the ones it needs with `flush`. Whatever is not flushed is dropped on exit."""
    global _DEFER
    _DEFER = True
    _PENDING.clear()
    try:
        yield
    finally:
        _DEFER = False
        _PENDING.clear()


def flush(paths: Iterable[Path]) -> None:
    """Write those of `paths` that are pending (a later stage reads them from disk)."""
    for path in paths:
        hit = _PENDING.pop(str(path), None)
        if hit is not None:
            img, rel, dpi = hit
            write_image(img, Path(path), rel, dpi)


def drop_pending(keep: Iterable[Path]) -> None:
    """Forget pending images not in `keep`: no later stage of the chain can ask for them."""
    wanted = {str(p) for p in keep}
    for k in [k for k in _PENDING if k not in wanted]:
        del _PENDING[k]


def available(path: Path) -> bool:
    """Whether a stage can read `path`: on disk, or pending in this process."""
    return str(path) in _PENDING or path.is_file()


def image_digest(rel: str, data: bytes | None) -> str:
    """What names a stage's output: a derived image's own (content-derived) name; else (an
    ingested page) the sha256 of the file's bytes."""
    if names_its_content(rel):  # what `output_name` and the ingesters make
        return "derived:" + rel
    assert data is not None
    return hashlib.sha256(data).hexdigest()


def should_skip(page: Page) -> bool:
    """Born-digital pages have no image; failed pages are left to the runner's report."""
    return page.image is None or page.failed is not None


def image_path(page: Page, ctx: Context) -> Path:
    assert page.image is not None
    return Path(ctx.work_dir) / page.image


def disk_path(page: Page, ctx: Context) -> Path:
    """The page image's path, written first if it is pending: for tools that read files."""
    path = image_path(page, ctx)
    flush([path])
    return path


def read_image(page: Page, ctx: Context) -> tuple[np.ndarray, str]:
    """The page image as a uint8 array (gray or BGR; alpha dropped; read-only) plus the sha256
    of its file, which feeds the content-derived output name.
    """
    path = image_path(page, ctx)
    pending = _PENDING.get(str(path))
    if pending is not None:
        assert page.image is not None
        return pending[0], image_digest(page.image, None)
    hit = _pixels.recall(path)
    if hit is not None:
        return hit
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PageError(f"page {page.index}: cannot read image {path}: {e.strerror or e}") from e
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise PageError(f"page {page.index}: {path} is not a readable image")
    img: np.ndarray = decoded
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    assert page.image is not None
    digest = image_digest(page.image, data)
    return _pixels.remember(path, img, digest), digest


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


def write_image(img: np.ndarray, path: Path, rel: str, dpi: int) -> None:
    """Write `img` as PNG keeping the DPI tag at `path` (`rel` in the work dir) and remember it
    for the next stage in this process."""
    if not path.exists():  # content-derived name: an existing file is this very result
        # A cache file, like the page cache's entries: the rename keeps it whole, fsync is moot.
        write_bytes(path, encode_png(img, dpi), durable=False)
    _pixels.remember(path, img, "derived:" + rel)


def hold(img: np.ndarray, path: Path, rel: str, dpi: int) -> None:
    """`img` as the content of `path` (`rel` in the work dir): pending inside `deferred()`
    (unless too big to hold in memory), else written now."""
    if _DEFER and img.nbytes <= _pixels.MEMO_BYTES // 2 and not path.exists():
        img = np.ascontiguousarray(img)
        img.flags.writeable = False
        _PENDING[str(path)] = (img, rel, dpi)
    else:
        write_image(img, path, rel, dpi)


def step(stage: PageStage[Any]) -> Step:
    return Step(stage.name, stage.version, stage.options_digest())


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
    """Write `img` under its content-derived name and return `page` pointing at it."""
    dpi = page_dpi(page, ctx)
    rel = output_name(stage, digest, suffix)
    # The grey copy kept by preprocess.binarize no longer matches a re-made image: drop it
    # rather than let figures be cropped from a stale geometry.
    changes.setdefault("unbinarized", None)
    hold(img, Path(ctx.work_dir) / rel, rel, dpi)
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
