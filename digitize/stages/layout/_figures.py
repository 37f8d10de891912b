"""Crop figure regions out of page images into content-named files under the work dir."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from digitize.fileio import write_bytes
from digitize.model import BBox, Figure, nfc


def crop_figure(work: Path, image: str | None, bbox: BBox, caption: str = "") -> Figure | None:
    """Crop `bbox` from the page image into `figures/<hash>.png` under `work`.

    The name hashes the page image bytes and the box, so a cached result stays valid and the
    same crop is never written twice. Returns None when the page has no image file.
    """
    if not image:
        return None
    src = work / image
    if not src.is_file():
        return None
    from PIL import Image

    data = src.read_bytes()
    key = hashlib.sha256(data + repr((bbox.x0, bbox.y0, bbox.x1, bbox.y1)).encode()).hexdigest()
    rel = f"figures/{key[:20]}.png"
    with Image.open(src) as im:
        box = (
            max(0, int(bbox.x0)),
            max(0, int(bbox.y0)),
            min(im.width, round(bbox.x1)),
            min(im.height, round(bbox.y1)),
        )
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            return None
        out = work / rel
        if not out.is_file():
            buf = io.BytesIO()
            im.crop(box).save(buf, format="PNG")
            write_bytes(out, buf.getvalue())
    return Figure(rel, nfc(caption), box[2] - box[0], box[3] - box[1])
