"""The `digitize batch` command (kept apart from cli.py, which registers it)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from digitize.batch.run import Batch, BatchOptions, BatchSummary
from digitize.cli._common import (
    CacheDirOption,
    CacheMaxGbOption,
    NoCacheOption,
    _log_stream,
    err,
    errors_to_exit_codes,
    load_pipeline,
    make_cache,
    settings,
)
from digitize.cli.progress import JsonBatchProgress, PlainBatchProgress, RichBatchProgress
from digitize.engine.events import Progress
from digitize.engine.run_options import RunOptions
from digitize.errors import NothingDone, PartialFailure, UsageError
from digitize.fileio import write_text

commands = typer.Typer()


def _batch_progress() -> Progress:
    if settings.log_format == "json":
        return JsonBatchProgress(_log_stream())
    if settings.log_file:
        return PlainBatchProgress(_log_stream(), quiet=settings.quiet)
    if sys.stderr.isatty() and not settings.quiet:
        return RichBatchProgress(err)
    return PlainBatchProgress(sys.stderr, quiet=settings.quiet)


def _exit_for(summary: BatchSummary) -> None:
    """0 all done; 6 some books failed (now or before, not retried); 7 none could be done."""
    failed_before = [s for s in summary.skipped if s["reason"].startswith("failed before")]
    if summary.failed and not summary.done:
        first = summary.failed[0]
        raise NothingDone(
            f"no book could be converted: {len(summary.failed)} failed; "
            f"first: {first['book']}: {first['reason']}"
        )
    if summary.failed or failed_before:
        names = [f["book"] for f in summary.failed + failed_before]
        raise PartialFailure(
            f"{len(names)} book(s) failed: {', '.join(names[:5])}"
            + (" ..." if len(names) > 5 else ""),
            hint="see the ledger or --summary for reasons; --retry-failed to try again",
        )


def _library(positional: Path | None, output: Path | None) -> Path:
    """LIBRARY as an argument (the original form) or -o like every other command's output."""
    if positional is not None and output is not None and positional.resolve() != output.resolve():
        raise UsageError(
            f"two libraries given: {positional} and -o {output}",
            hint="give the library once, as the second argument or with -o",
        )
    library = positional or output
    if library is None:
        raise UsageError(
            "missing library",
            hint="digitize batch INBOX LIBRARY, or digitize batch INBOX -o LIBRARY",
        )
    return library


@commands.command("batch")
def batch_cmd(
    inbox: Annotated[
        Path, typer.Argument(metavar="INBOX", help="Folder of books: PDFs, TIFFs, image folders.")
    ],
    library: Annotated[
        Path | None,
        typer.Argument(
            metavar="LIBRARY",
            help="Outputs go to LIBRARY/<book>/ (or give it with -o).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The library, like LIBRARY: outputs go to OUTPUT/<book>/."
        ),
    ] = None,
    pipeline: Annotated[
        str, typer.Option("--pipeline", "-p", help="Pipeline name or .toml file.")
    ] = "textbook",
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="STAGE.OPTION=VALUE (repeatable).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Formats, comma-separated.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Tesseract languages.")] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Pages in parallel (default: cores).")
    ] = os.cpu_count() or 1,
    dpi: Annotated[
        int | None, typer.Option("--dpi", min=50, max=1200, help="Resolution of untagged images.")
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option("--ledger", help="SQLite ledger (default: LIBRARY/.digitize-ledger.sqlite)."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Try books that failed before again.")
    ] = False,
    stale_minutes: Annotated[
        float,
        typer.Option("--stale-minutes", min=0.05, help="Take over a lock silent this long."),
    ] = 10.0,
    summary_file: Annotated[
        Path | None, typer.Option("--summary", help="Write a JSON summary of the run here.")
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep running; convert books as they appear.")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", min=0.1, help="--watch: seconds between inbox scans.")
    ] = 10.0,
    settle: Annotated[
        float,
        typer.Option(
            "--settle", min=0, help="Take a book once its size/mtime held still this many seconds."
        ),
    ] = 5.0,
    executor: Annotated[
        str, typer.Option("--executor", help="local (a process pool) or dask.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (default: a local cluster)."),
    ] = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    cache_max_gb: CacheMaxGbOption = None,
) -> None:
    """Convert every book in INBOX into LIBRARY, unattended: resumable, locked, skips done books.

    The library is the second argument or `-o/--output`. `--quiet` prints only failures."""
    with errors_to_exit_codes():
        library = _library(library, output)
        if executor not in ("local", "dask"):
            raise UsageError(f"--executor {executor!r}: expected local or dask")
        if scheduler and executor != "dask":
            raise UsageError("--scheduler needs --executor dask")
        pipe = load_pipeline(pipeline, sets, to)
        progress = _batch_progress()
        client: Any = None
        if executor == "dask":
            from digitize.engine.dask_executor import open_client

            client = open_client(scheduler, jobs)
        run = RunOptions(
            jobs=jobs,
            cache=make_cache(cache_dir, no_cache, cache_max_gb),
            lang=lang,
            dpi=dpi,
            progress=progress,
            executor=executor,
            executor_args={"client": client} if client else {},
        )
        opts = BatchOptions(
            run=run,
            ledger=ledger,
            retry_failed=retry_failed,
            stale_minutes=stale_minutes,
            settle_seconds=settle,
            watch=watch,
            poll_seconds=poll,
        )
        batch = Batch(inbox, library, pipe, opts)
        error: BaseException | None = None
        try:
            batch.run()
        except BaseException as e:
            error = e
            raise
        finally:
            batch.close()
            stop = getattr(progress, "stop", None)
            if stop:
                stop()
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            if summary_file:
                data = batch.summary.as_dict()
                if error is not None:
                    data["error"] = str(error) or type(error).__name__
                write_text(summary_file, json.dumps(data, ensure_ascii=False, indent=1))
        finished = getattr(progress, "batch_finished", None)
        if finished:
            finished(batch.summary.as_dict(), settle)
        _exit_for(batch.summary)
