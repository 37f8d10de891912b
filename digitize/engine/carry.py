"""Proofreading survives a re-conversion into the same output folder.

Converting a book again (other options, a newer digitize) rewrites its book.json; the
corrections a proofreader made in the previous one (`digitize proof`) are read from it first
and applied again to the new pages wherever their block is still found (`corrections.reapply`),
then the pipeline's flow stage rebuilds the flow from them. A correction whose block is gone is
kept in the list and named in a warning, never applied to other text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from digitize import corrections
from digitize.bookjson import from_jsonable
from digitize.model import Book, Correction
from digitize.pipeline import Pipeline
from digitize.stage import BookStage, Context


def previous_corrections(book_json: Path) -> tuple[Correction, ...]:
    """The corrections recorded in an earlier output's book.json (none when there is none,
    or it cannot be read: a broken old file must not stop a conversion)."""
    try:
        data = json.loads(book_json.read_text(encoding="utf-8"))
        found = from_jsonable(data["book"].get("corrections", []))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return ()
    return tuple(c for c in found if isinstance(c, Correction))


def carry(
    book: Book,
    carried: tuple[Correction, ...],
    pipeline: Pipeline,
    ctx: Context,
    warn: Callable[[str], None],
) -> Book:
    """`book` (after the book stages) with `carried` applied and its flow rebuilt."""
    book, missed = corrections.reapply(book, carried)
    for c in missed:
        warn(
            f"page {c.page + 1}: a proofreading correction ({c.op} by {c.who or 'someone'}) "
            f"no longer finds its block {c.anchor[:40]!r}; it was not applied"
        )
    if any(c.op != "reviewed" and c not in missed for c in carried):
        for spec in pipeline.book_stages:
            if spec.name == corrections.FLOW_STAGE:
                stage = spec.create()
                assert isinstance(stage, BookStage)
                book = stage.process_book(book, ctx)
    return book
