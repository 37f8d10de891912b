"""What every command shares: the consoles, the global settings, the one place that maps
errors to exit codes, and the builders of a run's progress, cache and pipeline."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console

from digitize import pipeline as pipelines
from digitize.cli.progress import JsonProgress, PlainProgress, RichProgress
from digitize.engine.cache import PageCache, default_cache_dir
from digitize.engine.events import Progress
from digitize.errors import DigitizeError, ExitCode, OutputNotWritable, UsageError

# The page-cache options `convert` and `batch` share.
CacheDirOption = Annotated[
    Path | None, typer.Option("--cache-dir", help="Page cache (default: XDG cache dir).")
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="No page cache (a killed run then starts over).")
]
CacheMaxGbOption = Annotated[
    float | None,
    typer.Option("--cache-max-gb", min=0.1, help="Evict least recently used beyond this."),
]

# Piped output (scripts, tests, logs) should not be wrapped at 80 columns.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)


@dataclasses.dataclass
class Settings:
    debug: bool = False
    quiet: bool = False
    log_format: str = "text"
    log_file: Path | None = None

    def reset(self) -> None:
        """Back to the defaults: each run of the app (CliRunner runs several) starts clean."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, f.default)


settings = Settings()


def apply_global_options(
    debug: bool | None = None,
    quiet: bool | None = None,
    log_format: str | None = None,
    log_file: Path | None = None,
) -> None:
    """Set the global options given before the command name (the group) or after it (the
    command): only the ones given change, so `--quiet` before and `--debug` after add up."""
    if log_format is not None and log_format not in ("text", "json"):
        _fail(f"--log-format {log_format!r}: expected text or json", ExitCode.USAGE)
    if debug:
        settings.debug = True
        os.environ["DIGITIZE_DEBUG"] = "1"  # workers keep native libraries' stderr
    if quiet:
        settings.quiet = True
    if log_format is not None:
        settings.log_format = log_format
    if log_file is not None:
        settings.log_file = log_file


def _fail(message: str, code: int) -> None:
    err.print(f"[red]digitize: error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """One line on stderr and the documented exit code; a traceback only with --debug."""
    try:
        yield
    except typer.Exit:
        raise
    except DigitizeError as e:
        if settings.debug:
            traceback.print_exc()
        _fail(e.one_line(), e.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted; rerun the same command to resume", ExitCode.INTERRUPTED)
    except OSError as e:
        if settings.debug:
            traceback.print_exc()
        _fail(f"{e.filename or ''}: {e.strerror or e}".strip(": "), ExitCode.OUTPUT_NOT_WRITABLE)
    except Exception as e:
        if settings.debug:
            traceback.print_exc()
        _fail(
            f"internal error: {type(e).__name__}: {e} (run with --debug and report it)",
            ExitCode.INTERNAL,
        )


def _log_stream() -> IO[str]:
    if settings.log_file:
        try:
            return settings.log_file.open("a", encoding="utf-8")
        except OSError as e:
            raise OutputNotWritable(f"--log-file {settings.log_file}: {e.strerror}") from e
    return sys.stderr


def make_progress() -> Progress:
    if settings.log_format == "json":
        return JsonProgress(_log_stream())
    if settings.log_file:
        return PlainProgress(_log_stream(), quiet=settings.quiet)
    if sys.stderr.isatty() and not settings.quiet:
        return RichProgress(err)
    return PlainProgress(sys.stderr, quiet=settings.quiet)


def make_cache(
    cache_dir: Path | None, no_cache: bool, max_gb: float | None = None
) -> PageCache | None:
    if no_cache:
        return None
    root = cache_dir or default_cache_dir()
    limit = int(max_gb * 1e9) if max_gb else None
    return PageCache(root, max_bytes=limit)


def load_pipeline(
    name: str,
    sets: list[str] | None,
    to: str | None,
    single_file: bool | None = None,
    cover: Path | None = None,
) -> pipelines.Pipeline:
    """The pipeline a run uses: the file, `--to`'s exporters, the CLI's flags, then `--set`
    (last, so it reaches every stage of the run: an exporter `--to` added, a plugin's)."""
    pipe = pipelines.load(name)
    if to:
        formats = [f.strip() for f in to.split(",") if f.strip()]
        if not formats:
            raise UsageError("--to needs at least one format, e.g. --to epub,html")
        pipe = pipelines.with_exporters(pipe, formats)
    if single_file is not None:
        pipe = pipelines.with_stage_options(pipe, "export.html", single_file=single_file)
    if cover is not None:
        if not cover.is_file():
            raise UsageError(f"--cover {cover}: no such file")
        pipe = pipelines.with_stage_options(pipe, "export.epub", cover=str(cover.resolve()))
    return pipelines.with_overrides(pipe, sets or [])
