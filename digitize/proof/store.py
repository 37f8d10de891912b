"""One book.json being proofread: its versions, atomic saves, undo, the flow, publishing.

Every edit is saved at once (`fileio.write_text`: temp file + rename, so a killed server leaves
the last good book.json) with the edit appended to the book's `corrections`. Saves carry the
version they were based on (a hash of the file as read or written); a save based on anything
else, another tab's or a file changed on disk behind our back, is refused with `Conflict`, so
two tabs never silently overwrite each other.

The flow is rebuilt after each edit by the `layout.flow` stage the conversion ran (default
options: book.json does not record the pipeline's), from the edited page blocks: the pages stay
the one source of truth, and what `digitize export` reads is what the editor shows. `layout.
furniture` is not rerun: its findings already live in the block kinds, which the proofreader
may have changed on purpose.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import tempfile
import threading
from pathlib import Path
from typing import Any

from digitize import corrections as edits
from digitize import registry
from digitize.bookjson import book_from_json, book_to_json
from digitize.engine.export import publish_formats, read_book_json
from digitize.fileio import write_text
from digitize.model import Book, Correction
from digitize.naming import book_stem
from digitize.pipeline import StageSpec, make_options
from digitize.report.pages import FlowIndex, page_data, review_order
from digitize.report.summary import build_report
from digitize.stage import BookStage, Context

FLOW_STAGE = edits.FLOW_STAGE
DEFAULT_FORMATS = ("epub", "html", "txt")


class Conflict(Exception):
    """A save based on a version that is no longer the book's (HTTP 409)."""


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def default_who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def rebuild_flow(book: Book, images: str) -> Book:
    """`book` with its flow rebuilt from its pages by `layout.flow` (figures cropped from the
    trusted work dir `images` only; none when it is "")."""
    cls = registry.load_stage(FLOW_STAGE)
    spec = StageSpec(FLOW_STAGE, cls, make_options(cls, {}, FLOW_STAGE))
    with tempfile.TemporaryDirectory(prefix="digitize-proof-") as empty:
        work = images or empty
        ctx = Context(lang=book.meta.lang, work_dir=work)
        stage = spec.create()
        assert isinstance(stage, BookStage)
        flowed = stage.process_book(dataclasses.replace(book, work_dir=work), ctx)
    return dataclasses.replace(book, flow=flowed.flow)


class BookStore:
    """The book behind one editor session; thread-safe (the server may run requests in a
    thread pool)."""

    def __init__(self, path: Path, images: str = "", who: str = "") -> None:
        self.path = Path(path)
        self.images = images  # the trusted work dir ("" when page images are not available)
        self.who = who or default_who()
        self._lock = threading.Lock()
        self.book = read_book_json(self.path)
        self.version = version_of(self.path.read_bytes())
        self._undo: list[tuple[Book, str]] = []  # (book before my edit, version my edit made)
        self._summary: tuple[str, dict[str, Any]] | None = None
        self.order = [p["i"] for p in self._review_pages(self.book)]  # fixed for the session
        self.order += [p.index for p in self.book.pages if p.index not in self.order]

    # ---------------------------------------------------------------- reading

    def with_images(self, book: Book | None = None) -> Book:
        """The book with its work dir replaced by the trusted one (or none)."""
        return dataclasses.replace(book or self.book, work_dir=self.images)

    def _review_pages(self, book: Book) -> list[dict[str, Any]]:
        report = build_report(
            book,
            source=book.meta.source,
            pipeline={},
            stage_seconds={},
            wall_seconds=0.0,
            cached_pages=0,
            outputs=[],
            warnings=[],
        )
        flow = FlowIndex.of(book)
        pages = [page_data(book, i, flow, rp) for i, rp in enumerate(report["pages"])]
        return review_order(pages) + [p for p in pages if not p["flags"]]

    def summary(self) -> dict[str, Any]:
        """Pages in review order with their flags, confidence and reviewed state."""
        with self._lock:
            if self._summary is not None and self._summary[0] == self.version:
                return self._summary[1]
            book, version = self.book, self.version
        reviewed = edits.reviewed_pages(book)
        by_index = {p["i"]: p for p in self._review_pages(book)}
        pages = [
            {
                "i": i,
                "label": by_index[i]["label"],
                "flags": by_index[i]["flags"],
                "conf": by_index[i]["conf"],
                "reviewed": i in reviewed,
            }
            for i in self.order
            if i in by_index
        ]
        data = {
            "version": version,
            "title": book.meta.title,
            "pages": pages,
            "to_review": sum(1 for p in pages if p["flags"] and not p["reviewed"]),
            "corrections": len(book.corrections),
            "images": bool(self.images),
        }
        with self._lock:
            self._summary = (version, data)
        return data

    # ---------------------------------------------------------------- writing

    def _check(self, base: str) -> None:
        """Refuse a save not based on the book as it is on disk now (caller holds the lock)."""
        try:
            on_disk = version_of(self.path.read_bytes())
        except OSError as e:
            raise Conflict(f"{self.path.name} cannot be read any more: {e.strerror or e}") from e
        if on_disk != self.version:  # changed behind our back: take the new one
            self.book = book_from_json(self.path.read_bytes().decode("utf-8"))
            self.version = on_disk
            self._undo.clear()
        if base != self.version:
            raise Conflict(
                "this book was saved from another tab or program since this page loaded; "
                "your change was not saved: reload to see the latest version, then redo it"
            )

    def _save(self, book: Book) -> None:
        text = book_to_json(book) + "\n"
        write_text(self.path, text)
        self.book, self.version = book, version_of(text.encode("utf-8"))

    def edit(self, base: str, op: str, page: int, block: int = -1, **fields: Any) -> str:
        """Apply one edit on top of version `base`, save, and return the new version."""
        with self._lock:
            self._check(base)
            c = edits.correction(self.book, op, page, block, who=self.who, **fields)
            new = edits.apply(self.book, c)
            if op != "reviewed":
                new = rebuild_flow(new, self.images)
            before = self.book
            self._save(new)
            self._undo.append((before, self.version))
            return self.version

    def undo(self, base: str) -> tuple[str, int]:
        """Take back this session's last edit; returns the new version and the page it was on."""
        with self._lock:
            self._check(base)
            if not self._undo:
                raise edits.EditError("nothing to undo in this session")
            before, made = self._undo[-1]
            if made != self.version:
                raise Conflict("the book was changed elsewhere after your last edit")
            self._undo.pop()
            page = self.book.corrections[-1].page
            self._save(before)
            return self.version, page

    # ---------------------------------------------------------------- publishing

    def formats(self) -> list[str]:
        """The formats this book was published in (its files beside the book.json), else the
        `digitize export` defaults. Never json: the book.json is the store's own file."""
        stem, found = book_stem(self.book.meta), []
        for name in registry.stage_names():
            if not name.startswith("export.") or name == "export.json":
                continue
            suffix = getattr(registry.load_stage(name), "suffix", None)
            if suffix and (self.path.parent / f"{stem}{suffix}").exists():
                found.append(name.removeprefix("export."))
        return found or list(DEFAULT_FORMATS)

    def publish(self) -> list[Path]:
        """Export the saved book beside its book.json, as `digitize export` would."""
        with self._lock:
            book = self.book
            when = int(self.path.stat().st_mtime)
        return publish_formats(book, self.path.parent, self.formats(), self.images, when)

    def corrections(self) -> tuple[Correction, ...]:
        return self.book.corrections
