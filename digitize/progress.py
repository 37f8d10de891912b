"""Progress sinks for the runner: a rich bar on a terminal, log lines otherwise, or JSON events.

Unattended runs (cron, systemd) read `--log-format json`: one object per line on stderr or in
`--log-file`, each with a timestamp and an `event` name.
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from digitize import runner


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
            f"{len(r['flagged_pages'])} flagged → {', '.join(p.name for p in result.outputs)}"
        )


class RichProgress(PlainProgress):
    """A live bar per book on an interactive terminal."""

    def __init__(self, console: Console) -> None:
        super().__init__(stream=sys.stderr)
        self.console = console
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pages"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
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
        for p in result.outputs:
            self.console.print(f"  {p}", highlight=False)


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
