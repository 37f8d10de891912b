"""hOCR 1.2: the whole book's OCR as one XHTML file, page by page, with boxes and confidences.

The interchange format OCR correction tools, search highlighters and other engines read.
Boxes are pixels (`bbox x0 y0 x1 y1`) of the page images written beside it in `<stem>_pages/`
(each page's `image` names its own), confidences `x_wconf` 0..100. Page furniture is kept: hOCR
describes the page as printed, not the reading flow. Each paragraph says its language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from digitize.fileio import write_text
from digitize.model import BBox, Book, Page
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export._ocr import (
    IMAGES_NOTE,
    block_lang,
    ibox,
    lines_of,
    page_dpi,
    ship_page_images,
    text_blocks,
)
from digitize.stages.export._render import esc, lang_tag

CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_lang"
# Line classes hOCR has for lines that are not body text (as Tesseract writes them).
_LINE_CLASS = {"heading": "ocr_header", "caption": "ocr_caption"}


@dataclass(frozen=True, slots=True)
class HocrOptions:
    image_paths: bool = opt(True, "write the page images beside the file and name them in it")


class HocrExporter(Exporter):
    name: ClassVar[str] = "export.hocr"
    version: ClassVar[str] = "2"
    suffix: ClassVar[str] = ".hocr"
    Options: ClassVar[type] = HocrOptions
    summary: ClassVar[str] = "hOCR 1.2 XHTML: every page's words with boxes and confidences"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        opts: HocrOptions = self.options
        lang = lang_tag(book.meta.lang)
        images, written = ship_page_images(book, out_dir) if opts.image_paths else ({}, [])
        note = IMAGES_NOTE.format(folder=f"{book_stem(book.meta)}_pages")
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"',
            '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
            f'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{lang}" lang="{lang}">',
            "<head>",
            f"<title>{esc(book.meta.title)}</title>",
            '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
            '<meta name="ocr-system" content="digitize"/>',
            f'<meta name="ocr-capabilities" content="{CAPABILITIES}"/>',
            f'<meta name="ocr-number-of-pages" content="{len(book.pages)}"/>',
            f'<meta name="ocr-langs" content="{_langs(book, lang)}"/>',
            f'<meta name="ocr-coordinates" content="{esc(note if images else _NO_IMAGES)}"/>',
            "</head>",
            "<body>",
        ]
        for n, page in enumerate(book.pages, 1):
            out.extend(_page(page, n, lang, images.get(n)))
        out += ["</body>", "</html>", ""]
        path = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        return [write_text(path, "\n".join(out)), *written]


_NO_IMAGES = "Coordinates are pixels of the page images the OCR read (not delivered)."


def _langs(book: Book, lang: str) -> str:
    """The book's language first, then any other its blocks are in."""
    found = {block_lang(b, lang) for p in book.pages for b in text_blocks(p)}
    return " ".join([lang, *sorted(found - {lang})])


def _bbox(b: BBox) -> str:
    return "bbox {} {} {} {}".format(*ibox(b.x0, b.y0, b.x1, b.y1))


def _page(page: Page, n: int, lang: str, image: str | None) -> list[str]:
    w, h = max(1, page.size[0]), max(1, page.size[1])
    dpi = page_dpi(page)
    title = []
    if image:
        title.append(f'image "{image}"')
    title += [f"bbox 0 0 {w} {h}", f"ppageno {page.index}", f"scan_res {dpi} {dpi}"]
    out = [f'<div class="ocr_page" id="page_{n}" title="{esc("; ".join(title))}">']
    for b, block in enumerate(text_blocks(page), 1):
        bid = f"{n}_{b}"
        out.append(f'<div class="ocr_carea" id="block_{bid}" title="{_bbox(block.bbox)}">')
        par_lang = block_lang(block, lang)
        out.append(
            f'<p class="ocr_par" id="par_{bid}" lang="{par_lang}" title="{_bbox(block.bbox)}">'
        )
        cls = _LINE_CLASS.get(block.kind, "ocr_line")
        for li, (line, words) in enumerate(lines_of(block), 1):
            lid = f"{bid}_{li}"
            spans = [
                f'<span class="ocrx_word" id="word_{lid}_{wi}" '
                f'title="{_bbox(word.bbox)}; x_wconf {_wconf(word.conf)}">{esc(text)}</span>'
                for wi, (word, text) in enumerate(words, 1)
            ]
            out.append(
                f'<span class="{cls}" id="line_{lid}" title="{_bbox(line.bbox)}">'
                + " ".join(spans)
                + "</span>"
            )
        out += ["</p>", "</div>"]
    out.append("</div>")
    return out


def _wconf(conf: float) -> int:
    """Confidence 0..1 (clamped; an edited book.json may hold anything) as hOCR's 0..100."""
    return round(min(1.0, max(0.0, conf)) * 100) if conf == conf else 0
