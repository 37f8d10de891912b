"""Run a book's page stages: cache lookups first, then the pages still to do in parallel.

The parent side of the page chain (`pagework` is the worker side): which pages come from the
cache, which run in the pool and which here (born-digital and failed pages need no pool), the
per-page error policy, and the pages put back in book order with their stage timings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitize import registry
from digitize.engine.cache import sub_key
from digitize.engine.executors import Executor, LocalPool, make_executor
from digitize.engine.worker import PageOutcome, PageTask, run_page_chain, warm_up
from digitize.errors import BadInput, DigitizeError, Interrupted, PageError
from digitize.lazy import lazy_names
from digitize.model import Book, Page
from digitize.pipeline import Pipeline
from digitize.stage import Context, Ingester

if TYPE_CHECKING:
    from digitize.engine.run import RunOptions


def run_pages(
    book: Book,
    pipeline: Pipeline,
    opts: RunOptions,
    ctx: Context,
    book_key: str,
    source: tuple[str, Any, str] | None,
    name: str,
    seconds: dict[str, float],
    pool: Executor | None = None,
) -> tuple[list[Page], int]:
    """The book's pages after the page stages (renumbered), and how many came whole from the
    cache. `source` lets workers render deferred page images; `name` labels messages; `pool`
    is a started pool (`early_pool`) for the image pages, else one is made when needed."""
    progress = opts.progress
    stages = tuple(
        (s.name, s.cls.version, s.create().options_digest(), s.options)
        for s in pipeline.page_stages
    )
    cache_root = str(opts.cache.root) if opts.cache else None
    results: dict[int, PageOutcome] = {}
    todo: list[PageTask] = []
    for page in book.pages:
        # A born-digital page's stages cost less than writing and reading back its cache entry.
        cached = cache_root if page.source != "textlayer" else None
        task = PageTask(page, sub_key(book_key, page.index), stages, ctx, cached, source)
        hit = run_page_chain(task, execute=False) if cached else None
        if hit is not None:
            results[page.index] = hit
            progress.pages_done()
        else:
            todo.append(task)
    failures: dict[int, str] = {}
    # Born-digital pages (words from the PDF's text layer) and failed pages need no OCR or image
    # work: they run here, where starting a pool would cost far more than the pages themselves.
    light = [t for t in todo if t.page.source == "textlayer" or t.page.failed]
    heavy = [t for t in todo if not (t.page.source == "textlayer" or t.page.failed)]
    if todo:
        executor = (
            (pool or _open_pool(opts, pipeline, ctx, source, min(opts.jobs, len(heavy))))
            if heavy
            else make_executor("local", 1)
        )
        streams = [make_executor("local", 1).map_unordered(run_page_chain, light)]
        if heavy:
            streams.append(executor.map_unordered(run_page_chain, heavy))
        try:
            for task, outcome in itertools.chain(*streams):
                if isinstance(outcome, BaseException):
                    reason = (
                        outcome.one_line()
                        if isinstance(outcome, DigitizeError)
                        else f"page {task.page.index + 1}: {type(outcome).__name__}: {outcome}"
                    )
                    if pipeline.on_error == "abort":
                        raise PageError(f"{name}: {reason}")
                    failures[task.page.index] = reason
                    progress.warning(f"{name}: {reason} (page skipped)")
                else:
                    assert outcome is not None
                    results[task.page.index] = outcome
                progress.pages_done()
        except KeyboardInterrupt:
            raise Interrupted(
                f"{name}: interrupted after {len(results)} of {len(book.pages)} pages; "
                "finished pages are cached, rerun to resume"
            ) from None
        finally:
            if executor is not pool:  # the caller closes its own
                executor.close()

    pages: list[Page] = []
    cached_pages = 0
    for page in book.pages:
        if page.index in failures:
            pages.append(dataclasses.replace(page, failed=failures[page.index], blocks=()))
            continue
        outcome = results[page.index]
        for stage_name, secs in outcome.seconds.items():
            seconds[stage_name] += secs
        if outcome.cached_steps and not outcome.seconds:
            cached_pages += 1
        pages.extend(outcome.pages)
    pages = [dataclasses.replace(p, index=i) for i, p in enumerate(pages)]
    failed = [p for p in pages if p.failed]
    if failed and len(failed) / len(pages) > pipeline.max_failed_ratio:
        raise BadInput(
            f"{name}: {len(failed)} of {len(pages)} pages failed (more than "
            f"max_failed_ratio={pipeline.max_failed_ratio}); first: {failed[0].failed}"
        )
    return pages, cached_pages


@contextlib.contextmanager
def early_pool(
    src: Path,
    ingester: Ingester,  # type: ignore[type-arg]
    pipeline: Pipeline,
    opts: RunOptions,
    ctx: Context,
    source: tuple[str, Any, str] | None,
) -> Iterator[Executor | None]:
    """A local pool started before ingest when the book looks scanned, so its forkserver
    imports and OCR engine loads (~0.5 s before the first page) run while the parent reads
    the book. None when there is nothing to gain: one job, another executor, no page stages,
    or a born-digital book (a pool it never uses would cost more than its pages)."""
    pool = None
    if (
        opts.executor == "local"
        and opts.jobs > 1
        and pipeline.page_stages
        and ingester.likely_needs_ocr(src)
    ):
        pool = _open_pool(opts, pipeline, ctx, source, opts.jobs)
        if isinstance(pool, LocalPool):
            pool.start()
    try:
        yield pool
    finally:
        if pool is not None:
            pool.close()


def _open_pool(
    opts: RunOptions,
    pipeline: Pipeline,
    ctx: Context,
    source: tuple[str, Any, str] | None,
    jobs: int,
) -> Executor:
    return make_executor(opts.executor, jobs, **_pool_args(opts, pipeline, source, ctx))


def _pool_args(
    opts: RunOptions, pipeline: Pipeline, source: tuple[str, Any, str] | None, ctx: Context
) -> dict[str, Any]:
    """The executor's arguments; a local pool preloads the modules of the stages its workers
    run (the page stages, and the ingester when workers render the pages) and warms their
    engines up as each worker starts."""
    if opts.executor != "local":
        return dict(opts.executor_args)
    modules = [s.cls.__module__ for s in pipeline.page_stages]
    if source is not None:
        modules.append(registry.load_stage(source[0]).__module__)
    # ... and the libraries those modules import lazily (`digitize/lazy.py`): OpenCV, NumPy.
    modules += sorted({lib for m in modules for lib in lazy_names(m)})
    stages = tuple((s.name, s.options) for s in pipeline.page_stages)
    warm = functools.partial(warm_up, stages, ctx)
    return dict(opts.executor_args) | {"preload": tuple(modules), "warm": warm}
