"""Rebuild a book's outputs from its (possibly corrected) book.json, without OCR.

Shared by `digitize export` and the proofreading editor's Publish button, so both publish a
corrected book the same way: same exporters, same staging (all formats appear together or
none), same rule for which work dir may lend page images and figures.

A book.json is a file people edit and pass around, so its `work_dir` (where page images and
figure crops live) is not trusted blindly: a crafted one could otherwise pull any picture on
this machine into an e-book that then gets published. It is used when it lies inside the page
cache (where digitize puts every book it converts) or when the user names it explicitly.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from digitize import model
from digitize import pipeline as pipelines
from digitize.engine.outputs import publish, staging
from digitize.errors import BadInput
from digitize.model import Book
from digitize.stage import Context
from digitize.validate import check_book


def trusted_work_dir(named: str, explicit: Path | None, cache_root: Path) -> tuple[str, str]:
    """(the work dir to read images from, a warning or ""): `explicit` if given; `named` (the
    book.json's) when it lies inside `cache_root`; otherwise none at all."""
    if explicit is not None:
        return str(explicit.resolve()), ""
    where = Path(named).resolve() if named else None
    if where is not None and where.is_dir():  # (a --no-cache run's is gone: nothing to use)
        if where.is_relative_to(cache_root.resolve()):
            return str(where), ""
        return "", (
            f"the book.json names work dir {named}, outside digitize's cache ({cache_root}): "
            "page images and figures are left out; pass --work-dir to use it"
        )
    return "", ""


def read_book_json(path: Path) -> Book:
    """The Book in `path`, checked field by field; BadInput (one line) when it is not one."""
    try:
        book = model.book_from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not a valid book.json: {e}") from e
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror or e}") from e
    check_book(book, str(path))  # a hand-edited field of the wrong type
    return book


def export_book(
    book: Book, output: Path, formats: list[str], images: str, build_time: int
) -> list[Path]:
    """Run the exporters of `formats` on `book` into `output` (staged, published together).

    `images`: the trusted work dir (see `trusted_work_dir`), or "" for none; `build_time`: the
    timestamp written into the outputs (the book.json's mtime keeps a re-export reproducible).
    Returns the published files."""
    pipe = pipelines.with_exporters(pipelines.Pipeline(name="export"), formats)
    with tempfile.TemporaryDirectory(prefix="digitize-export-") as empty:
        # No trusted work dir: an empty one, so nothing resolves (not the current folder).
        book = dataclasses.replace(book, work_dir=images or empty)
        ctx = Context(lang=book.meta.lang, work_dir=book.work_dir, build_time=build_time)
        with staging(output) as stage_dir:  # all formats appear together, or none
            written: list[Path] = []
            for spec in pipe.exporters:
                written += spec.create().export(book, stage_dir, ctx)  # type: ignore[attr-defined]
            return publish(stage_dir, output, written)
