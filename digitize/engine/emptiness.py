"""An empty book is not a success: the verdict on a book whose output holds no text.

A truncated or broken PDF opens (MuPDF repairs what it can) and yields pages without content;
the run used to write an empty EPUB and exit 0, and a batch recorded the book as done. When the
input had text — a text layer, pages that failed to open or that the PDF reader had to repair,
scanned pages showing glyph-shaped ink — and nothing of it reached the book, the run fails
(exit 6, `failed` in a batch ledger). Truly blank input (blank pages, no ink, no damage) only
gets a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitize.images import glyph_marks
from digitize.model import Book, FlowItem, ListBlock, Page, Table
from digitize.report.summary import DAMAGE_PREFIXES, page_ranges

TEXT_LIKE_MARKS = 60  # glyph-sized marks on a page image: text, not specks on a blank page


@dataclass(frozen=True)
class Emptiness:
    """What to say about a book without text: `error` stops the run, `warning` does not."""

    error: str = ""
    warning: str = ""


def _flow_text(item: FlowItem) -> str:
    if isinstance(item, ListBlock):
        return "".join(item.items)
    if isinstance(item, Table):
        return "".join("".join(row) for row in item.rows)
    return str(getattr(item, "text", "") or getattr(item, "caption", ""))


def has_text(book: Book) -> bool:
    """Whether any word reached the book (its pages or its reading-order flow)."""
    if any(w.text.strip() for p in book.pages for w in p.words):
        return True
    return any(_flow_text(item).strip() for item in book.flow)


def _shows_text(book: Book, page: Page) -> bool:
    """Whether a scanned page's image holds marks shaped like glyphs (so OCR missed its text):
    looked at only for a book that came out without any text, at a quarter resolution."""
    if page.failed or not page.image or page.source != "scan":
        return False
    import cv2

    path = Path(book.work_dir) / page.image
    gray = cv2.imread(str(path), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    return gray is not None and glyph_marks(gray, page.dpi / 4) >= TEXT_LIKE_MARKS


def _pages(numbers: list[int]) -> str:
    return f"{'pages' if len(numbers) > 1 else 'page'} {page_ranges(numbers)}"


def judge(book: Book, name: str) -> Emptiness:
    """The verdict on `book` (read from the input `name`): nothing to say when it has text."""
    if has_text(book):
        return Emptiness()
    failed = [p.index + 1 for p in book.pages if p.failed]
    damaged = [
        p.index + 1
        for p in book.pages
        if not p.failed and any(w.startswith(DAMAGE_PREFIXES) for w in p.warnings)
    ]
    layer = [p.index + 1 for p in book.pages if p.source == "textlayer" and not p.failed]
    inked = [p.index + 1 for p in book.pages if _shows_text(book, p)]
    causes = []
    if failed:
        causes.append(f"failed {_pages(failed)}")
    if damaged:
        causes.append(f"damaged {_pages(damaged)} (a truncated or broken file)")
    if layer:
        causes.append(f"a text layer on {_pages(layer)}")
    if inked:
        causes.append(f"text-like ink on {_pages(inked)}")
    if causes:
        return Emptiness(
            error=f"{name}: no text reached the book despite {', '.join(causes)}: "
            "no e-book written",
        )
    return Emptiness(warning=f"{name}: no text found on any page (blank pages?)")
