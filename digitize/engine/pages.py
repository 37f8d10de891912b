"""The parent side of the page stages: look pages up in the cache, schedule the rest, collect
their outcomes under the error policy, and assemble the pages in book order.

(`worker` is the other side: one page through the chain.) Born-digital and failed pages need no
pool: they run here, where starting workers would cost more than the pages themselves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize import registry
from digitize.engine.cache import sub_key
from digitize.engine.clock import Clock
from digitize.engine.events import Progress
from digitize.engine.executors import Executor, executor_class, make_executor
from digitize.engine.run_options import RunOptions
from digitize.engine.worker import PageOutcome, PageSource, PageTask, run_page_chain, warm_up
from digitize.errors import BadInput, DigitizeError, Interrupted, PageError
from digitize.lazy import lazy_names
from digitize.model import Book, Page
from digitize.pipeline import Pipeline
from digitize.stage import Context, Ingester


@dataclass
class PageRun:
    """The page stages of one book: what scheduling them needs, named once."""

    pipeline: Pipeline
    opts: RunOptions
    ctx: Context
    book_key: str
    #: labels messages (the input's file name)
    name: str
    #: where workers render deferred page images (None: ingest wrote them)
    source: PageSource | None
    clock: Clock
    outcomes: dict[int, PageOutcome] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)

    @property
    def progress(self) -> Progress:
        return self.opts.progress

    def run(self, book: Book, pool: Executor | None = None) -> tuple[list[Page], int]:
        """The book's pages after the page stages (renumbered), and how many came whole from
        the cache. `pool`: a started pool (`early_pool`) for the image pages."""
        todo = self.look_up(book)
        if todo:
            self.schedule(todo, len(book.pages), pool)
        return self.assemble(book)

    def look_up(self, book: Book) -> list[PageTask]:
        """Take every page the cache holds whole; return the tasks of the others."""
        stages = tuple((*s.identity, s.options) for s in self.pipeline.page_stages)
        cache_root = str(self.opts.cache.root) if self.opts.cache else None
        todo: list[PageTask] = []
        for page in book.pages:
            # A born-digital page's stages cost less than writing and reading back its entry.
            cached = cache_root if page.source != "textlayer" else None
            key = sub_key(self.book_key, page.index)
            task = PageTask(page, key, stages, self.ctx, cached, self.source)
            hit = run_page_chain(task, execute=False) if cached else None
            if hit is not None:
                self.outcomes[page.index] = hit
                self.progress.pages_done()
            else:
                todo.append(task)
        return todo

    def schedule(self, todo: list[PageTask], total: int, pool: Executor | None) -> None:
        """Run the tasks: image pages on the pool, the light ones here, collecting as they
        finish."""
        light = [t for t in todo if t.page.source == "textlayer" or t.page.failed]
        heavy = [t for t in todo if not (t.page.source == "textlayer" or t.page.failed)]
        executor = None
        streams = [make_executor("local", 1).map_unordered(run_page_chain, light)]
        if heavy:
            executor = pool or open_pool(
                self.opts, self.pipeline, self.ctx, self.source, len(heavy)
            )
            streams.append(executor.map_unordered(run_page_chain, heavy))
        try:
            self.collect(itertools.chain(*streams))
        except KeyboardInterrupt:
            raise Interrupted(
                f"{self.name}: interrupted after {len(self.outcomes)} of {total} pages; "
                "finished pages are cached, rerun to resume"
            ) from None
        finally:
            if executor is not None and executor is not pool:  # the caller closes its own
                executor.close()

    def collect(
        self, finished: Iterable[tuple[PageTask, PageOutcome | BaseException | None]]
    ) -> None:
        """Keep each outcome; a failed page is skipped or stops the book (`on_error`)."""
        for task, outcome in finished:
            if isinstance(outcome, BaseException):
                reason = (
                    outcome.one_line()
                    if isinstance(outcome, DigitizeError)
                    else f"page {task.page.index + 1}: {type(outcome).__name__}: {outcome}"
                )
                if self.pipeline.on_error == "abort":
                    raise PageError(f"{self.name}: {reason}")
                self.failures[task.page.index] = reason
                self.progress.warning(f"{self.name}: {reason} (page skipped)")
            else:
                assert outcome is not None  # only a look-up (execute=False) gives None
                self.outcomes[task.page.index] = outcome
            self.progress.pages_done()

    def assemble(self, book: Book) -> tuple[list[Page], int]:
        """The pages in book order (a split spread in its place), renumbered, with their stage
        seconds added up; fails the book when too many pages failed."""
        pages: list[Page] = []
        cached_pages = 0
        for page in book.pages:
            if page.index in self.failures:
                pages.append(dataclasses.replace(page, failed=self.failures[page.index], blocks=()))
                continue
            outcome = self.outcomes[page.index]
            self.clock.merge(outcome.seconds, outcome.cpu)
            if outcome.cached_steps and not outcome.seconds:
                cached_pages += 1
            pages.extend(outcome.pages)
        pages = [dataclasses.replace(p, index=i) for i, p in enumerate(pages)]
        failed = [p for p in pages if p.failed]
        ratio = self.pipeline.max_failed_ratio
        if failed and len(failed) / len(pages) > ratio:
            raise BadInput(
                f"{self.name}: {len(failed)} of {len(pages)} pages failed (more than "
                f"max_failed_ratio={ratio}); first: {failed[0].failed}"
            )
        return pages, cached_pages


@contextlib.contextmanager
def early_pool(
    src: Path,
    ingester: Ingester[Any],
    pipeline: Pipeline,
    opts: RunOptions,
    ctx: Context,
    source: PageSource | None,
) -> Iterator[Executor | None]:
    """A pool started before ingest when the book looks scanned, so its workers' imports and
    OCR engine loads (~0.5 s before the first page) run while the parent reads the book. None
    when there is nothing to gain: an executor that cannot start early, no page stages, or a
    born-digital book (a pool it never uses would cost more than its pages)."""
    pool = None
    if (
        executor_class(opts.executor, opts.jobs).starts_early
        and pipeline.page_stages
        and ingester.likely_needs_ocr(src)
    ):
        pool = open_pool(opts, pipeline, ctx, source, opts.jobs)
        pool.start()
    try:
        yield pool
    finally:
        if pool is not None:
            pool.close()


def open_pool(
    opts: RunOptions, pipeline: Pipeline, ctx: Context, source: PageSource | None, pages: int
) -> Executor:
    """The run's executor for `pages` pages (no more workers than pages)."""
    jobs = min(opts.jobs, pages)
    return make_executor(opts.executor, jobs, **pool_args(opts, pipeline, ctx, source, jobs))


def pool_args(
    opts: RunOptions, pipeline: Pipeline, ctx: Context, source: PageSource | None, jobs: int
) -> dict[str, Any]:
    """The executor's arguments. A pool whose workers share this machine preloads the modules
    of the stages they run (and the ingester's, when they render pages) and warms their
    engines up as each worker starts."""
    args = dict(opts.executor_args)
    if not (executor_class(opts.executor, jobs).shares_files and jobs > 1):
        return args
    modules = [s.cls.__module__ for s in pipeline.page_stages]
    if source is not None:
        modules.append(registry.load_stage(source.ingester).__module__)
    # ... and the libraries those modules import lazily (`digitize/lazy.py`): OpenCV, NumPy.
    modules += sorted({lib for m in modules for lib in lazy_names(m)})
    stages = tuple((s.name, s.options) for s in pipeline.page_stages)
    return args | {"preload": tuple(modules), "warm": functools.partial(warm_up, stages, ctx)}
