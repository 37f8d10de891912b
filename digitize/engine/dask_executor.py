"""Page work on Dask workers: many machines, no shared file system, one coordinator.

The coordinator (the batch or convert process) stays the only writer of the ledger, the page
cache and the outputs. A page task carries what its stages read: the page image and the book's
small side files (top-level files of the work dir, e.g. an ingester's text layer). On the worker
it runs in a private temporary work dir and cache, and comes back with the page result plus every
file the stages wrote there (new page images, cache entries); the coordinator writes those into
its own work dir and cache, so a rerun or a resumed run finds them exactly as after a local run.

Install with `pip install 'digitize[dask]'`. Workers need digitize and the pipeline's stage
plugins installed (and Tesseract for OCR), nothing else.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, TypeVar

from digitize.engine.cache import INGEST_FILE
from digitize.engine.worker import PageOutcome, PageTask, run_page_chain
from digitize.errors import MissingDependency
from digitize.fileio import write_bytes

T = TypeVar("T")
R = TypeVar("R")

SIDE_FILE_LIMIT = 8 << 20  # book side files larger than this are not shipped with every page


def open_client(scheduler: str | None, jobs: int) -> Any:
    """A client for `scheduler`, or for a new local cluster of `jobs` single-threaded worker
    processes (closed together with the client)."""
    try:
        from distributed import Client
    except ImportError as e:
        raise MissingDependency(
            "--executor dask needs dask.distributed", hint="pip install 'digitize[dask]'"
        ) from e
    if scheduler:
        return Client(scheduler, timeout="30s")
    return Client(
        n_workers=jobs,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        env={"OMP_THREAD_LIMIT": "1"},
    )


@dataclasses.dataclass(frozen=True)
class ShippedPage:
    task: PageTask
    files: dict[str, bytes]  # relative to the work dir
    use_cache: bool


@dataclasses.dataclass(frozen=True)
class LandedPage:
    outcome: PageOutcome
    work_files: dict[str, bytes]
    cache_files: dict[str, bytes]


def _safe_rel(rel: str) -> PurePosixPath:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"refusing path outside the work dir: {rel!r}")
    return p


def _collect(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run_shipped_page(shipped: ShippedPage) -> LandedPage:
    """Runs on a worker: the page chain in a private work dir; returns what it wrote."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="digitize-dask-") as tmp:
        work, cache = Path(tmp, "work"), Path(tmp, "cache")
        work.mkdir()
        for rel, data in shipped.files.items():
            target = work / _safe_rel(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        task = dataclasses.replace(
            shipped.task,
            ctx=dataclasses.replace(shipped.task.ctx, work_dir=str(work)),
            cache_root=str(cache) if shipped.use_cache else None,
        )
        outcome = run_page_chain(task)
        assert outcome is not None
        written = {
            rel: data for rel, data in _collect(work).items() if shipped.files.get(rel) != data
        }
        cached = _collect(cache) if cache.is_dir() else {}
    return LandedPage(outcome, written, cached)


class DaskExecutor:
    """The runner's Executor on a Dask cluster, at most `2 * workers` pages in flight."""

    shares_files: ClassVar[bool] = False
    starts_early: ClassVar[bool] = False

    def __init__(self, jobs: int, client: Any = None, scheduler: str | None = None) -> None:
        self._own = client is None
        self.client = client if client is not None else open_client(scheduler, jobs)
        workers = len(self.client.scheduler_info().get("workers", {})) or jobs
        self.limit = 2 * max(workers, 1)
        self._side: dict[str, dict[str, bytes]] = {}
        self._futures: list[Any] = []

    def _side_files(self, work_dir: Path) -> dict[str, bytes]:
        key = str(work_dir)
        if key not in self._side:
            files: dict[str, bytes] = {}
            if work_dir.is_dir():
                for p in work_dir.iterdir():
                    if (
                        p.is_file()
                        and p.name != INGEST_FILE
                        and not p.name.endswith(".part")
                        and p.stat().st_size <= SIDE_FILE_LIMIT
                    ):
                        files[p.name] = p.read_bytes()
            self._side[key] = files
        return self._side[key]

    def _ship(self, task: PageTask) -> ShippedPage:
        work_dir = Path(task.ctx.work_dir)
        files = dict(self._side_files(work_dir))
        if task.page.image:
            rel = _safe_rel(task.page.image).as_posix()
            files[rel] = (work_dir / rel).read_bytes()
        return ShippedPage(task, files, task.cache_root is not None)

    def _land(self, task: PageTask, landed: LandedPage) -> PageOutcome:
        work_dir = Path(task.ctx.work_dir)
        for rel, data in landed.work_files.items():
            write_bytes(work_dir / _safe_rel(rel), data, durable=False)
        if task.cache_root:
            for rel, data in landed.cache_files.items():
                write_bytes(Path(task.cache_root) / _safe_rel(rel), data, durable=False)
        return landed.outcome

    def map_unordered(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        from distributed import as_completed

        it = iter(items)
        pending: dict[str, T] = {}
        ac = as_completed()

        def submit_next() -> bool:
            try:
                item = next(it)
            except StopIteration:
                return False
            if fn is run_page_chain and isinstance(item, PageTask):
                fut = self.client.submit(run_shipped_page, self._ship(item), pure=False)
            else:
                fut = self.client.submit(fn, item, pure=False)
            pending[fut.key] = item
            self._futures.append(fut)
            ac.add(fut)
            return True

        for _ in range(self.limit):
            if not submit_next():
                break
        for fut in ac:
            item = pending.pop(fut.key)
            try:
                res = fut.result()
            except Exception as e:  # the runner applies the on_error policy
                yield item, e
            else:
                if isinstance(res, LandedPage):
                    assert isinstance(item, PageTask)
                    res = self._land(item, res)
                yield item, res
            submit_next()

    def start(self) -> None:
        pass

    def close(self) -> None:
        for fut in self._futures:
            if not fut.done():
                fut.cancel()
        self._futures.clear()
        if self._own:
            self.client.close()
