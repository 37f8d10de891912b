"""Run a pipeline on one book: ingest, page stages in parallel, book stages, export, report.

The runner alone owns parallelism (an Executor), the page cache, progress events, the run
report and the per-page error policy. It never prints: progress goes to a `Progress` sink the CLI
provides.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize import model, registry
from digitize.engine import finished
from digitize.engine.cache import PageCache, chain_key, file_digest
from digitize.engine.carry import carry, previous_corrections
from digitize.engine.metadata import lang_code, load_meta
from digitize.engine.outputs import publish, staging
from digitize.engine.pages import early_pool, run_pages
from digitize.errors import (
    BadInput,
    DigitizeError,
    OutputNotWritable,
    PageError,
)
from digitize.fileio import write_text
from digitize.model import Book, Correction, Page
from digitize.naming import safe_stem
from digitize.pipeline import Pipeline, StageSpec
from digitize.report.html import write_report_html
from digitize.report.summary import build_report, ingest_warnings
from digitize.stage import Context, Ingester

INGEST_FILE = "ingest.json"


class Progress:
    """Progress events of a run; the CLI subclasses it (rich bar, plain lines, JSON log)."""

    def book_started(self, name: str, pages: int) -> None: ...
    def pages_done(self, n: int = 1) -> None: ...
    def stage(self, name: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def book_finished(self, result: BookResult) -> None: ...


@dataclass
class RunOptions:
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache: PageCache | None = None
    lang: str | None = None
    dpi: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    meta_file: Path | None = None
    progress: Progress = field(default_factory=Progress)
    executor: str = "local"
    executor_args: dict[str, Any] = field(default_factory=dict)


@dataclass
class BookResult:
    src: Path
    stem: str
    outputs: list[Path]
    report: dict[str, Any]
    book: Book

    @property
    def failed_pages(self) -> list[tuple[int, str]]:
        return [(p.index, p.failed) for p in self.book.pages if p.failed]


# ---------------------------------------------------------------- page work (runs in workers)

# ---------------------------------------------------------------- one book


def _trim_memory() -> None:
    """Hand memory native libraries freed back to the OS. Reading a long PDF leaves ~0.4 MB a
    page of freed MuPDF allocations in glibc's heap, which would otherwise stay with the parent
    for the whole run (the bench's 30 -> 300 page memory growth)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)


def choose_ingester(src: Path, pipeline: Pipeline) -> StageSpec:
    from digitize.pipeline import make_options

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


def check_output_dir(out_dir: Path) -> None:
    """Fail before any work when outputs could not be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".digitize-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputNotWritable(
            f"output directory {out_dir} is not writable: {e.strerror or e}",
            hint="choose another -o or fix its permissions",
        ) from e


def check_stages(pipeline: Pipeline, lang: str | None = None) -> None:
    """Every stage's external dependencies, before any work starts. A stage whose `check`
    takes `lang` (OCR) is checked against the run's languages (`--lang`), not its default:
    a missing language must stop the run here, not fail every page later."""
    lang = lang or pipeline.lang
    for spec in pipeline.stages:
        stage = spec.create()
        if "lang" in inspect.signature(stage.check).parameters:
            stage.check(lang=lang)  # type: ignore[call-arg]
        else:
            stage.check()


def convert(src: Path, out_dir: Path, pipeline: Pipeline, opts: RunOptions) -> BookResult:
    """Convert one book. Raises DigitizeError subclasses; pages that fail are handled by the
    pipeline's `on_error` policy and listed in the report."""
    t_start = time.perf_counter()
    src = Path(src)
    if not src.exists():
        raise BadInput(f"{src}: no such file or directory")
    check_output_dir(out_dir)
    lang = opts.lang or pipeline.lang
    ingest_spec = choose_ingester(src, pipeline)
    meta_fields = load_meta(src, opts.meta_file, opts.meta)
    stem = safe_stem(src.name)  # == naming.book_stem(meta): the runner sets meta.source = src.name

    try:
        digest = file_digest(src)
    except OSError as e:  # not the output's fault: never exit code 5
        raise BadInput(f"{src}: cannot read the input ({e.strerror or e})") from e
    ingest_stage = ingest_spec.create()
    book_key = chain_key(
        digest,
        ingest_spec.name,
        ingest_stage.version,
        # The context (languages, resolutions) changes every page stage's result.
        f"{ingest_stage.options_digest()}|{pipeline.dpi}|{opts.dpi}|{lang}",
    )
    tmp_work: str | None = None
    if opts.cache:
        work_dir = opts.cache.work_dir(book_key[:32])
    else:
        tmp_work = tempfile.mkdtemp(prefix="digitize-")
        work_dir = Path(tmp_work)
    try:
        return _convert_in(
            src,
            out_dir,
            pipeline,
            opts,
            stem,
            work_dir,
            book_key,
            ingest_spec,
            lang,
            meta_fields,
            t_start,
        )
    finally:
        if tmp_work:
            shutil.rmtree(tmp_work, ignore_errors=True)


def _convert_in(
    src: Path,
    out_dir: Path,
    pipeline: Pipeline,
    opts: RunOptions,
    stem: str,
    work_dir: Path,
    book_key: str,
    ingest_spec: StageSpec,
    lang: str,
    meta_fields: dict[str, Any],
    t_start: float,
) -> BookResult:
    ctx = Context(
        lang=lang,
        dpi=opts.dpi,
        work_dir=str(work_dir),
        render_dpi=pipeline.dpi,
        build_time=int(src.stat().st_mtime),
    )
    progress = opts.progress
    seconds: dict[str, float] = defaultdict(float)

    # An unchanged book whose outputs are all still there: nothing to redo but the report.
    fin_key = finished.done_key(book_key, pipeline, meta_fields, out_dir) if opts.cache else None
    done = finished.load(work_dir, fin_key) if fin_key else None
    # Outputs and report go to a staging folder and appear together, or not at all.
    with staging(out_dir) as stage_dir:
        if done is not None:
            book, outputs = done
            progress.book_started(stem, len(book.pages))
            progress.pages_done(len(book.pages))
            cached_pages = len(book.pages)
        else:
            # Before any work: a missing tool or language stops the run here (a finished
            # book runs no stage, so needs none of them).
            check_stages(pipeline, lang)
            ingest_spec.create().check()
            carried = previous_corrections(out_dir / f"{stem}.book.json")  # proofreading
            book, outputs, cached_pages = _build(
                src, stage_dir, pipeline, opts, ctx, work_dir, book_key, ingest_spec, lang,
                meta_fields, stem, seconds, carried,
            )  # fmt: skip
        failed = [p for p in book.pages if p.failed]
        result = _report(src, stage_dir, pipeline, opts, ctx, stem, book, outputs, cached_pages,
                         failed, seconds, t_start)  # fmt: skip
        result.outputs = publish(stage_dir, out_dir, result.outputs)
    book_json = out_dir / f"{stem}.book.json"  # export.json's output: every run writes it
    if fin_key and done is None and book_json in result.outputs:
        # Every run rewrites its reports: stamping them would make the next rerun a miss.
        reports = {f"{stem}.report.json", f"{stem}.report.html"}
        kept = [p for p in result.outputs if p.name not in reports]
        finished.save(work_dir, fin_key, book_json, kept)
    if opts.cache:
        opts.cache.evict()
    progress.book_finished(result)
    return result


def _build(
    src: Path,
    out_dir: Path,
    pipeline: Pipeline,
    opts: RunOptions,
    ctx: Context,
    work_dir: Path,
    book_key: str,
    ingest_spec: StageSpec,
    lang: str,
    meta_fields: dict[str, Any],
    stem: str,
    seconds: dict[str, float],
    carried: tuple[Correction, ...] = (),
) -> tuple[Book, list[Path], int]:
    """Ingest, page stages (cached, in parallel), book stages, the corrections `carried` over
    from the book.json this run replaces, exporters."""
    progress = opts.progress
    # Ingest (cached per book: rasterising is a real cost on a rerun).
    defer = opts.executor == "local"
    source = (ingest_spec.name, ingest_spec.options, str(src)) if defer else None
    book = _cached_ingest(work_dir, opts, defer)
    ingester = ingest_spec.create()
    assert isinstance(ingester, Ingester)
    # A first run of a scanned book starts its workers now, to warm up while ingest runs.
    starting = early_pool(src, ingester, pipeline, opts, ctx, source)
    with starting if book is None else contextlib.nullcontext() as pool:
        if book is None:
            progress.stage(ingest_spec.name)
            t0 = time.perf_counter()
            # Local workers write the page images (prepare_page), in parallel with OCR. (Remote
            # workers may not see `src`: they get the images from the ingester, as before.)
            book = ingester.ingest(src, dataclasses.replace(ctx, defer_images=defer))
            seconds[ingest_spec.name] += time.perf_counter() - t0
            _trim_memory()
            # Kept for scans, whose rasterising a rerun must not repeat; a born-digital book's
            # ingest is cheaper than writing and reading back all its words.
            if opts.cache and any(p.source != "textlayer" for p in book.pages):
                book_json = model.book_to_json(book, indent=None)
                write_text(work_dir / INGEST_FILE, book_json, durable=False)
        if not book.pages:
            raise BadInput(f"{src}: no pages")
        for line in ingest_warnings(book, src.name):
            progress.warning(line)
        unreadable = [p for p in book.pages if p.failed]
        if unreadable and pipeline.on_error == "abort":
            raise PageError(f"{unreadable[0].failed} (on_error = 'abort')")
        meta = dataclasses.replace(book.meta, **meta_fields) if meta_fields else book.meta
        if "lang" not in meta_fields:
            meta = dataclasses.replace(meta, lang=lang_code(lang))
        meta = dataclasses.replace(meta, source=src.name)
        book = dataclasses.replace(book, meta=meta, work_dir=str(work_dir))

        # Page stages, in parallel.
        progress.book_started(stem, len(book.pages))
        pages, cached_pages = run_pages(
            book, pipeline, opts, ctx, book_key, source, src.name, seconds, pool
        )
    book = book.with_pages(pages)

    # Book stages, in order.
    for spec in pipeline.book_stages:
        progress.stage(spec.name)
        t0 = time.perf_counter()
        stage = spec.create()
        try:
            book = stage.process_book(book, ctx)  # type: ignore[attr-defined]
        except DigitizeError:
            raise
        except Exception as e:
            raise DigitizeError(f"{src.name}: {spec.name} failed: {type(e).__name__}: {e}") from e
        seconds[spec.name] += time.perf_counter() - t0
    if carried:
        book = carry(book, carried, pipeline, ctx, progress.warning)

    # Export (into the caller's staging folder).
    outputs: list[Path] = []
    exporters = list(pipeline.exporters)
    if "export.json" not in {s.name for s in exporters}:
        from digitize.pipeline import make_options

        cls = registry.load_stage("export.json")
        exporters.append(StageSpec("export.json", cls, make_options(cls, {}, "export.json")))
    for spec in exporters:
        progress.stage(spec.name)
        t0 = time.perf_counter()
        outputs += spec.create().export(book, out_dir, ctx)  # type: ignore[attr-defined]
        seconds[spec.name] += time.perf_counter() - t0
    return book, outputs, cached_pages


def _cached_ingest(work_dir: Path, opts: RunOptions, defer: bool) -> Book | None:
    """The book as ingest left it on an earlier run, when still usable."""
    path = work_dir / INGEST_FILE
    if not (opts.cache and path.is_file()):
        return None
    try:
        book = model.book_from_json(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    if not defer and any(p.image and not (work_dir / p.image).is_file() for p in book.pages):
        return None  # images a local run deferred and never wrote: ingest renders them
    return book


def _report(
    src: Path,
    out_dir: Path,
    pipeline: Pipeline,
    opts: RunOptions,
    ctx: Context,
    stem: str,
    book: Book,
    outputs: list[Path],
    cached_pages: int,
    failed: list[Page],
    seconds: dict[str, float],
    t_start: float,
) -> BookResult:
    """The run report (JSON and HTML) and the result."""
    warnings = [f"page {p.index + 1}: {w}" for p in book.pages for w in p.warnings]
    warnings += [f"page {p.index + 1}: failed: {p.failed}" for p in failed]
    report_path = out_dir / f"{stem}.report.json"
    html_path = out_dir / f"{stem}.report.html"
    # A finished book's recorded outputs already name its (old) reports: list them once.
    outputs = [p for p in outputs if p.name not in (report_path.name, html_path.name)]
    report = build_report(
        book,
        source=str(src),
        pipeline={
            "name": pipeline.name,
            "file": pipeline.source,
            "lang": ctx.lang,
            "stages": [f"{s.name}@{s.cls.version}" for s in pipeline.stages],
        },
        stage_seconds=dict(seconds),
        wall_seconds=time.perf_counter() - t_start,
        cached_pages=cached_pages,
        outputs=[p.name for p in [*outputs, report_path, html_path]],
        warnings=warnings,
    )
    write_text(report_path, json.dumps(report, ensure_ascii=False, indent=1))
    outputs.append(report_path)
    outputs.append(write_report_html(book, report, html_path))  # while page images still exist
    return BookResult(src, stem, outputs, report, book)
