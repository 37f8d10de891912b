"""Where page work runs: in this process, or in a pool of worker processes.

The runner alone chooses and owns the executor; stages never start processes. Workers hold
Tesseract to one thread each (the pool parallelises pages instead, which scales better), ignore
SIGINT (the parent decides when to stop) and keep their stage instances — and so their OCR engines
— alive across pages.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, ClassVar, Protocol, TypeVar

from digitize.engine.processes import FORKSERVER_PARENT_ENV, die_with_parent, watch_parent

T = TypeVar("T")
R = TypeVar("R")


def _init_worker(
    environ: dict[str, str] | None = None,
    warm: Callable[[], None] | None = None,
    parent: int | None = None,
) -> None:
    # End with the process that started the pool, whatever killed it (see processes): the
    # forkserver's death kills us at once, and we watch `parent` ourselves.
    if parent is not None:
        die_with_parent(os.getppid())
        watch_parent(parent)
    # The forkserver was started with the environment of its first pool: hand each new pool's
    # workers the parent's environment as it is now (TESSDATA_PREFIX, plugin settings...).
    if environ is not None:
        os.environ.clear()
        os.environ.update(environ)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not os.environ.get("DIGITIZE_DEBUG"):
        _silence_native_stderr()
    if warm is not None:
        with contextlib.suppress(Exception):  # a failing engine fails its first page instead
            warm()


def _nothing() -> None:
    """A task that makes the pool start a worker."""


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """In this process, for the span of one page: what libraries print to fd 2 goes nowhere (as
    in a worker), and our own log lines, written between pages, are untouched."""
    if os.environ.get("DIGITIZE_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        _silence_native_stderr()
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _silence_native_stderr() -> None:
    """Leptonica and Tesseract print diagnostics ("Error in pixScanForForeground...") straight to
    file descriptor 2 from C. In a worker that would interleave with the parent's log lines and
    break `--log-format json` on stderr; page problems reach the user as page warnings instead.
    `digitize --debug` keeps them."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


class Executor(Protocol):
    """Where page chains run. An executor says what it offers instead of the engine checking
    its name: `shares_files` (its workers see this machine's files, so they can render the
    page images ingest deferred, and preload the stages' modules) and `starts_early` (it can
    start its workers before the book is read, `start()`)."""

    shares_files: ClassVar[bool]
    starts_early: ClassVar[bool]

    def map_unordered(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        """Run `fn` on every item; yield (item, result or the exception it raised) as they finish."""
        ...

    def start(self) -> None:
        """Start the workers now, ahead of the first item (only when `starts_early`)."""
        ...

    def close(self) -> None: ...


class InProcess:
    """Run pages one after another here: `--jobs 1`, tests, debugging."""

    shares_files: ClassVar[bool] = True
    starts_early: ClassVar[bool] = False

    def map_unordered(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        for item in items:
            try:
                with _native_stderr_silenced():
                    result = fn(item)
            except Exception as e:  # the runner applies the on_error policy
                yield item, e
            else:
                yield item, result

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


class LocalPool:
    """A process pool with at most `2 * jobs` pages in flight, so memory stays bounded."""

    shares_files: ClassVar[bool] = True
    starts_early: ClassVar[bool] = True

    def __init__(
        self,
        jobs: int,
        preload: tuple[str, ...] = (),
        warm: Callable[[], None] | None = None,
    ) -> None:
        """`warm` runs in each worker as it starts (loading OCR engines)."""
        self.jobs = jobs
        self._starter: threading.Thread | None = None
        ctx = multiprocessing.get_context("forkserver")
        # Modules imported once in the forkserver are inherited by every worker it forks:
        # the stages' OpenCV, NumPy and tesserocr then cost each worker nothing to import.
        ctx.set_forkserver_preload(
            ["digitize.engine.forkserver_guard", "digitize.engine.worker", *preload]
        )
        _start_forkserver()
        self._pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(dict(os.environ), warm, os.getpid()),
        )

    def start(self) -> None:
        """Start every worker now rather than at the first page: the forkserver's imports and
        the workers' warm-up then overlap whatever the caller does next (ingest). From a
        thread: starting a worker waits until the forkserver has imported its preload."""

        def spawn() -> None:
            # A failure here (no processes left, say) must not print a thread's traceback: the
            # first page's submit meets the same error, where the runner handles it.
            with contextlib.suppress(Exception):
                for _ in range(self.jobs):  # each submit finding no idle worker starts one
                    self._pool.submit(_nothing)

        self._starter = threading.Thread(target=spawn, name="digitize-pool-start", daemon=True)
        self._starter.start()

    def map_unordered(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        pending: dict[Future[Any], T] = {}
        it = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.jobs:
                try:
                    item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._pool.submit(fn, item)] = item
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                item = pending.pop(fut)
                exc = fut.exception()
                yield item, (exc if exc is not None else fut.result())

    def close(self) -> None:
        if self._starter is not None:
            self._starter.join()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_forkserver() -> None:
    """Start the forkserver now when this is the main thread, and have it die with this
    process: its death signal follows the thread that forked it, and the main thread lives as
    long as the process. (Left to the pool, a short-lived thread would start it: see `start`.)
    From another thread it starts as before, without the signal; workers still watch us."""
    if threading.current_thread() is not threading.main_thread():
        # A forkserver (re)started from here must not take the signal an earlier pool asked for.
        os.environ.pop(FORKSERVER_PARENT_ENV, None)
        return
    os.environ[FORKSERVER_PARENT_ENV] = str(os.getpid())
    with contextlib.suppress(Exception):  # the pool's first worker meets the same error
        multiprocessing.forkserver.ensure_running()


def executor_class(name: str, jobs: int) -> type[Executor]:
    """The executor `name` with `jobs` workers stands for (its description, before it runs)."""
    if name == "local":
        return InProcess if jobs <= 1 else LocalPool
    if name == "dask":
        from digitize.engine.dask_executor import DaskExecutor  # optional extra

        return DaskExecutor
    raise ValueError(f"unknown executor {name!r}")


def make_executor(name: str, jobs: int, **kwargs: Any) -> Executor:
    """Start the executor `name` (see `executor_class`) with `kwargs`."""
    cls: Any = executor_class(name, jobs)
    return cls() if cls is InProcess else cls(jobs=jobs, **kwargs)
