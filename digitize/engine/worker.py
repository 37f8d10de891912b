"""Page work: one page through every page stage, in a worker process (or looked up in the cache).

This is what the runner's executor runs. Stage instances are kept per worker so an OCR engine
loads its languages once; every stage result is stored in the page cache under its chained key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitize import registry
from digitize.engine.cache import PageCache, chain_key, sub_key
from digitize.errors import DigitizeError, PageError
from digitize.model import Book, BookMeta, Page, Step
from digitize.stage import Context, Ingester, PageStage, Stage
from digitize.stages import _pixels

_STAGE_INSTANCES: dict[tuple[str, Any], Stage] = {}  # type: ignore[type-arg]


def _stage_instance(name: str, options: Any) -> Stage:  # type: ignore[type-arg]
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
class PageTask:
    page: Page
    key: str
    stages: tuple[tuple[str, str, str, Any], ...]  # (name, version, options digest, options)
    ctx: Context
    cache_root: str | None
    ingest: tuple[str, Any, str] | None = None  # (name, options, src): renders deferred images


@dataclass(frozen=True)
class PageOutcome:
    pages: tuple[Page, ...]
    seconds: dict[str, float]
    cached_steps: int


class _Redo(Exception):
    """A stage's input image was never written (a chain cut short after caching its page):
    run the chain again without cache look-ups before stage `at`."""

    def __init__(self, at: int) -> None:
        self.at = at


def run_page_chain(task: PageTask, execute: bool = True) -> PageOutcome | None:
    """Run (or, with execute=False, only look up in the cache) every page stage on one page.

    A stage may turn one page into several (a split spread); each continues down the chain
    under its own sub-key. Returns None when execute=False and something is not cached.

    Preprocess stages hand their images on in memory (`_common.deferred`): only the images a
    later stage reads from disk (OCR, layout) or the chain ends with are written. A cached page
    may therefore name an image that was never written; the chain then redoes the stages before
    the first one to run (cheap: no OCR is redone for it).
    """
    cache = PageCache(Path(task.cache_root)) if task.cache_root else None
    seconds: dict[str, float] = defaultdict(float)
    if not execute:
        # The images the cached pages end with must exist (not the ingested one: a chain that
        # replaced it never wrote it).
        walked = _last_entry(task, cache) or _walk(task, task.page, cache, seconds, False)
        if walked is None or not all(_on_disk(p, task.ctx) for p, _ in walked[0]):
            return None
        current, hits = walked
    else:
        with _image_chain(task) as images:
            try:
                current, hits = _run(task, cache, seconds, images, 0)
            except _Redo as redo:
                current, hits = _run(task, cache, seconds, images, redo.at)
    if execute and task.ctx.work_dir:
        t0 = time.perf_counter()
        for page, _ in current:
            _warm_previews(page, task.ctx.work_dir)
        seconds["report.previews"] += time.perf_counter() - t0
    return PageOutcome(tuple(p for p, _ in current), dict(seconds), hits)


def _run(
    task: PageTask,
    cache: PageCache | None,
    seconds: dict[str, float],
    images: Any,
    fresh_before: int,
) -> tuple[list[tuple[Page, str]], int]:
    page0 = _prepare(task, seconds, images)
    walked = _walk(task, page0, cache, seconds, True, images, fresh_before)
    assert walked is not None
    if images is not None:
        current = walked[0]
        t0 = time.perf_counter()
        images.flush(_paths(task.ctx, [p for p, _ in current]))
        seconds["preprocess.write"] += time.perf_counter() - t0
        if not all(_on_disk(p, task.ctx) for p, _ in current):
            raise _Redo(len(task.stages))
    return walked


def _walk(
    task: PageTask,
    page0: Page,
    cache: PageCache | None,
    seconds: dict[str, float],
    execute: bool,
    images: Any = None,
    fresh_before: int = 0,
) -> tuple[list[tuple[Page, str]], int] | None:
    """Every stage over the pages (`images`: preprocess's `_common` inside `deferred()`)."""
    current: list[tuple[Page, str]] = [(page0, task.key)]
    hits = 0
    # A born-digital page's chain costs less than writing its steps' entries: only the last.
    text_only, last = page0.source == "textlayer", len(task.stages) - 1
    for i, (name, version, digest, options) in enumerate(task.stages):
        nxt: list[tuple[Page, str]] = []
        for page, key in current:
            k = chain_key(key, name, version, digest)
            out = cache.get(k) if cache and i >= fresh_before else None
            if out is not None:
                hits += 1
                if not out:  # the stage left the page as it was (see below)
                    out = [_with_step(page, Step(name, version, digest))]
            elif not execute:
                return None
            elif page.failed:
                out = [page]
            else:
                stage = _stage_instance(name, options)
                assert isinstance(stage, PageStage)
                if images is not None:
                    _hand_over(images, stage, page, task.ctx, i, fresh_before, seconds)
                t0 = time.perf_counter()
                try:
                    res = stage.process_page(page, task.ctx)
                except DigitizeError as e:
                    raise PageError(f"page {page.index + 1}: {name}: {e.one_line()}") from None
                except Exception as e:
                    raise PageError(
                        f"page {page.index + 1}: {name} failed: {type(e).__name__}: {e}"
                    ) from None
                seconds[name] += time.perf_counter() - t0
                out = [res] if isinstance(res, Page) else list(res)
                out = [_with_step(p, Step(name, version, digest)) for p in out]
                if cache and (i == last or not text_only):
                    # An unchanged page (a born-digital page through preprocessing and OCR) is
                    # stored as an empty entry: its JSON (every word) costs more than the stage.
                    cache.put(k, [] if res is page and not text_only else out)
            if len(out) == 1:
                nxt.append((out[0], k))
            else:
                nxt.extend((p, sub_key(k, j)) for j, p in enumerate(out))
        current = nxt
        if images is not None:
            images.drop_pending(_paths(task.ctx, [p for p, _ in current]))
    return current, hits


def _last_entry(
    task: PageTask, cache: PageCache | None
) -> tuple[list[tuple[Page, str]], int] | None:
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
    return [(out[0], key)], len(task.stages)


def _hand_over(
    images: Any,
    stage: PageStage,  # type: ignore[type-arg]
    page: Page,
    ctx: Context,
    i: int,
    fresh_before: int,
    seconds: dict[str, float],
) -> None:
    """Make `page`'s image readable by `stage`: written if it reads files (not a preprocess
    stage); `_Redo` if it is neither on disk nor in memory."""
    paths = _paths(ctx, [page])
    if stage.kind != "preprocess":
        t0 = time.perf_counter()
        images.flush(paths)
        seconds["preprocess.write"] += time.perf_counter() - t0
    if not all(images.available(p) for p in paths):
        if i < fresh_before:
            raise PageError(f"page {page.index + 1}: {stage.name}: image missing")
        raise _Redo(i)


@contextlib.contextmanager
def _image_chain(task: PageTask) -> Iterator[Any]:
    """Preprocess's image hand-over for pages with an image and preprocess stages (None for
    the others: a born-digital page must not import OpenCV in the parent)."""
    preprocessed = any(s[0].startswith("preprocess.") for s in task.stages)
    if task.page.image is None or not preprocessed:
        yield None
        return
    from digitize.stages.preprocess import _common

    with _common.deferred():
        yield _common


def _paths(ctx: Context, pages: list[Page]) -> list[Path]:
    """The files a page's later stages may read: its image and the grey copy binarize kept."""
    return [Path(ctx.work_dir) / r for p in pages for r in (p.image, p.unbinarized) if r]


def _on_disk(page: Page, ctx: Context) -> bool:
    return all(p.is_file() for p in _paths(ctx, [page]))


def _warm_previews(page: Page, work_dir: str) -> None:
    """Make the run report's page previews here, in the worker, while the image is hot (its
    pixels still in memory after OCR): else the parent decodes and JPEG-encodes every page
    alone after the pool has finished."""
    if not page.image or page.failed:
        return
    from digitize.report.pages import make_previews, page_images

    path = Path(work_dir) / page.image
    held = _pixels.recall(path)
    with contextlib.suppress(Exception):  # best effort: the report makes what is missing
        if held is not None:
            make_previews(path, held[0])
        else:
            page_images(Book(BookMeta(), (), work_dir=work_dir), page)


def _needs_prepare(task: PageTask, images: Any) -> bool:
    p = task.page
    if not task.ingest or not p.image or p.failed:
        return False
    path = Path(task.ctx.work_dir) / p.image
    return not (images.available(path) if images else path.is_file())


def _prepare(task: PageTask, seconds: dict[str, float], images: Any) -> Page:
    """The page with its image on disk, or (`images`: a preprocess chain follows) in memory:
    the ingester renders images it deferred here, in the worker, so rasterising overlaps the
    OCR of other pages; preprocessing usually replaces the image, so it is not even written."""
    page = task.page
    if not _needs_prepare(task, images):
        return page
    assert task.ingest is not None
    name, options, src = task.ingest
    t0 = time.perf_counter()
    try:
        ingester = _stage_instance(name, options)
        assert isinstance(ingester, Ingester)
        render = getattr(ingester, "render_pixels", None) if images else None
        pixels = render(Path(src), page) if render else None
        if pixels is None:
            page = ingester.prepare_page(Path(src), page, task.ctx)
        else:
            rel = page.image
            assert rel is not None
            images.hold(pixels, Path(task.ctx.work_dir) / rel, rel, page.dpi or task.ctx.render_dpi)
            h, w = pixels.shape[:2]
            page = page if page.size == (w, h) else dataclasses.replace(page, size=(w, h))
    except DigitizeError as e:
        raise PageError(f"page {page.index + 1}: {name}: {e.one_line()}") from None
    except Exception as e:
        raise PageError(f"page {page.index + 1}: {name} failed: {type(e).__name__}: {e}") from None
    seconds[name] += time.perf_counter() - t0
    return page


def _with_step(page: Page, step: Step) -> Page:
    if page.steps and page.steps[-1].name == step.name:
        return page
    return dataclasses.replace(page, steps=(*page.steps, step))
