"""Run a pipeline on one book, in named phases: ingest, pages, book stages, export, report,
publish.

The engine alone owns parallelism (an executor), the page cache, progress events, the run
report and the per-page error policy. It never prints: progress goes to a `Progress` sink the
CLI provides. `convert` settles what the run needs (ingester, metadata, cache key, work dir);
a `BookRun` then carries it through the phases, each a method.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize import bookjson, registry
from digitize.engine import finished
from digitize.engine.cache import INGEST_FILE, chain_key, file_digest
from digitize.engine.carry import carry, previous_corrections
from digitize.engine.clock import Clock
from digitize.engine.emptiness import Emptiness, judge
from digitize.engine.events import BookResult, Progress
from digitize.engine.executors import Executor, executor_class
from digitize.engine.export import with_checkpoint, write_formats
from digitize.engine.metadata import book_lang, lang_code, load_meta
from digitize.engine.outputs import check_output_dir, publish, staging
from digitize.engine.pages import PageRun, early_pool
from digitize.engine.run_options import RunOptions
from digitize.engine.worker import PageSource
from digitize.errors import BadInput, DigitizeError, PageError, PartialFailure
from digitize.fileio import write_text
from digitize.model import Book, Correction
from digitize.naming import safe_stem
from digitize.pipeline import Pipeline, StageSpec, make_options
from digitize.report.html import write_report_html
from digitize.report.summary import build_report, ingest_warnings
from digitize.stage import BookStage, Context, Ingester


def convert(src: Path, out_dir: Path, pipeline: Pipeline, opts: RunOptions) -> BookResult:
    """Convert one book. Raises DigitizeError subclasses; pages that fail are handled by the
    pipeline's `on_error` policy and listed in the report."""
    started = time.perf_counter()
    src = Path(src)
    if not src.exists():
        raise BadInput(f"{src}: no such file or directory")
    check_output_dir(out_dir)
    lang = opts.lang or pipeline.lang
    ingest = choose_ingester(src, pipeline)
    meta_fields = load_meta(src, opts.meta_file, opts.meta)
    try:
        digest = file_digest(src)
    except OSError as e:  # not the output's fault: never exit code 5
        raise BadInput(f"{src}: cannot read the input ({e.strerror or e})") from e
    ingester = ingest.create()
    book_key = chain_key(
        digest,
        ingest.name,
        ingester.version,
        # The context (languages, resolutions) changes every page stage's result.
        f"{ingester.options_digest()}|{pipeline.dpi}|{opts.dpi}|{lang}",
    )
    with _work_dir(opts, book_key) as work_dir:
        ctx = Context(
            lang=lang,
            dpi=opts.dpi,
            work_dir=str(work_dir),
            render_dpi=pipeline.dpi,
            build_time=int(src.stat().st_mtime),
        )
        run = BookRun(
            src=src,
            out_dir=out_dir,
            pipeline=pipeline,
            opts=opts,
            ctx=ctx,
            ingest=ingest,
            book_key=book_key,
            meta_fields=meta_fields,
            started=started,
        )
        return run.execute()


@contextlib.contextmanager
def _work_dir(opts: RunOptions, book_key: str) -> Iterator[Path]:
    """The book's work dir: in the cache (kept for reruns), else a temporary one."""
    if opts.cache:
        yield opts.cache.work_dir(book_key[:32])
        return
    tmp = tempfile.mkdtemp(prefix="digitize-")
    try:
        yield Path(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class BookRun:
    """One book's conversion: what every phase reads, settled once by `convert`, and what
    each phase leaves for the next (`book`, `outputs`, `cached_pages`, `clock`)."""

    src: Path
    out_dir: Path
    pipeline: Pipeline
    opts: RunOptions
    ctx: Context
    ingest: StageSpec
    #: the input's digest chained with the ingester and the context: keys every page result
    book_key: str
    #: metadata given by the user (command line, metadata file, sidecar)
    meta_fields: dict[str, Any]
    #: perf_counter at the start, for the report's wall time
    started: float
    clock: Clock = field(default_factory=Clock)
    book: Book | None = None
    outputs: list[Path] = field(default_factory=list)
    cached_pages: int = 0
    #: book-level warnings for the report (a book without text)
    notes: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        """The outputs' name: the input's (== naming.book_stem(meta), meta.source = src.name)."""
        return safe_stem(self.src.name)

    @property
    def work_dir(self) -> Path:
        return Path(self.ctx.work_dir)

    @property
    def progress(self) -> Progress:
        return self.opts.progress

    @property
    def source(self) -> PageSource | None:
        """Where workers render the page images ingest deferred, when they see this machine's
        files (remote workers get the images ingest wrote)."""
        if not executor_class(self.opts.executor, self.opts.jobs).shares_files:
            return None
        return PageSource(self.ingest.name, self.ingest.options, str(self.src))

    def execute(self) -> BookResult:
        """Every phase; an unchanged book whose outputs are all still there only gets its
        report rewritten."""
        cache = self.opts.cache
        fin_key = (
            finished.done_key(self.book_key, self.pipeline, self.meta_fields, self.out_dir)
            if cache
            else None
        )
        done = finished.load(self.work_dir, fin_key) if fin_key else None
        empty = Emptiness()
        # Outputs and report go to a staging folder and appear together, or not at all.
        with staging(self.out_dir) as stage_dir:
            if done is not None:
                self.book, self.outputs = done
                self.progress.book_started(self.stem, len(self.book.pages))
                self.progress.pages_done(len(self.book.pages))
                self.cached_pages = len(self.book.pages)
            else:
                # Before any work: a missing tool or language stops the run here (a finished
                # book runs no stage, so needs none of them).
                check_stages(self.pipeline, self.ctx)
                self.ingest.create().check(self.ctx)
                # Proofreading done on the book.json this run replaces (`digitize proof`).
                carried = previous_corrections(self.out_dir / f"{self.stem}.book.json")
                self.read_book()
                self.run_book_stages()
                self.apply_corrections(carried)
                empty = self.judge_emptiness()
                if not empty.error:
                    self.export(stage_dir)
            result = self.report(stage_dir)
            result.outputs = publish(stage_dir, self.out_dir, result.outputs)
        if empty.error:  # only the report was published: it shows what went wrong
            if cache:
                cache.evict()
            raise PartialFailure(empty.error, hint=f"see {self.stem}.report.html")
        if fin_key and done is None:
            self.record_finished(fin_key, result)
        if cache:
            cache.evict()
        self.progress.book_finished(result)
        return result

    # ---------------------------------------------------------------- phases

    def read_book(self) -> None:
        """Ingest and the page stages. A first run of a scanned book starts its workers before
        ingest, to warm up while the book is read."""
        book = self.cached_ingest()
        ingester = self.ingest.create()
        assert isinstance(ingester, Ingester)
        starting = early_pool(self.src, ingester, self.pipeline, self.opts, self.ctx, self.source)
        with starting if book is None else contextlib.nullcontext() as pool:
            if book is None:
                book = self.run_ingest(ingester)
            self.book = self.with_meta(self.checked(book))
            self.run_pages(pool)

    def cached_ingest(self) -> Book | None:
        """The book as ingest left it on an earlier run, when still usable."""
        path = self.work_dir / INGEST_FILE
        if not (self.opts.cache and path.is_file()):
            return None
        try:
            book = bookjson.book_from_json(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return None
        if self.source is None and any(
            p.image and not (self.work_dir / p.image).is_file() for p in book.pages
        ):
            return None  # images deferred to workers and never written: ingest renders them
        return book

    def run_ingest(self, ingester: Ingester[Any]) -> Book:
        """Read the input (rasterising is left to the workers when they can do it)."""
        self.progress.stage(self.ingest.name)
        defer = self.source is not None
        with self.clock.timed(self.ingest.name):
            book = ingester.ingest(self.src, dataclasses.replace(self.ctx, defer_images=defer))
        _trim_memory()
        # Kept for scans, whose rasterising a rerun must not repeat; a born-digital book's
        # ingest is cheaper than writing and reading back all its words.
        if self.opts.cache and any(p.source != "textlayer" for p in book.pages):
            book_json = bookjson.book_to_json(book, indent=None)
            write_text(self.work_dir / INGEST_FILE, book_json, durable=False)
        return book

    def checked(self, book: Book) -> Book:
        """The ingested book, if there is something to convert (warnings reported)."""
        if not book.pages:
            raise BadInput(f"{self.src}: no pages")
        for line in ingest_warnings(book, self.src.name):
            self.progress.warning(line)
        unreadable = [p for p in book.pages if p.failed]
        if unreadable and self.pipeline.on_error == "abort":
            raise PageError(f"{unreadable[0].failed} (on_error = 'abort')")
        return book

    def with_meta(self, book: Book) -> Book:
        """The user's metadata over what ingest found; the run's language and input file.
        Outputs are named after the input file; the printed book's source and date are only
        what the user said (a PDF's creation date is the scan's, not the book's)."""
        meta = dataclasses.replace(book.meta, **self.meta_fields) if self.meta_fields else book.meta
        if "lang" not in self.meta_fields:
            meta = dataclasses.replace(meta, lang=lang_code(self.ctx.lang))
        meta = dataclasses.replace(
            meta,
            file=self.src.name,
            source=self.meta_fields.get("source", ""),
            date=self.meta_fields.get("date", ""),
        )
        return dataclasses.replace(book, meta=meta, work_dir=str(self.work_dir))

    def run_pages(self, pool: Executor | None) -> None:
        """The page stages, in parallel (cached pages looked up first)."""
        assert self.book is not None
        self.progress.book_started(self.stem, len(self.book.pages))
        pages = PageRun(
            self.pipeline,
            self.opts,
            self.ctx,
            self.book_key,
            self.src.name,
            self.source,
            self.clock,
        )
        result, self.cached_pages = pages.run(self.book, pool)
        self.book = self.book.with_pages(result)
        if (
            "lang" not in self.meta_fields
        ):  # the book's language, from its text (book stages use it)
            lang = book_lang(self.book, self.ctx.lang)
            self.book = dataclasses.replace(
                self.book, meta=dataclasses.replace(self.book.meta, lang=lang)
            )

    def run_book_stages(self) -> None:
        """The book stages, in order, here."""
        assert self.book is not None
        for spec in self.pipeline.book_stages:
            self.progress.stage(spec.name)
            stage = spec.create()
            assert isinstance(stage, BookStage)
            try:
                with self.clock.timed(spec.name):
                    self.book = stage.process_book(self.book, self.ctx)
            except DigitizeError:
                raise
            except Exception as e:
                raise DigitizeError(
                    f"{self.src.name}: {spec.name} failed: {type(e).__name__}: {e}"
                ) from e

    def apply_corrections(self, carried: tuple[Correction, ...]) -> None:
        """A proofreader's corrections, applied again wherever their block is still found."""
        if carried:
            assert self.book is not None
            self.book = carry(self.book, carried, self.pipeline, self.ctx, self.progress.warning)

    def judge_emptiness(self) -> Emptiness:
        """Whether the book has text, and what to say when it has none (see emptiness)."""
        assert self.book is not None
        verdict = judge(self.book, self.src.name)
        for line in (verdict.error, verdict.warning):
            if line:
                self.notes.append(line)
        if verdict.warning:
            self.progress.warning(verdict.warning)
        return verdict

    def export(self, stage_dir: Path) -> None:
        """Every format, and the book.json checkpoint, into the staging folder."""
        assert self.book is not None

        exporters = with_checkpoint(self.pipeline.exporters)
        for spec in exporters:
            self.progress.stage(spec.name)
            with self.clock.timed(spec.name):
                self.outputs += write_formats(self.book, [spec], stage_dir, self.ctx)

    def report(self, stage_dir: Path) -> BookResult:
        """The run report (JSON and HTML), while page images still exist, and the result."""
        assert self.book is not None
        book = self.book
        failed = [p for p in book.pages if p.failed]
        warnings = [f"page {p.index + 1}: {w}" for p in book.pages for w in p.warnings]
        warnings += [f"page {p.index + 1}: failed: {p.failed}" for p in failed]
        warnings += self.notes
        report_path = stage_dir / f"{self.stem}.report.json"
        html_path = stage_dir / f"{self.stem}.report.html"
        # A finished book's recorded outputs already name its (old) reports: list them once.
        reports = (report_path.name, html_path.name)
        outputs = [p for p in self.outputs if p.name not in reports]
        report = build_report(
            book,
            source=str(self.src),
            pipeline={
                "name": self.pipeline.name,
                "file": self.pipeline.source,
                "lang": self.ctx.lang,
                "stages": [f"{s.name}@{s.cls.version}" for s in self.pipeline.stages],
            },
            stage_seconds=dict(self.clock.wall),
            stage_cpu=dict(self.clock.cpu),
            wall_seconds=time.perf_counter() - self.started,
            cached_pages=self.cached_pages,
            outputs=[p.name for p in [*outputs, report_path, html_path]],
            warnings=warnings,
        )
        write_text(report_path, json.dumps(report, ensure_ascii=False, indent=1))
        outputs.append(report_path)
        outputs.append(write_report_html(book, report, html_path))
        return BookResult(self.src, self.stem, outputs, report, book)

    def record_finished(self, fin_key: str, result: BookResult) -> None:
        """Remember the finished book, so that an unchanged rerun redoes nothing. Every run
        rewrites its reports: stamping them would make the next rerun a miss."""
        book_json = self.out_dir / f"{self.stem}.book.json"  # export.json's output
        if book_json not in result.outputs:
            return
        reports = {f"{self.stem}.report.json", f"{self.stem}.report.html"}
        kept = [p for p in result.outputs if p.name not in reports]
        finished.save(self.work_dir, fin_key, book_json, kept)


# ---------------------------------------------------------------- checks before any work


def choose_ingester(src: Path, pipeline: Pipeline) -> StageSpec:
    """The pipeline's ingester (or, when it names none, an installed one) that reads `src`."""
    candidates = list(pipeline.ingesters)
    if not candidates:
        for name in registry.stage_names():
            if name.startswith("ingest."):
                cls = registry.load_stage(name)
                candidates.append(StageSpec(name, cls, make_options(cls, {}, name)))
    for spec in candidates:
        stage = spec.create()
        assert isinstance(stage, Ingester)
        if stage.accepts(src):
            return spec
    raise BadInput(
        f"{src}: unsupported input (expected a PDF, an image, a multi-page TIFF or a folder of "
        f"page images)"
    )


def check_stages(pipeline: Pipeline, ctx: Context) -> None:
    """Every stage's external dependencies for this run (its languages), before any work: a
    missing language must stop the run here, not fail every page later."""
    for spec in pipeline.stages:
        spec.create().check(ctx)


def _trim_memory() -> None:
    """Hand memory native libraries freed back to the OS. Reading a long PDF leaves ~0.4 MB a
    page of freed MuPDF allocations in glibc's heap, which would otherwise stay with the parent
    for the whole run (the bench's 30 -> 300 page memory growth)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
