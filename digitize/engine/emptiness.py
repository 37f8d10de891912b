"""An empty book is not a success: the verdict on a book whose output holds no text.

A truncated or broken PDF opens (MuPDF repairs what it can) and yields pages without content;
the run used to write an empty EPUB and exit 0, and a batch recorded the book as done. When the
input had text — a text layer, pages that failed to open, or pages the PDF reader had to repair —
and nothing of it reached the book, the run fails (exit 6, `failed` in a batch ledger). Truly
blank input (blank pages, no damage) only gets a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from digitize.model import Book, FlowItem, ListBlock, Table
from digitize.report.summary import DAMAGE_PREFIXES, page_ranges


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
    causes = []
    if failed:
        causes.append(f"failed {_pages(failed)}")
    if damaged:
        causes.append(f"damaged {_pages(damaged)} (a truncated or broken file)")
    if layer:
        causes.append(f"a text layer on {_pages(layer)}")
    if causes:
        return Emptiness(
            error=f"{name}: no text reached the book despite {', '.join(causes)}: "
            "no e-book written",
        )
    return Emptiness(warning=f"{name}: no text found on any page (blank pages?)")
