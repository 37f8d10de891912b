"""Small damaged, hostile and odd input files made on the fly (shared by the bad-input and
fuzz tests). Each maker writes one file and returns its path."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFont

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = (
    "Học sinh đọc kỹ đoạn văn sau rồi trả lời các câu hỏi ở cuối bài. "
    "The quick brown fox jumps over the lazy dog while the teacher explains."
)


def text_pdf(
    path: Path,
    pages: Sequence[Sequence[str]] = ((WORDS,), (WORDS,)),
    title: str | None = None,
    author: str | None = None,
    **save: object,
) -> Path:
    """A born-digital PDF (a text layer: no OCR needed, converts in a second), fonts subset so
    the file stays small (~40 KB)."""
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        y = 90.0
        for line in lines:
            page.insert_text((50, y), line, fontfile=DEJAVU, fontname="dv", fontsize=10)
            y += 20
    md = {}
    if title is not None:
        md["title"] = title
    if author is not None:
        md["author"] = author
    if md:
        doc.set_metadata(md)
    doc.subset_fonts()
    doc.save(path, garbage=3, deflate=True, **save)
    return path


def zero_page_pdf(path: Path) -> Path:
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return path


def broken_xref_pdf(good: Path, path: Path) -> Path:
    """The xref table's offsets all point to the wrong place (and startxref too)."""
    data = good.read_bytes()
    i = data.rindex(b"\nxref")
    tail = data[i:].replace(b"0000", b"9999").replace(b"startxref\n", b"startxref\n9")
    path.write_bytes(data[:i] + tail)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(path: Path, side: int = 100_000) -> Path:
    """A PNG whose header claims side x side pixels (10 gigapixels by default) in 100 bytes."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + png_chunk(b"IEND", b"")
    )
    return path


def text_image(text: str = "Bài 1. Học sinh đọc sách", w: int = 900, h: int = 260) -> Image.Image:
    """A small page-like image with one line of real text (OCR takes a fraction of a second)."""
    im = Image.new("L", (w, h), 250)
    font = ImageFont.truetype(DEJAVU, 40)
    ImageDraw.Draw(im).text((40, 100), text, fill=10, font=font)
    return im


def tiff_with_corrupt_frame(path: Path, n: int = 5, bad: int = 2) -> Path:
    """A multi-page TIFF of `n` text frames whose frame `bad` (1-based) has garbage pixels data."""
    frames = [text_image(f"Trang {i + 1}. Học sinh đọc sách") for i in range(n)]
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        compression="tiff_adobe_deflate",
        dpi=(300, 300),
    )
    with Image.open(path) as im:
        im.seek(bad - 1)
        offset = im.tag_v2[273][0]  # StripOffsets of the bad frame
    data = bytearray(path.read_bytes())
    data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    return path


def small_png(path: Path, w: int = 200, h: int = 260) -> Path:
    a = np.full((h, w), 235, np.uint8)
    a[60:80, 20 : w - 20] = 20
    Image.fromarray(a).save(path, dpi=(300, 300))
    return path


def small_tiff(path: Path, frames: int = 2) -> Path:
    ims = [Image.fromarray(np.full((120, 100), 200 - 40 * i, np.uint8)) for i in range(frames)]
    ims[0].save(path, save_all=True, append_images=ims[1:], compression="tiff_adobe_deflate")
    return path


def _picture_page(doc: pymupdf.Document, line: str) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 90), line, fontfile=DEJAVU, fontname="dv", fontsize=12)
    return page


def _picture_png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 255, (90, 120, 3)).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def pictures_pdf(path: Path) -> Path:
    """Three born-digital pages, each a line of text and a picture drawn another way: an image
    XObject, an image inside a Form XObject, an inline image."""
    box = pymupdf.Rect(100, 200, 400, 425)
    doc = pymupdf.open()
    _picture_page(doc, "Picture one: an image XObject.").insert_image(box, stream=_picture_png(1))
    holder = pymupdf.open()
    held = holder.new_page(width=300, height=225)
    held.insert_image(held.rect, stream=_picture_png(2))
    _picture_page(doc, "Picture two: a Form XObject.").show_pdf_page(box, holder, 0)
    page = _picture_page(doc, "Picture three: an inline image.")
    raw = bytes(np.add.outer(np.arange(16), np.arange(16)).astype(np.uint8) * 8)
    inline = b"\nq 300 0 0 225 100 417 cm BI /W 16 /H 16 /BPC 8 /CS /G ID " + raw + b" EI Q\n"
    xref = page.get_contents()[-1]
    doc.update_stream(xref, doc.xref_stream(xref) + inline)
    doc.subset_fonts()
    doc.save(path, garbage=3, deflate=True)
    return path
