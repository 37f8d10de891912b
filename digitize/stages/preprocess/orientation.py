"""Turn pages scanned at 90/180/270° upright, using Tesseract's orientation detection (OSD).

We run the `tesseract` CLI (`--psm 0`, one thread) rather than tesserocr: it needs no tessdata
path configuration (tesserocr's compiled-in default is often wrong) and the ~0.6 s per page is
small next to OCR itself. A confident answer is applied with a lossless 90° turn; a weak one is
not applied but recorded as a warning, because turning an upright page sideways ruins it while
leaving a rare sideways page sideways only costs that page.

`page.rotation` accumulates the clockwise degrees applied (0, 90, 180, 270).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import cv2

from digitize.errors import MissingDependency, PageError
from digitize.model import Page
from digitize.stage import Context, PageStage, opt
from digitize.stages.preprocess import _common as c

_INSTALL = "install Tesseract with OSD data: apt-get install tesseract-ocr tesseract-ocr-osd"
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_CONF = re.compile(r"Orientation confidence:\s*([-\d.]+)")
# Clockwise turn -> OpenCV rotate code.
_CV_ROTATE = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


@dataclass(frozen=True, slots=True)
class OrientationOptions:
    min_confidence: float = opt(
        10.0, "OSD orientation confidence needed to turn a page (lower: warn, leave as is)"
    )
    timeout: float = opt(60.0, "seconds allowed for one OSD run")


def detect(path: str, dpi: int, timeout: float) -> tuple[int, float] | None:
    """(clockwise degrees to turn the image upright, confidence), or None when OSD gives up
    (too few characters: blank or picture pages).
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


class Orientation(PageStage[OrientationOptions]):
    kind = "preprocess"
    name = "preprocess.orientation"
    version = "1"
    Options = OrientationOptions
    summary = "Turn pages scanned sideways or upside down upright (Tesseract OSD)"

    def check(self) -> None:
        exe = shutil.which("tesseract")
        if exe is None:
            raise MissingDependency("tesseract is not installed", hint=_INSTALL)
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
        langs = set((out.stdout + out.stderr).split())
        if "osd" not in langs:
            raise MissingDependency(
                "Tesseract's orientation data (osd.traineddata) is not installed", hint=_INSTALL
            )

    def process_page(self, page: Page, ctx: Context) -> Page:
        if c.should_skip(page):
            return page
        dpi = c.page_dpi(page, ctx)
        found = detect(str(c.image_path(page, ctx)), dpi, self.options.timeout)
        if found is None:
            return c.noted(
                self, page, "orientation: too little text to detect orientation; left as is"
            )
        turn, conf = found
        if turn == 0:
            return c.noted(self, page)
        if conf < self.options.min_confidence:
            return c.noted(
                self,
                page,
                f"orientation: page may need a {turn}° clockwise turn "
                f"(confidence {conf:.1f} < {self.options.min_confidence:g}); left as is",
            )
        img, data = c.read_image(page, ctx)
        out = cv2.rotate(img, _CV_ROTATE[turn])
        note = f"orientation: turned {turn}° clockwise (OSD confidence {conf:.1f})"
        return c.updated(
            self, page, ctx, out, data, warnings=(note,), rotation=(page.rotation + turn) % 360
        )
