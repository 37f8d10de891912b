"""Turn pages scanned at 90/180/270° upright, using Tesseract's orientation detection (OSD).

OSD costs ~0.25 CPU-s a page (a third of OCR itself) even in-process, and almost every page of
a book is upright. So a cheap check (~15 ms, `_upright.py`) runs first: when the text lines are
clearly horizontal and their ink is top-heavy (ascenders and Vietnamese tone marks above the
x-height outnumber descenders below it), the page is upright and OSD is skipped. Anything
doubtful (sideways lines, too few lines, a weak ascender/descender balance, a picture) goes to
OSD. OSD runs in-process through tesserocr (one engine per worker process, tessdata path set
explicitly since tesserocr's compiled-in one is often wrong), else through the `tesseract` CLI.

A confident OSD answer is applied with a lossless 90° turn. A weak one is settled by reading:
the page as is and turned are both read by Tesseract (downscaled, one block, `_readability.py`)
and the turn is applied only when the turned page reads clearly better; the page's warnings say
which won and by how much. `page.rotation` accumulates the clockwise degrees
applied (0, 90, 180, 270).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitize.errors import MissingDependency, PageError
from digitize.lazy import lazy_module
from digitize.model import Page
from digitize.stage import Context, opt
from digitize.stages import _tessdata
from digitize.stages.preprocess import _common as c
from digitize.stages.preprocess._readability import read_score
from digitize.stages.preprocess._upright import looks_upright

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

_INSTALL = "install Tesseract with OSD data: apt-get install tesseract-ocr tesseract-ocr-osd"
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_CONF = re.compile(r"Orientation confidence:\s*([-\d.]+)")
# Clockwise turn -> the name of OpenCV's rotate code (looked up when used: cv2 loads lazily).
_CV_ROTATE = {
    90: "ROTATE_90_CLOCKWISE",
    180: "ROTATE_180",
    270: "ROTATE_90_COUNTERCLOCKWISE",
}


@dataclass(frozen=True, slots=True)
class OrientationOptions:
    min_confidence: float = opt(
        10.0, "OSD orientation confidence needed to turn a page (lower: warn, leave as is)"
    )
    precheck: bool = opt(
        True, "skip OSD on pages whose text lines are clearly horizontal and upright (fast)"
    )
    timeout: float = opt(60.0, "seconds allowed for one OSD run (CLI engine)")
    compare_reads: bool = opt(
        True,
        "when OSD is unsure, read the page as is and turned (downscaled) and keep the one "
        "Tesseract reads better",
    )


def osd_tessdata() -> str | None:
    """The directory holding osd.traineddata (see `stages/_tessdata.py`)."""
    return _tessdata.tessdata_dir("osd.traineddata")


def have_tesserocr() -> bool:
    try:
        import tesserocr  # noqa: F401
    except Exception:  # ImportError, or a broken native library
        return False
    return True


_API: dict[str, Any] = {}  # one OSD engine per worker process


def _osd_api(tessdata: str) -> Any | None:
    api = _API.get(tessdata)
    if api is None:
        try:
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            import tesserocr

            api = tesserocr.PyTessBaseAPI(path=tessdata, lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        except Exception:  # not installed, or a broken native library: use the CLI
            return None
        _API[tessdata] = api
    return api


def detect_inprocess(gray: np.ndarray, dpi: int) -> tuple[int, float] | bool | None:
    """OSD through tesserocr: (clockwise turn, confidence), None when OSD gives up, False when
    tesserocr is unavailable.
    """
    tessdata = osd_tessdata()
    api = _osd_api(tessdata) if tessdata else None
    if api is None:
        return False
    from PIL import Image

    api.SetImage(Image.fromarray(np.ascontiguousarray(gray)))
    api.SetSourceResolution(int(dpi))
    res = api.DetectOrientationScript()
    api.Clear()
    if not res:
        return None
    # tesserocr reports the page's orientation (counter-clockwise); we need the turn back.
    return (360 - int(res["orient_deg"])) % 360, float(res["orient_conf"])


def detect(path: str, dpi: int, timeout: float) -> tuple[int, float] | None:
    """OSD through the `tesseract` CLI: (clockwise degrees to turn the image upright,
    confidence), or None when OSD gives up (too few characters: blank or picture pages).
    """
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = ["tesseract", path, "-", "--psm", "0", "--dpi", str(dpi)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except FileNotFoundError as e:
        raise MissingDependency("tesseract is not installed", hint=_INSTALL) from e
    except subprocess.TimeoutExpired as e:
        raise PageError(f"orientation detection timed out after {timeout:.0f} s on {path}") from e
    rot, conf = _ROTATE.search(out.stdout), _CONF.search(out.stdout)
    if rot is None or conf is None:
        return None
    return int(rot.group(1)) % 360, float(conf.group(1))


def detect_any(gray: np.ndarray, page_path: Callable[[], Path], dpi: int, timeout: float) -> Any:
    """In-process OSD when tesserocr works, else the CLI on the page's file (`page_path()`
    writes it first if it is still only in memory)."""
    found = detect_inprocess(gray, dpi)
    return detect(str(page_path()), dpi, timeout) if found is False else found


class Orientation(c.PreprocessStage[OrientationOptions]):
    name = "preprocess.orientation"
    version = "5"
    Options = OrientationOptions
    summary = "Turn pages scanned sideways or upside down upright (line check, then OSD)"

    def check(self, ctx: Context) -> None:
        if shutil.which("tesseract") is None and not have_tesserocr():  # the CLI: no import
            raise MissingDependency("tesseract is not installed", hint=_INSTALL)
        if osd_tessdata() is None:
            raise MissingDependency(
                "Tesseract's orientation data (osd.traineddata) is not installed", hint=_INSTALL
            )

    def clean(self, page: Page, ctx: Context, img: np.ndarray, digest: str) -> Page:
        gray = c.to_gray(img)
        dpi = c.page_dpi(page, ctx)
        if self.options.precheck and looks_upright(gray, dpi):
            return c.noted(page)
        found = detect_any(gray, lambda: ctx.image_file(page), dpi, self.options.timeout)
        if found is None:
            return c.noted(page, "orientation: too little text to detect orientation; left as is")
        turn, conf = found
        if turn == 0:
            return c.noted(page)
        out = cv2.rotate(img, getattr(cv2, _CV_ROTATE[turn]))
        note = f"orientation: turned {turn}° clockwise (OSD confidence {conf:.1f})"
        if conf < self.options.min_confidence:
            unsure = f"OSD suggests a {turn}° clockwise turn, unsure ({conf:.1f} < " + (
                f"{self.options.min_confidence:g})"
            )
            if not self.options.compare_reads:
                return c.noted(page, f"orientation: {unsure}; left as is")
            lang = ctx.lang or "eng"
            as_is = read_score(gray, dpi, lang, self.options.timeout)
            turned = read_score(c.to_gray(out), dpi, lang, self.options.timeout)
            scores = f"Tesseract reads it {turned:.0f} (turned) vs {as_is:.0f} (as is)"
            if turned <= as_is * 1.2 + 2:
                return c.noted(page, f"orientation: {unsure}; {scores}: left as is")
            note = f"orientation: turned {turn}° clockwise: {unsure}, but {scores}"
        return c.updated(
            self, page, ctx, out, digest, warnings=(note,), rotation=(page.rotation + turn) % 360
        )
