# mypy: disallow-untyped-calls=False
"""Searchable PDF: each page its scan as a JPEG, with the OCR words as an invisible text layer.

The archival copy libraries expect: it looks exactly like the book, at the source page's size,
and its text can be searched, selected and copied. Each printed line is one run of text with real
spaces, stretched to the line's box, so Poppler and MuPDF both read lines in order and words
whole, and a selection highlights the printed words. Born-digital pages (no image) get the text
visible.
"""

from __future__ import annotations

import io
import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pymupdf
from PIL import Image, UnidentifiedImageError

from digitize.fileio import write_bytes
from digitize.model import Block, Book, Page, Word
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export._media import build_epoch, resolve_in_work_dir
from digitize.stages.export._ocr import lines_of, page_dpi
from digitize.stages.export._render import clean

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_NAME = "F0"
MAX_PT = 14400
LINE_PITCH = 1.2  # baseline distance of a block's lines, in ems of its text layer, at most
COLUMN_FILL = 0.9  # part of its line a column's text covers when another column stands beside it


@dataclass(frozen=True, slots=True)
class PdfOptions:
    jpeg_quality: int = opt(75, "JPEG quality (1-95) of the page images")
    text_layer: bool = opt(True, "add the OCR words as an invisible, searchable text layer")
    unbinarized: bool = opt(True, "show the page as scanned (before binarisation) when kept")


class PdfExporter(Exporter):
    name: ClassVar[str] = "export.pdf"
    version: ClassVar[str] = "2"
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


def page_geometry(page: Page) -> tuple[float, float, float, float, float]:
    """(page width, page height, scale, dx, dy): the PDF page keeps the source page's size and
    orientation (`print_size`, turned with the image when orientation turned it a quarter);
    the image is drawn at its real size (72 / dpi points a pixel) centred on it, so what
    deskew added at the corners or borders cut at the edges changes no size. Pixel (x, y)
    lands at (x * scale + dx, y * scale + dy). Without a usable source size (an old
    book.json, a spread split in two) the page is the image's own size."""
    w_px, h_px = max(1, page.size[0]), max(1, page.size[1])
    # PDF viewers refuse pages over 200 in (14400 pt): a bogus dpi of 1 must not break the file.
    scale = min(72 / page_dpi(page), MAX_PT / max(w_px, h_px))
    img_w, img_h = w_px * scale, h_px * scale
    size = page.print_size
    if size and size[0] > 0 and size[1] > 0 and page.rotation % 180 == 90:
        size = (size[1], size[0])
    if not size or not (0 < size[0] <= MAX_PT and 0 < size[1] <= MAX_PT):
        return img_w, img_h, scale, 0.0, 0.0
    # The image must be about the page's shape and size; a half spread, or an image rendered
    # at another resolution than its dpi says, is shown at its own size.
    if not (0.8 < img_w / size[0] < 1.25 and 0.8 < img_h / size[1] < 1.25):
        return img_w, img_h, scale, 0.0, 0.0
    width, height = size
    return width, height, scale, (width - img_w) / 2, (height - img_h) / 2


def _add_page(
    doc: pymupdf.Document,
    book: Book,
    page: Page,
    font: pymupdf.Font | None,
    quality: int,
    opts: PdfOptions,
) -> None:
    width, height, scale, dx, dy = page_geometry(page)
    pdf_page = doc.new_page(width=width, height=height)
    # Same geometry as `image`; a grey or colour scan reads better than its binarised copy.
    image = resolve_in_work_dir(book, page.unbinarized) if opts.unbinarized else None
    image = image or resolve_in_work_dir(book, page.image)
    jpeg = _jpeg(image, quality) if image is not None else None
    if jpeg is not None:
        w_px, h_px = max(1, page.size[0]), max(1, page.size[1])
        box = pymupdf.Rect(dx, dy, dx + w_px * scale, dy + h_px * scale)
        pdf_page.insert_image(box, stream=jpeg)
    if not opts.text_layer and jpeg is not None:
        return
    blocks = [(b, lines) for b in page.blocks if (lines := [ws for _, ws in lines_of(b)])]
    if not blocks:
        return
    fontname = "helv"
    if font is not None:
        pdf_page.insert_font(fontname=FONT_NAME, fontfile=str(FONT_FILE))
        fontname = FONT_NAME
    measure = font or pymupdf.Font("helv")
    shape = pdf_page.new_shape()
    mode = 3 if jpeg is not None else 0
    for block, lines in blocks:
        size = _block_size(lines) * scale
        # A column with text beside it ends its lines short of the gutter, or Poppler reads
        # across it (a line of each column as one).
        fill = COLUMN_FILL if _beside(block, [b for b, _ in blocks]) else 1.0
        for words in lines:
            _line(shape, measure, fontname, words, (scale, dx, dy), size, fill, mode)
    shape.commit()


def _block_size(lines: list[list[tuple[Word, str]]]) -> float:
    """One font size for a block, in pixels: Poppler groups lines into a column only when they
    share a size and their baselines stand close enough for it, else it reads two columns line
    by line across. The em is the height of the lines (ascender to descender), or a little
    more where lines stand far apart (LINE_PITCH ems at most, a quarter more at most)."""
    heights = sorted(_ink_height(words) for words in lines)
    size = max(heights[len(heights) // 2], 1.0)
    bottoms = [max(w.bbox.y1 for w, _ in words) for words in lines]
    gaps = sorted(b - a for a, b in itertools.pairwise(bottoms) if b > a)
    if gaps:  # lines further apart than a paragraph's are not one column's: no more than 1.25x
        size = max(size, min(gaps[len(gaps) // 2] / LINE_PITCH, 1.25 * size))
    return size


def _beside(block: Block, blocks: list[Block]) -> bool:
    """Does another text block stand to the right of `block`, level with it?"""
    b = block.bbox
    return any(
        o is not block
        and o.bbox.x0 >= b.x1 - 0.02 * b.width
        and min(o.bbox.y1, b.y1) - max(o.bbox.y0, b.y0) > 0
        for o in blocks
    )


def _ink_height(words: list[tuple[Word, str]]) -> float:
    """A line's text height: its tallest word (the line box with ascenders and descenders)."""
    return max(w.bbox.height for w, _ in words)


def _line(
    shape: pymupdf.Shape,
    font: pymupdf.Font,
    fontname: str,
    words: list[tuple[Word, str]],
    geometry: tuple[float, float, float],
    size: float,
    fill: float,
    render_mode: int,
) -> None:
    """One printed line as one run of text: its words in order, separated by real spaces,
    on the line's baseline, at one size, stretched horizontally so that the words (and the
    gaps between them) cover the line's box: extraction tools read one line per line and a
    word per word, and a search highlights the printed words. `size` is the block's font size;
    `fill` the part of the line's width the text covers (less in a column with text beside it).

    The way OCRmyPDF's hOCR renderer does it (a line per text object, the font scaled to the
    line, horizontal scaling to the box), with one scale per line: PyMuPDF's insert_text
    takes one matrix per call."""
    scale, dx, dy = geometry
    x0 = min(w.bbox.x0 for w, _ in words) * scale + dx
    x1 = max(w.bbox.x1 for w, _ in words) * scale + dx
    # The line's lowest descender is the font's.
    bottom = max(w.bbox.y1 for w, _ in words) * scale + dy
    baseline = bottom + font.descender * size
    text = " ".join(t for _, t in words)
    natural = sum(_advance(font, ch) for ch in text) * size
    if natural <= 0 or x1 <= x0:
        return
    origin = pymupdf.Point(x0, baseline)
    stretch = pymupdf.Matrix((x1 - x0) * fill / natural, 0, 0, 1, 0, 0)
    shape.insert_text(
        origin,
        text,
        fontsize=size,
        fontname=fontname,
        render_mode=render_mode,
        morph=(origin, stretch),
    )


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
