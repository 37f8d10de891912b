"""The worker side of the page chain: one page through every page stage (or looked up in the
page cache), in a worker process.

This is what the executors run. Stage instances are kept per worker so an OCR engine loads its
languages once; every stage result is stored in the page cache under its chained key. The chain
owns its page images (`digitize.images.PageImages`, reached by stages as `ctx.images`): they
pass from stage to stage in memory, and only the images the chain ends with are written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize import registry
from digitize.engine.cache import PageCache, chain_key, sub_key
from digitize.engine.clock import Clock, cpu_now
from digitize.errors import DigitizeError, PageError
from digitize.images import PageImages
from digitize.model import Page, Step
from digitize.stage import Context, Ingester, PageStage, Stage

_STAGE_INSTANCES: dict[tuple[str, Any], Stage[Any]] = {}

#: the pages of one step of the chain, each with its cache key
Level = list[tuple[Page, str]]


def _stage_instance(name: str, options: Any) -> Stage[Any]:
    """One instance per worker and configuration: keeps OCR engines loaded across pages.
    Options are frozen dataclasses, so they key the instance themselves (a digest per page per
    stage cost more than a born-digital page's layout)."""
    try:
        key = (name, options)
        stage = _STAGE_INSTANCES.get(key)
    except TypeError:  # a plugin's options that are not frozen (unhashable): key by digest
        cls = registry.load_stage(name)
        key = (name, cls(options).options_digest())
        stage = _STAGE_INSTANCES.get(key)
    if stage is None:
        stage = _STAGE_INSTANCES[key] = registry.load_stage(name)(options)
    return stage


def warm_up(stages: tuple[tuple[str, Any], ...], ctx: Context) -> None:
    """A new worker's first act: create its stage instances and let them load their engines,
    so the first page does not wait for them."""
    for name, options in stages:
        _stage_instance(name, options).warm_up(ctx)


@dataclass(frozen=True)
class PageSource:
    """Where a worker renders the page images ingest deferred: the ingester and the input."""

    ingester: str
    options: Any
    src: str


@dataclass(frozen=True)
class PageTask:
    """One page's work: the page as ingested, its cache key, the page stages as (name,
    version, options digest, options), the run's context and cache."""

    page: Page
    key: str
    stages: tuple[tuple[str, str, str, Any], ...]
    ctx: Context
    cache_root: str | None
    source: PageSource | None = None


@dataclass(frozen=True)
class PageOutcome:
    """The pages a chain ended with (several when a spread was split), wall and CPU seconds
    per stage, and how many stage results came from the cache."""

    pages: tuple[Page, ...]
    seconds: dict[str, float]
    cached_steps: int
    cpu: dict[str, float] = field(default_factory=dict)


def run_page_chain(task: PageTask, execute: bool = True) -> PageOutcome | None:
    """Run (or, with execute=False, only look up in the cache) every page stage on one page.

    A stage may turn one page into several (a split spread); each continues down the chain
    under its own sub-key. Returns None when execute=False and something is not cached (or the
    images the cached pages end with are not on disk).
    """
    cache = PageCache(Path(task.cache_root)) if task.cache_root else None
    if not execute:
        found = _last_entry(task, cache) or _cached_prefix(task, cache)
        start, level, hits = found
        if start < len(task.stages) or not _on_disk(level, task.ctx):
            return None
        return PageOutcome(tuple(p for p, _ in level), {}, hits)
    clock = Clock()
    images = PageImages(defer=True)
    ctx = dataclasses.replace(task.ctx, images=images, notes=[])
    start, level, hits = _cached_prefix(task, cache)
    if start > 0 and not _on_disk(level, ctx):
        # Those cached pages name images only their chain held in memory (a chain writes just
        # the images it ends with): make them again from the first stage.
        start, level, hits = 0, [(task.page, task.key)], 0
    if start == 0:
        level = [(_prepare(task, ctx, clock), task.key)]
    level = _execute(task, ctx, cache, level, start, clock)
    with clock.timed("preprocess.write"):
        images.flush(_paths(ctx, level))
    if ctx.work_dir:
        with clock.timed("report.previews"):
            for page, _ in level:
                _warm_previews(page, ctx)
    return PageOutcome(tuple(p for p, _ in level), dict(clock.wall), hits, dict(clock.cpu))


def _cached_prefix(task: PageTask, cache: PageCache | None) -> tuple[int, Level, int]:
    """Walk the cache from the first stage: (the index of the first stage not cached for every
    page, the pages entering it, how many results were found)."""
    level: Level = [(task.page, task.key)]
    if cache is None:
        return 0, level, 0
    hits = 0
    for i, (name, version, digest, _) in enumerate(task.stages):
        nxt: Level = []
        for page, key in level:
            k = chain_key(key, name, version, digest)
            out = cache.get(k)
            if out is None:
                return i, level, hits
            hits += 1
            if not out:  # the stage left the page as it was (see `_execute`)
                out = [page.with_step(Step(name, version, digest))]
            nxt.extend(_keyed(out, k))
        level = nxt
    return len(task.stages), level, hits


def _last_entry(task: PageTask, cache: PageCache | None) -> tuple[int, Level, int] | None:
    """The chain's last result straight from its key (one read, not one per stage), when no
    stage split the page and the last one changed it."""
    if cache is None or not task.stages:
        return None
    key = task.key
    for name, version, digest, _ in task.stages:
        key = chain_key(key, name, version, digest)
    out = cache.get(key)
    if not out or len(out) != 1:
        return None
    n = len(task.stages)
    return n, [(out[0], key)], n


def _execute(
    task: PageTask,
    ctx: Context,
    cache: PageCache | None,
    level: Level,
    start: int,
    clock: Clock,
) -> Level:
    """Run the stages from `start` on, storing each result in the cache."""
    # A born-digital page's chain costs less than writing its steps' entries: only the last.
    text_only = bool(level) and level[0][0].source == "textlayer"
    last = len(task.stages) - 1
    for i in range(start, len(task.stages)):
        name, version, digest, options = task.stages[i]
        nxt: Level = []
        for page, key in level:
            k = chain_key(key, name, version, digest)
            if page.failed:
                out = [page]
            else:
                res, step = _run_stage(name, options, page, ctx, clock)
                out = [res] if isinstance(res, Page) else list(res)
                out = [p.with_step(replace_step(step, version, digest)) for p in out]
                if cache and (i == last or not text_only):
                    # An unchanged page (a born-digital page through preprocessing and OCR) is
                    # stored as an empty entry: its JSON (every word) costs more than the stage.
                    cache.put(k, [] if res is page and not text_only else out)
            nxt.extend(_keyed(out, k))
        level = nxt
        ctx.images.keep_only(_paths(ctx, level))
    return level


def _run_stage(
    name: str, options: Any, page: Page, ctx: Context, clock: Clock
) -> tuple[Page | tuple[Page, ...], Step]:
    """The stage's result and its step: its CPU seconds on this page and the decision it
    noted (`Context.note`)."""
    stage = _stage_instance(name, options)
    assert isinstance(stage, PageStage)
    if page.image and not ctx.images.available(ctx.image_path(page)):
        raise PageError(f"page {page.index + 1}: {name}: image {page.image} missing")
    ctx.notes.clear()
    t0, c0 = time.perf_counter(), cpu_now()
    with _page_errors(page, name):
        res = stage.process_page(page, ctx)
    cpu = cpu_now() - c0
    clock.add(name, time.perf_counter() - t0, cpu)
    return res, Step(name, "", "", cpu_seconds=round(cpu, 4), note="; ".join(ctx.notes))


def replace_step(step: Step, version: str, digest: str) -> Step:
    return dataclasses.replace(step, version=version, options_digest=digest)


@contextlib.contextmanager
def _page_errors(page: Page, name: str) -> Iterator[None]:
    """Whatever a stage raises becomes one PageError naming the page and the stage: the
    parent's error policy (skip or abort) then decides."""
    try:
        yield
    except DigitizeError as e:
        raise PageError(f"page {page.index + 1}: {name}: {e.one_line()}") from None
    except Exception as e:
        raise PageError(f"page {page.index + 1}: {name} failed: {type(e).__name__}: {e}") from None


def _keyed(out: list[Page], key: str) -> Level:
    """A stage's pages with their keys: the chain's own, or a sub-key each for a split."""
    if len(out) == 1:
        return [(out[0], key)]
    return [(p, sub_key(key, j)) for j, p in enumerate(out)]


def _paths(ctx: Context, level: Level) -> list[Path]:
    """The files a level's later stages may read: its images and the grey copies binarize kept."""
    return [Path(ctx.work_dir) / r for p, _ in level for r in (p.image, p.unbinarized) if r]


def _on_disk(level: Level, ctx: Context) -> bool:
    return all(p.is_file() for p in _paths(ctx, level))


def _warm_previews(page: Page, ctx: Context) -> None:
    """Make the run report's page previews here, in the worker, while the image is hot (its
    pixels still in memory after OCR): else the parent decodes and JPEG-encodes every page
    alone after the pool has finished."""
    if not page.image or page.failed:
        return
    from digitize.model import Book, BookMeta
    from digitize.report.pages import make_previews, page_images

    path = ctx.image_path(page)
    held = ctx.images.held(path)
    with contextlib.suppress(Exception):  # best effort: the report makes what is missing
        if held is not None:
            make_previews(path, held)
        else:
            page_images(Book(BookMeta(), (), work_dir=ctx.work_dir), page)


def _prepare(task: PageTask, ctx: Context, clock: Clock) -> Page:
    """The page with its image on disk or in memory: the ingester renders images it deferred
    here, in the worker, so rasterising overlaps the OCR of other pages."""
    page = task.page
    if not task.source or not page.image or page.failed:
        return page
    if ctx.images.available(ctx.image_path(page)):
        return page
    name = task.source.ingester
    with clock.timed(name), _page_errors(page, name):
        ingester = _stage_instance(name, task.source.options)
        assert isinstance(ingester, Ingester)
        page = ingester.prepare_page(Path(task.source.src), page, ctx)
    return page
