"""The render resolution of a large PDF page, chosen from the size of its text.

A poster or a 30-inch scan embedded in a PDF rendered at the book's 300 dpi (or capped to the
megapixel limit) puts letters hundreds of pixels tall in front of Tesseract, which reads them
as garbage ("9000x9000" → "90Ó00x9(©(@0)") at a confident 76 %. Tesseract reads best when the
x-height is about 20-30 px. For large pages we measure the text on a small preview (connected
components, the median character height) and pick the dpi that puts it there.

Helper module of the PDF ingester; nothing else should import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from digitize.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # only a large scanned page is measured

TARGET_XHEIGHT = 30.0  # px: the top of the range Tesseract reads best (thin faces need it)
LOW, HIGH = 12.0, 60.0  # px: outside this the text size is worth changing the dpi for
LARGE_INCHES = 17.0  # pages with a longer side than this (bigger than A3/tabloid) are measured
PREVIEW_PIXELS = 2.5e6
MIN_DPI = 50


def x_height(grey: np.ndarray) -> float | None:
    """The text's x-height in px, estimated from a grey image (dark ink on light paper) as the
    30th percentile of character-like connected components' heights (small letters are the most
    common short components; the median drifts to capitals and digits), or None when there are
    too few to tell."""
    import cv2

    _t, bw = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if bw.mean() > 0.5:  # more ink than paper: light text on dark, or a photo
        return None
    n, _lab, stats, _c = cv2.connectedComponentsWithStats(bw, connectivity=8)
    H = bw.shape[0]
    hs = [
        int(h)
        for _x, _y, w, h, area in stats[1:n]
        if 3 <= h <= H / 8 and w <= 3 * h and area >= 4 and h <= 4 * max(w, 1)
    ]
    if len(hs) < 8:
        return None
    return float(np.percentile(hs, 30))


def text_dpi(page: Any, dpi: int) -> tuple[int, float | None]:
    """(the dpi to render `page` at, the text's x-height in px at that dpi, if measured).

    Only pages longer than LARGE_INCHES are measured (a book page at the book's dpi is left
    alone: measuring costs a render); the dpi never goes above `dpi`."""
    import pymupdf

    rect = page.rect
    if max(rect.width, rect.height) / 72 <= LARGE_INCHES:
        return dpi, None
    preview = 72 * (PREVIEW_PIXELS / max(1.0, rect.width * rect.height)) ** 0.5
    preview = min(preview, float(dpi))
    pix = page.get_pixmap(matrix=pymupdf.Matrix(preview / 72, preview / 72), colorspace="gray")
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    h = x_height(grey)
    if h is None:
        return dpi, None
    xh_at = h * dpi / preview
    if LOW <= xh_at <= HIGH:
        return dpi, xh_at
    best = round(dpi * TARGET_XHEIGHT / xh_at)
    best = max(MIN_DPI, min(dpi, best))
    return best, h * best / preview
