"""The `digitize` command line. It alone maps errors to exit codes (table in the README)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any, TypeVar

import typer
from rich.console import Console

import digitize
from digitize import pipeline as pipelines
from digitize.cache import PageCache, default_cache_dir
from digitize.errors import (
    DigitizeError,
    ExitCode,
    OutputNotWritable,
    PartialFailure,
    UsageError,
)
from digitize.progress import JsonProgress, PlainProgress, RichProgress
from digitize.runner import Progress, RunOptions, convert

app = typer.Typer(
    name="digitize",
    help="Turn scanned textbooks into clean, accessible EPUB 3 and HTML (plus text, Markdown, "
    "archival formats). Exit codes are listed in the README.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
pipelines_app = typer.Typer(help="List and show pipelines.", no_args_is_help=True)
cache_app = typer.Typer(help="Inspect or clear the page cache.", no_args_is_help=True)
app.add_typer(pipelines_app, name="pipelines")
app.add_typer(cache_app, name="cache")

# Piped output (scripts, tests, logs) should not be wrapped at 80 columns.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)


@dataclasses.dataclass
class Settings:
    debug: bool = False
    quiet: bool = False
    log_format: str = "text"
    log_file: Path | None = None


settings = Settings()
F = TypeVar("F", bound=Callable[..., Any])


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


def _on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text | json (one JSON object per event).")
    ] = "text",
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Write log events here, not stderr.")
    ] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:  # invoke_without_command: `digitize --version` needs no command
        out.print(f"digitize {digitize.__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        _fail("missing command (try digitize --help)", ExitCode.USAGE)
    if log_format not in ("text", "json"):
        _fail(f"--log-format {log_format!r}: expected text or json", ExitCode.USAGE)
    settings.debug, settings.quiet = debug, quiet
    if debug:
        os.environ["DIGITIZE_DEBUG"] = "1"  # workers keep native libraries' stderr
    settings.log_format, settings.log_file = log_format, log_file
    signal.signal(signal.SIGTERM, _on_sigterm)


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
    pipe = pipelines.load(name, sets or [])
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
    return pipe


# ---------------------------------------------------------------- convert


@app.command("convert")
def convert_cmd(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Scanned PDFs, page images, multi-page TIFFs or folders.",
            readable=False,  # checked by the runner: a one-line BadInput (exit 3), not usage
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path("out"),
    pipeline: Annotated[
        str, typer.Option("--pipeline", "-p", help="Pipeline name or .toml file.")
    ] = "textbook",
    lang: Annotated[
        str | None, typer.Option("--lang", help="Tesseract languages (default: the pipeline's).")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Pages OCRed in parallel (default: cores).")
    ] = os.cpu_count() or 1,
    dpi: Annotated[
        int | None,
        typer.Option(
            "--dpi", min=50, max=1200, help="Resolution of images without a resolution tag."
        ),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a stage option: STAGE.OPTION=VALUE (repeatable)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Formats (comma-separated): epub,html,txt,md,... = export.<name>."
        ),
    ] = None,
    single_file: Annotated[
        bool | None,
        typer.Option(
            "--single-file/--site",
            help="HTML edition as one self-contained file (the default) or a small site "
            "(index, one page per chapter, images, stylesheet).",
            show_default=False,
        ),
    ] = None,
    cover: Annotated[
        Path | None, typer.Option("--cover", help="EPUB cover image (default: the first page).")
    ] = None,
    meta: Annotated[
        Path | None, typer.Option("--meta", help="Book metadata file (TOML or JSON).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Book title.")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", help="Author (repeatable).")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Page cache (default: XDG cache dir).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the cache.")
    ] = False,
    cache_max_gb: Annotated[
        float | None,
        typer.Option("--cache-max-gb", min=0.1, help="Evict least recently used beyond this."),
    ] = None,
) -> None:
    """Convert scanned books into e-books (EPUB, HTML, text, ...) and a quality report."""
    with errors_to_exit_codes():
        pipe = load_pipeline(pipeline, sets, to, single_file, cover)
        opts = RunOptions(
            jobs=jobs,
            cache=make_cache(cache_dir, no_cache, cache_max_gb),
            lang=lang,
            dpi=dpi,
            meta={"title": title, "authors": tuple(author or ())},
            meta_file=meta,
            progress=make_progress(),
        )
        _refuse_colliding_names(inputs)
        failed_books: list[str] = []
        partial: list[str] = []
        last_error: DigitizeError | None = None
        for src in inputs:
            try:
                result = convert(src, output, pipe, opts)
            except OutputNotWritable:
                raise
            except DigitizeError as e:
                if len(inputs) == 1:
                    raise
                last_error = e
                failed_books.append(str(src))
                err.print(
                    f"[red]digitize: error:[/] {e.one_line()}", highlight=False, soft_wrap=True
                )
                continue
            if result.failed_pages:
                partial.append(
                    f"{src.name}: pages {', '.join(str(i + 1) for i, _ in result.failed_pages)} failed"
                )
        if failed_books and len(failed_books) == len(inputs) and last_error:
            raise last_error
        if failed_books or partial:
            raise PartialFailure("; ".join([f"{b}: failed" for b in failed_books] + partial))


def _refuse_colliding_names(inputs: list[Path]) -> None:
    """Outputs are named after the input (`safe_stem`): two inputs that map to one name would
    silently overwrite each other's book, so refuse before any work."""
    from digitize.naming import safe_stem

    by_stem: dict[str, list[Path]] = {}
    for src in inputs:
        by_stem.setdefault(safe_stem(src.name), []).append(src)
    for stem, srcs in by_stem.items():
        if len(srcs) > 1:
            names = ", ".join(repr(str(s)) for s in srcs)
            raise UsageError(
                f"inputs {names} would all write {stem}.*",
                hint="rename one, or convert them into different -o directories",
            )


# ---------------------------------------------------------------- the HTML quality report


def _report_jsons(target: Path) -> list[Path]:
    from digitize.errors import BadInput

    if target.is_dir():
        found = sorted(target.glob("*.report.json"))
        if not found:
            raise BadInput(f"{target}: no *.report.json here", hint="pass a convert output dir")
        return found
    if target.is_file() and target.name.endswith(".report.json"):
        return [target]
    raise BadInput(f"{target}: expected an output directory or a <name>.report.json file")


@app.command("report")
def report_cmd(
    target: Annotated[
        Path, typer.Argument(help="A convert output directory, or a <name>.report.json.")
    ],
    open_: Annotated[bool, typer.Option("--open", help="Open the report in a browser.")] = False,
) -> None:
    """Rebuild <name>.report.html from <name>.report.json and <name>.book.json."""
    import webbrowser

    from digitize import model
    from digitize.errors import BadInput
    from digitize.report_html import write_report_html
    from digitize.validate import check_book

    with errors_to_exit_codes():
        for rj in _report_jsons(target):
            stem = rj.name.removesuffix(".report.json")
            bj = rj.with_name(f"{stem}.book.json")
            try:
                report = json.loads(rj.read_text(encoding="utf-8"))
                book = model.book_from_json(bj.read_text(encoding="utf-8"))
            except FileNotFoundError as e:
                raise BadInput(f"{e.filename}: no such file", hint="rerun digitize convert") from e
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
                raise BadInput(f"{rj.parent}/{stem}: unreadable report or book.json: {e}") from e
            check_book(book, str(bj))
            html_path = write_report_html(book, report, rj.with_name(f"{stem}.report.html"))
            out.print(str(html_path), highlight=False)
            if open_:
                webbrowser.open(html_path.resolve().as_uri())


from digitize import cli_batch, cli_eval, cli_export, cli_info  # noqa: E402, F401  (register their commands)

app.command("batch")(cli_batch.batch_cmd)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
