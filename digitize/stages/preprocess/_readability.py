"""How well Tesseract reads a page image: decides between orientations when OSD is unsure.

OSD guesses orientation from character shapes; on a sparse page, a page of figures or a scan
with large type it can be unsure (confidence under `min_confidence`), and a page left upside
down is read as garbage. Reading both candidates settles it: the page the way it is read best
(many confident, word-like words) is the right way up. The read is cheap: a downscaled image,
one uniform block (psm 6), through the same `tesseract` CLI the OCR stage uses by default.

Helper module of the preprocess stages; nothing else should import it.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from digitize.lazy import lazy_module

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

READ_DPI = 150  # enough for body text to read; a quarter of the pixels of a 300-dpi page
_WORDLIKE = re.compile(r"^[(\"'“‘]?[^\W\d_]{2,}[)\"'”’.,;:!?]*$")


def read_score(gray: np.ndarray, dpi: int, lang: str, timeout: float = 60.0) -> float:
    """Confidence-weighted count of word-like words Tesseract reads on `gray` (0 = nothing
    readable). Word-like: two or more letters, perhaps quoted or followed by punctuation, the
    shape dictionary words have and misread glyph soup mostly has not."""
    import pytesseract

    if dpi > READ_DPI:
        f = READ_DPI / dpi
        gray = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        dpi = READ_DPI
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(
        np.ascontiguousarray(gray),
        lang=lang,
        config=f"--psm 6 --dpi {dpi}",
        output_type=pytesseract.Output.DICT,
        timeout=timeout,
    )
    score = 0.0
    for text, conf in zip(data["text"], data["conf"], strict=False):
        c = float(conf)
        if c > 0 and _WORDLIKE.match(text.strip()):
            score += c / 100
    return score
