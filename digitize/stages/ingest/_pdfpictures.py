"""The pictures of a born-digital PDF page (helper of ingest.pdf): where they are, their crops as
figure blocks, and whether a big one holds text the text layer lacks.

A page whose words come from its text layer has no page image, so layout cannot crop its
figures: ingest renders every picture's region itself — image XObjects, images inside Form
XObjects and inline images alike, as MuPDF draws them (`get_image_info` follows all three) —
into `figures/<hash of the PNG>.png` in the work dir, and hands layout a figure block naming it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from digitize.fileio import write_bytes
from digitize.images import glyph_marks
from digitize.model import BBox, Block

MIN_SIDE_PT = 20.0  # smaller pictures are bullets, icons and rules, not figures
BACKGROUND = 0.6  # a picture covering this share of the page is a background or a scan
SCAN_LIKE = 0.5  # a picture this big may be a scan whose text only the pixels hold
MAX_CROP_PIXELS = 16e6  # a figure's crop is rendered at a lower dpi beyond this
INK_DPI = 50  # resolution of the look for unread text inside a big picture
UNREAD_GLYPHS = 40  # glyph-sized ink marks outside every word: text the layer does not have


def picture_rects(page: Any) -> list[Any]:
    """The regions (PDF points, unrotated page space) where the page draws pictures, big enough
    to be figures, overlapping ones merged (an image and its mask, a tiled picture)."""
    import pymupdf

    if not _may_draw_pictures(page):
        return []
    rects: list[Any] = []
    whole = page.rect * page.derotation_matrix  # image boxes are in unrotated page space
    for info in page.get_image_info():
        r = pymupdf.Rect(info["bbox"]) & whole
        if r.is_empty or r.width < MIN_SIDE_PT or r.height < MIN_SIDE_PT:
            continue
        rects.append(r)
    merged: list[Any] = []
    while rects:
        r = rects.pop()
        grown = True
        while grown:
            grown = False
            for other in list(rects):
                if r.intersects(other):
                    r = r | other
                    rects.remove(other)
                    grown = True
        merged.append(r)
    return sorted(merged, key=lambda r: (r.y0, r.x0))


def _may_draw_pictures(page: Any) -> bool:
    """Whether the page's content can draw a picture at all: only an XObject (`Do`) or an
    inline image (`BI`) can. A byte search, where asking MuPDF costs a pass over the page
    (a fifth of a born-digital page's ingest)."""
    try:
        data = page_contents(page)
    except Exception:  # a damaged stream: let MuPDF's own pass decide
        return True
    return b"Do" in data or b"BI" in data


def page_contents(page: Any) -> bytes:
    """The page's content stream bytes, read once per page: the picture test and the hidden
    text test (`_pdftext`) both search them, and a page drawn in many streams (one per line of
    text, as some writers do) costs ~1 ms a page to read."""
    data: bytes | None = page.__dict__.get("_digitize_contents")
    if data is None:
        data = page.read_contents()
        page._digitize_contents = data
    return data


def _share(page: Any, r: Any) -> float:
    return float(abs(r) / max(abs(page.rect), 1.0))


def picture_blocks(page: Any, rects: list[Any], dpi: int, work_dir: str) -> tuple[Block, ...]:
    """A figure block per picture (backgrounds left out), its crop rendered from the page at
    `dpi` (lower for a huge one) into the work dir under a name derived from its pixels."""
    import pymupdf

    a, b, c, d, e, f = page.rotation_matrix * pymupdf.Matrix(dpi / 72, dpi / 72)
    blocks = []
    for r in rects:
        if _share(page, r) >= BACKGROUND:
            continue
        crop_dpi = dpi
        pixels = r.width * r.height * (dpi / 72) ** 2
        if pixels > MAX_CROP_PIXELS:
            crop_dpi = max(36, int(dpi * (MAX_CROP_PIXELS / pixels) ** 0.5))
        clip = r * page.rotation_matrix  # rendering clips in the rotated page's space
        pix = page.get_pixmap(clip=clip, dpi=crop_dpi, colorspace=pymupdf.csRGB, alpha=False)
        data = pix.tobytes("png")
        rel = f"figures/{hashlib.sha256(data).hexdigest()[:20]}.png"
        target = Path(work_dir) / rel
        if not target.is_file():
            write_bytes(target, data, durable=False)  # made again when missing
        corners = ((r.x0, r.y0), (r.x1, r.y1), (r.x0, r.y1), (r.x1, r.y0))
        xs = [a * x + c * y + e for x, y in corners]
        ys = [b * x + d * y + f for x, y in corners]
        blocks.append(Block("figure", (), BBox(min(xs), min(ys), max(xs), max(ys)), image=rel))
    return tuple(blocks)


def unread_text(page: Any, rects: list[Any], words: list[tuple[Any, ...]]) -> bool:
    """Whether a big picture on the page holds text the text layer lacks: glyph-sized marks of
    ink outside every word of the layer (a scanned page with a few words typed over it, whose
    text must be OCRed). A short text layer that is all the page's text is used as it is."""
    big = [r for r in rects if _share(page, r) >= SCAN_LIKE]
    if not big:
        return False
    import numpy as np  # here: most pages have no big picture, and NumPy costs 0.1 s to load
    import pymupdf

    scale = INK_DPI / 72
    rot = page.rotation_matrix
    for r in big:
        clip = r * rot  # rendering works in the rotated page's space; boxes are unrotated
        pix = page.get_pixmap(clip=clip, dpi=INK_DPI, colorspace=pymupdf.csGRAY)
        gray = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
        for x0, y0, x1, y1, *_ in words:  # the layer's own words explain their ink
            wr = pymupdf.Rect(x0, y0, x1, y1) * rot
            wx0, wy0 = int((wr.x0 - clip.x0) * scale) - 1, int((wr.y0 - clip.y0) * scale) - 1
            wx1, wy1 = int((wr.x1 - clip.x0) * scale) + 2, int((wr.y1 - clip.y0) * scale) + 2
            gray[max(0, wy0) : max(0, wy1), max(0, wx0) : max(0, wx1)] = 255
        if glyph_marks(gray, INK_DPI) >= UNREAD_GLYPHS:
            return True
    return False
