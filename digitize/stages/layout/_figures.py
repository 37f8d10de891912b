"""Crop figure regions out of page images into content-named files under the work dir.

`layout.blocks` crops a page's figures in its worker, where the page's pixels are still in
memory and pages run in parallel; `layout.flow`, in the parent after the last page, then only
finds the files. It crops what is missing itself (a page whose layout came from the cache).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from digitize.fileio import write_bytes
from digitize.images import names_its_content
from digitize.model import BBox, Figure, Page, nfc

Box = tuple[int, int, int, int]


def crop_figure(
    work: Path, page: Page, bbox: BBox, caption: str = "", gray: Any = None
) -> Figure | None:
    """Crop `bbox` from the page image into `figures/<hash>.png` under `work`.

    The name hashes the page image (its content-derived name, else its bytes) and the box, so a
    cached result stays valid and the same crop is never written twice. Returns None when the
    page has no image file or the box is empty. `gray`: the image's grey pixels when the
    caller holds them (saves decoding the file; the same pixels either way).
    """
    if not page.image:
        return None
    src = work / page.image
    if not src.is_file():
        return None
    from PIL import Image

    with Image.open(src) as im:  # reads the header only
        width, height = im.size
    box = (
        max(0, int(bbox.x0)),
        max(0, int(bbox.y0)),
        min(width, round(bbox.x1)),
        min(height, round(bbox.y1)),
    )
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return None
    seed = page.image.encode() if names_its_content(page.image) else src.read_bytes()
    rel = f"figures/{hashlib.sha256(seed + repr(box).encode()).hexdigest()[:20]}.png"
    out = work / rel
    if not out.is_file():
        write_bytes(out, _crop_png(src, box, gray))
    return Figure(rel, nfc(caption), box[2] - box[0], box[3] - box[1])


def _crop_png(src: Path, box: Box, gray: Any) -> bytes:
    """The crop as PNG: from the grey pixels the caller holds, else decoded from disk (the same
    pixels and encoder either way)."""
    from PIL import Image

    buf = io.BytesIO()
    if gray is not None:
        Image.fromarray(gray[box[1] : box[3], box[0] : box[2]]).save(buf, format="PNG")
    else:
        with Image.open(src) as im:
            im.crop(box).save(buf, format="PNG")
    return buf.getvalue()
