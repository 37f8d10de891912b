"""What a run tells its caller: progress events as they happen, and the finished book."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitize.model import Book


class Progress:
    """Progress events of a run; the CLI subclasses it (rich bar, plain lines, JSON log). The
    engine never prints: everything a person or a log should see goes through here."""

    def book_started(self, name: str, pages: int) -> None: ...
    def pages_done(self, n: int = 1) -> None: ...
    def stage(self, name: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def book_finished(self, result: BookResult) -> None: ...


@dataclass
class BookResult:
    """One converted book: its source, output stem, the files published, the run report and
    the book as exported."""

    src: Path
    stem: str
    outputs: list[Path]
    report: dict[str, Any]
    book: Book

    @property
    def failed_pages(self) -> list[tuple[int, str]]:
        return [(p.index, p.failed) for p in self.book.pages if p.failed]
