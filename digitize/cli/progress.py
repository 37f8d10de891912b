"""Progress sinks for the runner: a rich bar on a terminal, log lines otherwise, or JSON events.

Unattended runs (cron, systemd) read `--log-format json`: one object per line on stderr or in
`--log-file`, each with a timestamp and an `event` name.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from digitize.engine import events as runner

if TYPE_CHECKING:
    from rich.console import Console


def _bar(console: Console, after_count: str, before_eta: str) -> Any:
    """A rich progress display: description, bar, n/total, `after_count`, elapsed time,
    `before_eta`, time remaining. rich.progress is imported here: unattended runs (no terminal)
    never draw one, and it is 0.04 s of every command's start-up."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(after_count),
        TimeElapsedColumn(),
        *([TextColumn(before_eta)] if before_eta else []),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


class PlainProgress(runner.Progress):
    """Plain log lines: for pipes, files and CI logs."""

    def __init__(self, stream: IO[str] | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self._book = ""
        self._total = 0
        self._done = 0
        self._last = 0.0

    def _line(self, text: str, always: bool = False) -> None:
        if not self.quiet or always:
            print(f"{time.strftime('%H:%M:%S')} {text}", file=self.stream, flush=True)

    def book_started(self, name: str, pages: int) -> None:
        self._book, self._total, self._done = name, pages, 0
        self._line(f"{name}: {pages} pages")

    def pages_done(self, n: int = 1) -> None:
        self._done += n
        now = time.monotonic()
        if self._done == self._total or now - self._last > 5:
            self._last = now
            self._line(f"{self._book}: {self._done}/{self._total} pages")

    def warning(self, message: str) -> None:
        self._line(f"warning: {message}", always=True)

    def book_finished(self, result: runner.BookResult) -> None:
        r = result.report
        conf = r["mean_conf"]
        self._line(
            f"{result.stem}: done in {r['wall_seconds']:.1f}s, {r['pages_total']} pages, "
            f"mean confidence {conf if conf is not None else 'n/a'}, "
            f"{len(r['flagged_pages'])} flagged → {shown_outputs(result.outputs)}"
        )


class RichProgress(PlainProgress):
    """A live bar per book on an interactive terminal."""

    def __init__(self, console: Console) -> None:
        super().__init__(stream=sys.stderr)
        self.console = console
        self._progress = _bar(console, "pages", "")
        self._task: Any = None

    def book_started(self, name: str, pages: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task(name, total=pages)

    def pages_done(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)

    def warning(self, message: str) -> None:
        self._progress.console.print(f"[yellow]warning:[/] {message}", highlight=False)

    def book_finished(self, result: runner.BookResult) -> None:
        self._progress.stop()
        r = result.report
        conf = r["mean_conf"]
        self.console.print(
            f"[green]✓[/] {result.stem}: {r['pages_total']} pages in {r['wall_seconds']:.1f}s, "
            f"mean confidence {conf if conf is not None else 'n/a'}, "
            f"{len(r['flagged_pages'])} pages flagged",
            highlight=False,
        )
        self.console.print(f"  → {shown_outputs(result.outputs)}", highlight=False)


def shown_outputs(outputs: list[Path]) -> str:
    """A book's outputs as the user finds them: the output folder once, then each file in it; a
    sub-folder (the `--site` edition) as its index page and a count of the rest."""
    if not outputs:
        return "no files"
    base = Path(os.path.commonpath([p.parent for p in outputs]))
    shown: list[str] = []
    folders: dict[str, list[Path]] = {}
    for p in outputs:
        rel = p.relative_to(base)
        if len(rel.parts) == 1:
            shown.append(rel.name)
        else:
            if rel.parts[0] not in folders:
                shown.append(rel.parts[0])  # keeps the exporters' order
            folders.setdefault(rel.parts[0], []).append(rel)
    for i, name in enumerate(shown):
        if name in folders:
            files = folders[name]
            index = next((f for f in files if f.name == "index.html"), files[0])
            more = f" (+{len(files) - 1} files)" if len(files) > 1 else ""
            shown[i] = f"{index}{more}"
    where = os.path.relpath(base) if base.is_relative_to(Path.cwd()) else str(base)
    return f"{where}/: {', '.join(shown)}"


class JsonProgress(runner.Progress):
    """One JSON object per event, for machines."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._book = ""

    def emit(self, event: str, **fields: Any) -> None:
        obj = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event, **fields}
        self.stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.stream.flush()

    def book_started(self, name: str, pages: int) -> None:
        self._book = name
        self.emit("book_started", book=name, pages=pages)

    def warning(self, message: str) -> None:
        self.emit("warning", book=self._book, message=message)

    def book_finished(self, result: runner.BookResult) -> None:
        r = result.report
        self.emit(
            "book_finished",
            book=result.stem,
            pages=r["pages_total"],
            pages_failed=r["pages_failed"],
            mean_conf=r["mean_conf"],
            flagged_pages=r["flagged_pages"],
            seconds=r["wall_seconds"],
            outputs=[str(p) for p in result.outputs],
        )


# ---------------------------------------------------------------- batch runs (digitize batch)


class PlainBatchProgress(PlainProgress):
    """Log lines for `digitize batch`: one per book claimed, skipped, failed, finished."""

    def batch_scanned(self, books: int) -> None:
        if books != getattr(self, "_books_seen", None):
            self._books_seen = books
            self._line(f"inbox: {books} books")

    def book_claimed(self, name: str, why: str) -> None:
        self._line(f"{name}: converting ({why})")

    def book_skipped(self, name: str, reason: str) -> None:
        self._line(f"{name}: skipped: {reason}")

    def book_failed(self, name: str, reason: str) -> None:
        self._line(f"{name}: FAILED: {reason}", always=True)

    def batch_finished(self, summary: dict[str, Any], settle: float) -> None:
        self._line(batch_line(summary, settle))


def batch_line(summary: dict[str, Any], settle: float) -> str:
    """The last line of a batch run: what was done, and why a book that was not is waiting."""
    b = summary["books"]
    line = f"batch: {b['done']} done, {b['failed']} failed, {b['skipped'] - b['waiting']} skipped"
    if b["waiting"]:
        line += (
            f", {b['waiting']} waiting: changed less than {settle:g}s ago (being copied?); "
            "the next run takes them, or run now with --settle 0 if the copy is complete"
        )
    return line


class JsonBatchProgress(JsonProgress):
    """JSON events for `digitize batch`: book_started/finished/failed/skipped, warnings."""

    def batch_scanned(self, books: int) -> None:
        if books != getattr(self, "_books_seen", None):
            self._books_seen = books
            self.emit("inbox_scanned", books=books)

    def book_claimed(self, name: str, why: str) -> None:
        self.emit("book_claimed", book=name, why=why)

    def book_skipped(self, name: str, reason: str) -> None:
        self.emit("book_skipped", book=name, reason=reason)

    def book_failed(self, name: str, reason: str) -> None:
        self.emit("book_failed", book=name, reason=reason)

    def batch_finished(self, summary: dict[str, Any], settle: float) -> None:
        self.emit("batch_finished", **summary["books"], waiting_books=summary["waiting"])


class RichBatchProgress(PlainBatchProgress):
    """Interactive batch display: books done/total, pages per minute, ETA, current book."""

    def __init__(self, console: Console) -> None:
        super().__init__(stream=sys.stderr)
        self.console = console
        self._progress = _bar(console, "{task.fields[rate]}", "ETA")
        self._books = self._progress.add_task("books", total=None, rate="")
        self._pages = self._progress.add_task("pages", total=None, rate="")
        self._t0 = time.monotonic()
        self._pages_done = 0
        self._pages_book_total = 0
        self._pages_book_done = 0
        self._books_done = 0
        self._progress.start()

    def _line(self, text: str, always: bool = False) -> None:
        self._progress.console.print(text, highlight=False, markup=False)

    def batch_scanned(self, books: int) -> None:
        self._progress.update(self._books, total=books)

    def book_claimed(self, name: str, why: str) -> None:
        self._progress.update(self._pages, description=f"{name[:40]}")

    def book_started(self, name: str, pages: int) -> None:
        self._pages_book_total, self._pages_book_done = pages, 0
        self._progress.reset(self._pages, total=pages, rate=self._rate())
        self._progress.update(self._pages, description=f"{name[:40]}")

    def _rate(self) -> str:
        minutes = (time.monotonic() - self._t0) / 60
        return f"{self._pages_done / minutes:.0f} pages/min" if minutes > 0.05 else ""

    def pages_done(self, n: int = 1) -> None:
        self._pages_done += n
        self._pages_book_done += n
        self._progress.update(self._pages, advance=n, rate=self._rate())

    def book_skipped(self, name: str, reason: str) -> None:
        if not reason.startswith("still changing"):
            self._progress.advance(self._books)
        if reason.startswith("failed before"):
            self.console.print(f"[yellow]•[/] {name}: {reason}", highlight=False)

    def book_failed(self, name: str, reason: str) -> None:
        self._progress.advance(self._books)
        self.console.print(f"[red]✗[/] {name}: {reason}", highlight=False)

    def warning(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/] {message}", highlight=False)

    def book_finished(self, result: runner.BookResult) -> None:
        self._progress.advance(self._books)
        r = result.report
        self.console.print(
            f"[green]✓[/] {result.stem}: {r['pages_total']} pages in {r['wall_seconds']:.1f}s",
            highlight=False,
        )

    def batch_finished(self, summary: dict[str, Any], settle: float) -> None:
        self.console.print(batch_line(summary, settle), highlight=False)

    def stop(self) -> None:
        self._progress.stop()
