"""Shared by the archival exporters (PDF, hOCR, ALTO): the page-level OCR words.

These formats keep what the page looked like, not the reading flow: every block of every page,
furniture (headers, footers, page numbers) included, with boxes in page-image pixels.
Word text is untrusted: `word_text` cleans it; callers still escape it for XML.
"""

from __future__ import annotations

from collections.abc import Iterator

from digitize.model import Block, Line, Page, Word
from digitize.stages.export._render import clean


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
