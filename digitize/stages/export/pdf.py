# mypy: disallow-untyped-calls=False
"""Searchable PDF: each page its scan as a JPEG, with the OCR words as an invisible text layer.

The archival copy libraries expect: it looks exactly like the book and its text can be searched,
selected and copied. Each word is placed on its box and stretched horizontally to the box width,
so a selection highlights the printed word. Born-digital pages (no image) get the text visible.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pymupdf
from PIL import Image, UnidentifiedImageError

from digitize.fileio import write_bytes
from digitize.model import Book, Page
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export._media import build_epoch, resolve_in_work_dir
from digitize.stages.export._ocr import lines_of, page_dpi
from digitize.stages.export._render import clean

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_NAME = "F0"
MAX_PT = 14400


@dataclass(frozen=True, slots=True)
class PdfOptions:
    jpeg_quality: int = opt(75, "JPEG quality (1-95) of the page images")
    text_layer: bool = opt(True, "add the OCR words as an invisible, searchable text layer")
    unbinarized: bool = opt(True, "show the page as scanned (before binarisation) when kept")


class PdfExporter(Exporter):
    name: ClassVar[str] = "export.pdf"
    version: ClassVar[str] = "1"
    # Never "<stem>.pdf": with `-o` pointing at the input's folder that would overwrite the scan.
    suffix: ClassVar[str] = ".ocr.pdf"
    Options: ClassVar[type] = PdfOptions
    summary: ClassVar[str] = "searchable PDF: page scans with an invisible OCR text layer"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        opts: PdfOptions = self.options
        quality = min(95, max(1, opts.jpeg_quality))
        doc = pymupdf.open()
        font = pymupdf.Font(fontfile=str(FONT_FILE)) if FONT_FILE.is_file() else None
        for page in book.pages:
            _add_page(doc, book, page, font, quality, opts)
        if not book.pages:  # a PDF must have a page
            doc.new_page()
        if font is not None and doc.get_page_fonts(0):
            doc.subset_fonts()  # DejaVu is 750 KB; the glyphs used are a few KB
        doc.set_metadata(_metadata(book, build_epoch(ctx.build_time)))
        data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
        doc.close()
        out = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        return [write_bytes(out, data)]


def _add_page(
    doc: pymupdf.Document,
    book: Book,
    page: Page,
    font: pymupdf.Font | None,
    quality: int,
    opts: PdfOptions,
) -> None:
    w_px, h_px = max(1, page.size[0]), max(1, page.size[1])
    # PDF viewers refuse pages over 200 in (14400 pt): a bogus dpi of 1 must not break the file.
    scale = min(72 / page_dpi(page), MAX_PT / max(w_px, h_px))
    width, height = w_px * scale, h_px * scale
    pdf_page = doc.new_page(width=width, height=height)
    # Same geometry as `image`; a grey or colour scan reads better than its binarised copy.
    image = resolve_in_work_dir(book, page.unbinarized) if opts.unbinarized else None
    image = image or resolve_in_work_dir(book, page.image)
    jpeg = _jpeg(image, quality) if image is not None else None
    if jpeg is not None:
        pdf_page.insert_image(pdf_page.rect, stream=jpeg)
    if not opts.text_layer and jpeg is not None:
        return
    words = [wt for b in page.blocks for _, ws in lines_of(b) for wt in ws]
    if not words:
        return
    fontname = "helv"
    if font is not None:
        pdf_page.insert_font(fontname=FONT_NAME, fontfile=str(FONT_FILE))
        fontname = FONT_NAME
    measure = font or pymupdf.Font("helv")
    asc, desc = measure.ascender, measure.descender
    shape = pdf_page.new_shape()
    for word, text in words:
        b = word.bbox
        h = max(b.height, 1.0) * scale
        size = h / max(asc - desc, 0.5)
        natural = sum(_advance(measure, ch) for ch in text) * size
        if natural <= 0:
            continue
        origin = pymupdf.Point(b.x0 * scale, b.y1 * scale + desc * size)
        stretch = pymupdf.Matrix(max(b.width, 1.0) * scale / natural, 0, 0, 1, 0, 0)
        shape.insert_text(
            origin,
            text,
            fontsize=size,
            fontname=fontname,
            render_mode=3 if jpeg is not None else 0,
            morph=(origin, stretch),
        )
    shape.commit()


_ADVANCES: dict[tuple[str, str], float] = {}


def _advance(font: pymupdf.Font, ch: str) -> float:
    """Width of `ch` at size 1: `Font.text_length` per word was a third of the export time."""
    key = (font.name, ch)
    if key not in _ADVANCES:
        _ADVANCES[key] = font.text_length(ch, fontsize=1)
    return _ADVANCES[key]


def _jpeg(path: Path, quality: int) -> bytes | None:
    """The page image as JPEG; grey scans stay one channel (a third of the size)."""
    try:
        with Image.open(path) as src:
            im = src.convert("L") if src.mode in ("1", "L", "I;16", "I") else src.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None  # a missing scan leaves a page with only its text, not a failed export
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _metadata(book: Book, epoch: int | None) -> dict[str, str]:
    meta = {
        "title": clean(book.meta.title),
        "author": clean(", ".join(book.meta.authors)),
        "subject": clean(book.meta.description),
        "producer": "digitize",
        "creator": "digitize",
        "keywords": "",
        "creationDate": "",
        "modDate": "",
    }
    if epoch is not None:
        when = time.strftime("D:%Y%m%d%H%M%S+00'00'", time.gmtime(epoch))
        meta["creationDate"] = meta["modDate"] = when
    return meta
