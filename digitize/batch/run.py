"""`digitize batch`: convert every book of an inbox into a library, unattended and resumable.

The runner converts one book; this module decides which books need work. A SQLite ledger
(`digitize.batch.ledger`) records each book's content hash and the pipeline's digest, so a rerun skips
books that are done and unchanged, and a lock per book keeps two batch processes apart. Resuming
after a kill needs nothing special: finished pages sit in the content-addressed page cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize.batch.inbox import Settler, pipeline_digest, scan_inbox, signature
from digitize.batch.ledger import LEDGER_NAME, Ledger
from digitize.engine.cache import file_digest
from digitize.engine.events import BookResult, Progress
from digitize.engine.outputs import STAGING_PREFIX
from digitize.engine.run import check_stages, convert
from digitize.engine.run_options import RunOptions
from digitize.errors import (
    DigitizeError,
    Interrupted,
    MissingDependency,
    OutputNotWritable,
    PipelineError,
)
from digitize.naming import safe_stem
from digitize.pipeline import Pipeline
from digitize.stage import Context

# ---------------------------------------------------------------- the run


@dataclass
class BatchOptions:
    run: RunOptions = field(default_factory=RunOptions)
    ledger: Path | None = None  # default: LIBRARY/.digitize-ledger.sqlite
    retry_failed: bool = False
    stale_minutes: float = 10.0
    heartbeat_seconds: float = 30.0
    settle_seconds: float = 5.0
    watch: bool = False
    poll_seconds: float = 10.0
    max_books: int | None = None  # stop after converting this many (tests, trickle runs)


WAITING = "still changing (being copied?)"
"""Reason of a book skipped because it changed within `--settle` seconds: the next run takes it."""


@dataclass
class BatchSummary:
    done: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    pages_failed: int = 0
    pages_cached: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def waiting(self) -> list[str]:
        """Books skipped only because they were still changing (a copy in progress, or just
        finished): not done, not failed, taken by the next run."""
        return [s["book"] for s in self.skipped if s["reason"].startswith(WAITING)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "books": {
                "done": len(self.done),
                "failed": len(self.failed),
                "skipped": len(self.skipped),
                "waiting": len(self.waiting),
            },
            "done": self.done,
            "failed": self.failed,
            "skipped": self.skipped,
            "waiting": self.waiting,
            "pages": {
                "total": self.pages,
                "failed": self.pages_failed,
                "cached": self.pages_cached,
            },
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
        }


def _event(progress: Progress, name: str, *args: Any) -> None:
    """Batch events for sinks that know them (see digitize.cli.progress); others ignore them."""
    fn = getattr(progress, name, None)
    if fn is not None:
        fn(*args)


class _LedgerProgress(Progress):
    """Forwards runner events to the user's sink and records the book's pages in the ledger."""

    def __init__(self, inner: Progress, ledger: Ledger, key: str) -> None:
        self.inner, self.ledger, self.key = inner, ledger, key

    def book_started(self, name: str, pages: int) -> None:
        self.ledger.start_pages(self.key, pages)
        self.inner.book_started(name, pages)

    def pages_done(self, n: int = 1) -> None:
        self.inner.pages_done(n)

    def stage(self, name: str) -> None:
        self.inner.stage(name)

    def warning(self, message: str) -> None:
        self.inner.warning(message)

    def book_finished(self, result: BookResult) -> None:
        self.inner.book_finished(result)


class _StopSignals:
    """SIGINT/SIGTERM raise KeyboardInterrupt only while armed (converting a book, or idle in
    --watch). Elsewhere — recording a finished book in the ledger — they are remembered and
    acted on at the next safe point, so a finished book is never put back to pending."""

    def __init__(self) -> None:
        self.armed = False
        self.pending = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.getsignal(sig)
                signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old.clear()

    def _handle(self, signum: int, frame: Any) -> None:
        self.pending = True
        if self.armed:
            raise KeyboardInterrupt

    def checkpoint(self) -> None:
        if self.pending:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def arm(self) -> Iterator[None]:
        self.checkpoint()
        self.armed = True
        try:
            yield
        finally:
            self.armed = False


@contextlib.contextmanager
def _heartbeat(ledger_path: Path, stale_seconds: float, book: str, every: float) -> Iterator[None]:
    """Refresh the book's lock from a thread (its own connection) while the book converts."""
    stop = threading.Event()

    def beat() -> None:
        own = Ledger(ledger_path, stale_seconds)
        try:
            while not stop.wait(every):
                with contextlib.suppress(Exception):
                    own.heartbeat(book)
        finally:
            own.close()

    t = threading.Thread(target=beat, name="digitize-heartbeat", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(timeout=5)


def _remove_stale_staging(out_dir: Path) -> None:
    """A killed run leaves its hidden staging folder behind; we hold this book's claim, so no
    live run is using one here."""
    if out_dir.is_dir():
        for p in out_dir.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(p, ignore_errors=True)


class Batch:
    """One batch process: scans, claims, converts, records. Not thread-safe."""

    def __init__(self, inbox: Path, library: Path, pipeline: Pipeline, opts: BatchOptions) -> None:
        self.inbox, self.library, self.pipeline, self.opts = (
            Path(inbox),
            Path(library),
            pipeline,
            opts,
        )
        if not self.inbox.is_dir():
            raise PipelineError(f"inbox {self.inbox} is not a directory")
        self.ledger_path = opts.ledger or self.library / LEDGER_NAME
        self.ledger = Ledger(self.ledger_path, stale_seconds=opts.stale_minutes * 60)
        self.digest = pipeline_digest(pipeline)
        self.summary = BatchSummary()
        self.progress = opts.run.progress
        self._stems: dict[str, str] = {}
        self._reported: set[tuple[str, str]] = set()
        self.converted = 0
        self.signals = _StopSignals()

    def close(self) -> None:
        self.ledger.close()

    def out_dir(self, src: Path) -> Path:
        stem = safe_stem(src.name)
        key = str(src.resolve())
        owner = self._stems.setdefault(stem, key)
        if owner != key:  # "x.pdf" and folder "x": keep both, apart
            stem = f"{stem}_{hashlib.sha256(key.encode()).hexdigest()[:6]}"
        return self.library / stem

    def run(self) -> BatchSummary:
        t0 = time.perf_counter()
        # A missing dependency stops everything, before any claim.
        check_stages(self.pipeline, Context(lang=self.opts.run.lang or self.pipeline.lang))
        settler = Settler(self.opts.settle_seconds)
        try:
            with self.signals:
                while True:
                    books = scan_inbox(self.inbox, self.pipeline)
                    _event(self.progress, "batch_scanned", len(books))
                    for src in books:
                        self.signals.checkpoint()
                        if self._limit_reached():
                            break
                        if not settler.ready(src):
                            self._skip(
                                src,
                                f"{WAITING}: waiting until it holds still for "
                                f"{self.opts.settle_seconds:g}s (--settle 0 takes it now)",
                            )
                            continue
                        before = (self.converted, len(self.summary.failed))
                        self.one(src)
                        if (self.converted, len(self.summary.failed)) != before:
                            self.write_index()
                    if not self.opts.watch or self._limit_reached():
                        break
                    with self.signals.arm():
                        time.sleep(self.opts.poll_seconds)
        except KeyboardInterrupt:
            self.summary.interrupted = True
            if not self.opts.watch:
                raise Interrupted("interrupted; rerun the same command to resume") from None
            # --watch stopped between books (SIGTERM while idle): a clean stop.
        except Interrupted:
            self.summary.interrupted = True
            raise
        finally:
            self.summary.seconds = time.perf_counter() - t0
            self.write_index()
        return self.summary

    def write_index(self) -> None:
        """LIBRARY/index.html: every book, its status, confidence, flagged pages and links."""
        from digitize.batch.library import write_index

        try:
            write_index(self.library, self.ledger)
        except OSError as e:  # the overview must not turn a good run into a failed one
            _event(self.progress, "warning", f"cannot write {self.library / 'index.html'}: {e}")

    def _limit_reached(self) -> bool:
        return self.opts.max_books is not None and self.converted >= self.opts.max_books

    def _skip(self, src: Path, reason: str) -> None:
        """Report a skipped book once per reason (a --watch loop sees it every poll)."""
        if (str(src), reason) in self._reported:
            return
        self._reported.add((str(src), reason))
        self.summary.skipped.append({"book": src.name, "reason": reason})
        _event(self.progress, "book_skipped", src.name, reason)

    def one(self, src: Path) -> str:
        """Convert one inbox entry if it needs it. Returns the ledger decision."""
        key = str(src.resolve())
        out_dir = self.out_dir(src)
        try:
            sig = signature(src)
            content = self.ledger.known_hash(key, sig) or file_digest(src)
        except OSError as e:
            self._skip(src, f"unreadable: {e.strerror or e}")
            return "unreadable"
        decision = self.ledger.claim(
            key,
            out_dir.name,
            sig,
            content,
            self.pipeline.name,
            self.digest,
            retry_failed=self.opts.retry_failed,
        )
        if not decision.claimed:
            if decision.reason == "failed":
                row = self.ledger.get(key) or {}
                self._skip(src, f"failed before: {row.get('reason')} (use --retry-failed)")
            elif decision.reason == "running":
                self._skip(src, "being converted by another run")
            else:
                self._skip(src, "done, unchanged")
            return decision.reason
        self.converted += 1
        _event(self.progress, "book_claimed", src.name, decision.reason)
        _remove_stale_staging(out_dir)
        t0 = time.perf_counter()
        try:
            with (
                _heartbeat(
                    self.ledger_path,
                    self.ledger.stale_seconds,
                    key,
                    self.opts.heartbeat_seconds,
                ),
                self.signals.arm(),
            ):
                run = dataclasses.replace(
                    self.opts.run, progress=_LedgerProgress(self.progress, self.ledger, key)
                )
                result = convert(src, out_dir, self.pipeline, run)
        except (Interrupted, KeyboardInterrupt) as e:
            self.ledger.finish(key, "pending", "interrupted")
            if isinstance(e, Interrupted):
                raise
            raise Interrupted(f"{src.name}: interrupted; rerun to resume") from None
        except (OutputNotWritable, MissingDependency) as e:
            # Not the book's fault: leave it pending and stop the whole run.
            self.ledger.finish(key, "pending", e.one_line())
            raise
        except DigitizeError as e:
            self._failed(key, src, e.one_line(), time.perf_counter() - t0)
            return "failed"
        except Exception as e:  # a stage bug must not take the other books down
            self._failed(
                key, src, f"internal error: {type(e).__name__}: {e}", time.perf_counter() - t0
            )
            return "failed"
        self._done(key, src, out_dir, result, time.perf_counter() - t0)
        return decision.reason

    def _failed(self, key: str, src: Path, reason: str, seconds: float) -> None:
        self.ledger.finish(key, "failed", reason, seconds=seconds)
        self.summary.failed.append({"book": src.name, "reason": reason})
        _event(self.progress, "book_failed", src.name, reason)

    def _done(self, key: str, src: Path, out: Path, result: BookResult, seconds: float) -> None:
        pages = [(p.index, p.failed) for p in result.book.pages]
        self.ledger.finish(key, "done", None, pages=pages, seconds=seconds)
        r = result.report
        self.summary.pages += len(pages)
        self.summary.pages_failed += sum(1 for _, f in pages if f)
        self.summary.pages_cached += int(r.get("pages_cached") or 0)
        self.summary.done.append(
            {
                "book": src.name,
                "output": str(out),
                "pages": len(pages),
                "pages_failed": [i + 1 for i, f in pages if f],
                "seconds": round(seconds, 3),
            }
        )


def run_batch(inbox: Path, library: Path, pipeline: Pipeline, opts: BatchOptions) -> BatchSummary:
    """Convert what needs converting; raises Interrupted (pages done so far stay cached)."""
    batch = Batch(inbox, library, pipeline, opts)
    try:
        return batch.run()
    finally:
        batch.close()
