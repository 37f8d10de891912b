"""Page work: one page through every page stage, in a worker process (or looked up in the cache).

This is what the runner's executor runs. Stage instances are kept per worker so an OCR engine
loads its languages once; every stage result is stored in the page cache under its chained key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitize import registry
from digitize.cache import PageCache, chain_key, sub_key
from digitize.errors import DigitizeError, PageError
from digitize.model import Book, BookMeta, Page, Step
from digitize.stage import Context, Ingester, PageStage, Stage

_STAGE_INSTANCES: dict[tuple[str, str], Stage] = {}  # type: ignore[type-arg]


def _stage_instance(name: str, options: Any) -> Stage:  # type: ignore[type-arg]
    """One instance per worker and configuration: keeps OCR engines loaded across pages."""
    cls = registry.load_stage(name)
    digest = cls(options).options_digest()
    key = (name, digest)
    if key not in _STAGE_INSTANCES:
        _STAGE_INSTANCES[key] = cls(options)
    return _STAGE_INSTANCES[key]


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


def run_page_chain(task: PageTask, execute: bool = True) -> PageOutcome | None:
    """Run (or, with execute=False, only look up in the cache) every page stage on one page.

    A stage may turn one page into several (a split spread); each continues down the chain
    under its own sub-key. Returns None when execute=False and something is not cached.
    """
    cache = PageCache(Path(task.cache_root)) if task.cache_root else None
    seconds: dict[str, float] = defaultdict(float)
    if not execute and _needs_prepare(task):
        return None  # its image was never written (or is gone): run it for real
    page0 = _prepare(task, seconds) if execute else task.page
    current: list[tuple[Page, str]] = [(page0, task.key)]
    hits = 0
    for name, version, digest, options in task.stages:
        nxt: list[tuple[Page, str]] = []
        for page, key in current:
            k = chain_key(key, name, version, digest)
            out = cache.get(k) if cache else None
            if out is not None:
                hits += 1
            elif not execute:
                return None
            elif page.failed:
                out = [page]
            else:
                t0 = time.perf_counter()
                stage = _stage_instance(name, options)
                assert isinstance(stage, PageStage)
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
                if cache:
                    cache.put(k, out)
            if len(out) == 1:
                nxt.append((out[0], k))
            else:
                nxt.extend((p, sub_key(k, i)) for i, p in enumerate(out))
        current = nxt
    if execute and task.ctx.work_dir:
        t0 = time.perf_counter()
        for page, _ in current:
            _warm_previews(page, task.ctx.work_dir)
        seconds["report.previews"] += time.perf_counter() - t0
    return PageOutcome(tuple(p for p, _ in current), dict(seconds), hits)


def _warm_previews(page: Page, work_dir: str) -> None:
    """Make the run report's page previews here, in the worker, while the image is hot: else
    the parent decodes and JPEG-encodes every page alone after the pool has finished."""
    if not page.image or page.failed:
        return
    from digitize.report_data import page_images

    with contextlib.suppress(Exception):  # best effort: the report makes what is missing
        page_images(Book(BookMeta(), (), work_dir=work_dir), page)


def _needs_prepare(task: PageTask) -> bool:
    p = task.page
    return bool(
        task.ingest
        and p.image
        and not p.failed
        and not (Path(task.ctx.work_dir) / p.image).is_file()
    )


def _prepare(task: PageTask, seconds: dict[str, float]) -> Page:
    """The page with its image on disk: the ingester writes images it deferred (here, in the
    worker, so rasterising overlaps the OCR of other pages)."""
    page = task.page
    if not _needs_prepare(task):
        return page
    assert task.ingest is not None
    name, options, src = task.ingest
    t0 = time.perf_counter()
    try:
        ingester = _stage_instance(name, options)
        assert isinstance(ingester, Ingester)
        page = ingester.prepare_page(Path(src), page, task.ctx)
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
