"""Shared by the archival exporters (PDF, hOCR, ALTO): the page-level OCR words.

These formats keep what the page looked like, not the reading flow: every block of every page,
furniture (headers, footers, page numbers) included, with boxes in page-image pixels.
Word text is untrusted: `word_text` cleans it; callers still escape it for XML. The boxes are
pixels of the page image the OCR read (deskewed, cropped): `ship_page_images` delivers those
images beside the files, so a viewer overlays the words on the very pixels they came from.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from digitize.fileio import write_bytes
from digitize.language import guess
from digitize.model import Block, Book, Line, Page, Word
from digitize.naming import book_stem
from digitize.stages.export._media import resolve_in_work_dir
from digitize.stages.export._render import clean, lang_tag


def word_text(word: Word) -> str:
    """A word's text cleaned to one token (no controls, bidi overrides or inner whitespace)."""
    return "".join(clean(word.text).split())


def lines_of(block: Block) -> Iterator[tuple[Line, list[tuple[Word, str]]]]:
    """(line, [(word, cleaned text)]) for each line that still has a word after cleaning."""
    for line in block.lines:
        words = [(w, t) for w in line.words if (t := word_text(w))]
        if words:
            yield line, words


def text_blocks(page: Page) -> list[Block]:
    """The page's blocks that hold at least one printable word, in page order."""
    return [b for b in page.blocks if any(True for _ in lines_of(b))]


def page_dpi(page: Page) -> int:
    """The page's resolution, 300 when unknown (a broken checkpoint must still export)."""
    return page.dpi if page.dpi and page.dpi > 0 else 300


def ibox(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """Integer pixel box, at least one pixel wide and high."""
    a, b = round(x0), round(y0)
    return a, b, max(a + 1, round(x1)), max(b + 1, round(y1))


def block_lang(block: Block, book_lang: str) -> str:
    """The language of a block's text (`language.guess`), the book's when it cannot tell."""
    return lang_tag(guess(block.text) or book_lang)


IMAGES_NOTE = (
    "Coordinates are pixels of the page images in {folder}/ (page-NNNN is the Nth page), the "
    "images the OCR read, after deskewing and cropping; a page without an image (born-digital) "
    "is in its source page's own pixel grid at its scan resolution."
)


def ship_page_images(book: Book, out_dir: Path) -> tuple[dict[int, str], list[Path]]:
    """Write beside the archival files the page images their boxes refer to, as
    `<stem>_pages/page-NNNN.jpg` (a bilevel page: `.png`): {page position: relative name}, and
    the files this call wrote (the hOCR and ALTO exporters of one run share them)."""
    folder = f"{book_stem(book.meta)}_pages"
    names: dict[int, str] = {}
    written: list[Path] = []
    for n, page in enumerate(book.pages, 1):
        # Same geometry as `image`; a grey or colour scan reads better than its binarised copy.
        src = resolve_in_work_dir(book, page.unbinarized) or resolve_in_work_dir(book, page.image)
        if src is None:
            continue
        try:
            with Image.open(src) as im:
                if im.size != tuple(page.size):
                    continue  # not the geometry the boxes are in: better no image than a wrong one
                bilevel = im.mode == "1"
                mode = "1" if bilevel else ("L" if im.mode in ("L", "I", "I;16") else "RGB")
                buf = io.BytesIO()
                im.convert(mode).save(buf, "PNG" if bilevel else "JPEG", quality=80)
        except (OSError, ValueError):
            continue  # an unreadable image: the page keeps its boxes without it
        rel = f"{folder}/page-{n:04d}.{'png' if bilevel else 'jpg'}"
        names[n] = rel
        target = Path(out_dir) / rel
        data = buf.getvalue()
        if not (target.is_file() and target.read_bytes() == data):
            written.append(write_bytes(target, data))
    return names, written
