"""The `digitize` command line. It alone maps errors to exit codes (table in the README)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

import digitize
from digitize import pipeline as pipelines
from digitize import registry
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


@app.callback()
def main(
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
    if version:
        out.print(f"digitize {digitize.__version__}")
        raise typer.Exit(0)
    if log_format not in ("text", "json"):
        _fail(f"--log-format {log_format!r}: expected text or json", ExitCode.USAGE)
    settings.debug, settings.quiet = debug, quiet
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
    name: str, sets: list[str] | None, to: str | None, single_file: bool = False
) -> pipelines.Pipeline:
    pipe = pipelines.load(name, sets or [])
    if to:
        formats = [f.strip() for f in to.split(",") if f.strip()]
        if not formats:
            raise UsageError("--to needs at least one format, e.g. --to epub,html")
        pipe = pipelines.with_exporters(pipe, formats)
    if single_file:
        pipe = pipelines.with_stage_options(pipe, "export.html", single_file=True)
    return pipe


# ---------------------------------------------------------------- convert


@app.command("convert")
def convert_cmd(
    inputs: Annotated[
        list[Path], typer.Argument(help="Scanned PDFs, page images, multi-page TIFFs or folders.")
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
        bool, typer.Option("--single-file", help="HTML edition as one self-contained file.")
    ] = False,
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
        pipe = load_pipeline(pipeline, sets, to, single_file)
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


# ---------------------------------------------------------------- export from a checkpoint


@app.command("export")
def export_cmd(
    book_json: Annotated[Path, typer.Argument(help="A book.json checkpoint (possibly corrected).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path("out"),
    to: Annotated[str, typer.Option("--to", help="Formats, comma-separated.")] = "epub,html,txt",
) -> None:
    """Rebuild outputs from an edited book.json, without OCR."""
    from digitize import model
    from digitize.errors import BadInput
    from digitize.runner import check_output_dir
    from digitize.stage import Context

    with errors_to_exit_codes():
        try:
            book = model.book_from_json(book_json.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BadInput(f"{book_json}: no such file") from None
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
            raise BadInput(f"{book_json}: not a valid book.json: {e}") from e
        check_output_dir(output)
        pipe = pipelines.with_exporters(pipelines.Pipeline(name="export"), to.split(","))
        ctx = Context(
            lang=book.meta.lang, work_dir=book.work_dir, build_time=int(book_json.stat().st_mtime)
        )
        for spec in pipe.exporters:
            for p in spec.create().export(book, output, ctx):  # type: ignore[attr-defined]
                out.print(str(p), highlight=False)


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
            html_path = write_report_html(book, report, rj.with_name(f"{stem}.report.html"))
            out.print(str(html_path), highlight=False)
            if open_:
                webbrowser.open(html_path.resolve().as_uri())


# ---------------------------------------------------------------- introspection


@app.command("stages")
def stages_cmd() -> None:
    """List the installed stages with their options."""
    from digitize.stage import option_specs

    with errors_to_exit_codes():
        table = Table("stage", "kind", "version", "options (default): help", show_lines=True)
        for name in registry.stage_names():
            try:
                cls = registry.load_stage(name)
            except DigitizeError as e:
                table.add_row(name, "?", "?", f"[red]{e.one_line()}[/]")
                continue
            opts = "\n".join(
                f"{s.name}: {s.type_name} = {s.default!r} — {s.help}"
                for s in option_specs(cls.Options)
            )
            summary = cls.summary or (cls.__doc__ or "").strip().split("\n")[0]
            table.add_row(name, cls.kind, cls.version, (summary + "\n" + opts).strip())
        out.print(table)


@pipelines_app.command("list")
def pipelines_list() -> None:
    """List the pipelines found (./pipelines, $DIGITIZE_PIPELINES, the checkout's pipelines/)."""
    with errors_to_exit_codes():
        table = Table("pipeline", "description", "file")
        for name, path in pipelines.available().items():
            try:
                desc = pipelines.load(str(path)).description
            except DigitizeError as e:
                desc = f"[red]invalid: {e.one_line()}[/]"
            table.add_row(name, desc, str(path))
        out.print(table)


@pipelines_app.command("show")
def pipelines_show(name: Annotated[str, typer.Argument(help="Pipeline name or file.")]) -> None:
    """Print a pipeline with every non-default option, as TOML."""
    with errors_to_exit_codes():
        out.print(pipelines.load(name).to_toml(), highlight=False, markup=False)


@app.command("check")
def check_cmd(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or .toml file.")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="STAGE.OPTION=VALUE")] = None,
) -> None:
    """Validate a pipeline file and check every stage's dependencies."""
    from digitize.runner import check_stages

    with errors_to_exit_codes():
        pipe = pipelines.load(pipeline, sets or [])
        check_stages(pipe)
        out.print(
            f"[green]ok[/] {pipe.name}: " + " → ".join(s.name for s in pipe.stages), highlight=False
        )


@app.command("doctor")
def doctor_cmd() -> None:
    """Report Tesseract, its languages and the optional tools digitize can use."""
    with errors_to_exit_codes():
        table = Table("component", "status")
        table.add_row("digitize", digitize.__version__)
        table.add_row("python", sys.version.split()[0])
        try:
            from digitize.stages.ocr.tesseract import tesseract_status

            st = tesseract_status()
            cli = st.get("cli_version")
            table.add_row(
                "tesseract",
                f"{cli} ({st.get('cli')})"
                if cli
                else "[red]not found[/] (apt-get install tesseract-ocr)",
            )
            langs = st.get("languages") or []
            missing = [x for x in ("vie", "eng", "osd") if x not in langs]
            install = " ".join(f"tesseract-ocr-{m}" for m in missing)
            table.add_row(
                "languages",
                f"{', '.join(langs)} in {st.get('tessdata')}"
                + (
                    f"  [red]missing: {', '.join(missing)}[/] (apt-get install {install})"
                    if missing
                    else ""
                ),
            )
            table.add_row(
                "tesserocr (in-process OCR)",
                str(
                    st.get("tesserocr") or "not installed: OCR runs the CLI (pip install tesserocr)"
                ),
            )
        except ImportError:
            table.add_row("tesseract", "[red]OCR stage not installed[/]")
        for tool, why in (
            ("pdftoppm", "poppler rasteriser (ingest.pdf renderer=pdf2image)"),
            ("java", "EPUBCheck validation"),
            ("chromium", "HTML rendering tests"),
        ):
            path = shutil.which(tool)
            table.add_row(tool, f"{path} — {why}" if path else f"not found — {why}")
        cache = default_cache_dir()
        table.add_row("cache", str(cache))
        table.add_row("pipelines", ", ".join(pipelines.available()) or "none found")
        out.print(table)


@app.command("eval")
def eval_cmd(
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Synthetic corpus dir (generated when missing).")
    ] = Path(".eval/corpus"),
    work: Annotated[
        Path, typer.Option("--work", help="Outputs, baseline cache, results.json.")
    ] = Path(".eval"),
    pipeline: Annotated[str, typer.Option("--pipeline", "-p")] = "textbook",
    sets: Annotated[list[str] | None, typer.Option("--set", help="STAGE.OPTION=VALUE")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1)] = os.cpu_count() or 1,
    pages: Annotated[
        int | None, typer.Option("--pages", min=1, help="Pages per synthetic book (default 10).")
    ] = None,
    real: Annotated[
        bool, typer.Option("--real/--no-real", help="Score ../shared/realscans too.")
    ] = True,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline")] = True,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write results here.")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Also score this pipeline; 'nopre' = the same pipeline without preprocess stages.",
        ),
    ] = None,
) -> None:
    """Score the pipeline on the evaluation corpus against plain Tesseract (prints tables)."""
    from digitize.evaluation.run import run_eval, without_preprocess
    from digitize.evaluation.table import compare_table, real_table, synthetic_table
    from digitize.synth.corpus import make_corpus

    with errors_to_exit_codes():
        pipe = pipelines.with_exporters(load_pipeline(pipeline, sets, None), ["txt"])
        other = None
        if compare == "nopre":
            other = without_preprocess(pipe)
        elif compare:
            other = pipelines.with_exporters(load_pipeline(compare, None, None), ["txt"])
        if not list(corpus.glob("*/truth.json")):
            err.print(f"generating the synthetic corpus in {corpus} ...")
            make_corpus(corpus, jobs=jobs, **({"pages": pages} if pages else {}))
        res = run_eval(
            corpus,
            pipe,
            work,
            jobs=jobs,
            real=real,
            baseline=baseline,
            on_item=lambda name: err.print(f"  {name}", highlight=False),
            compare=other,
        )
        out.print(synthetic_table(res))
        out.print(synthetic_table(res, "level"))
        out.print(synthetic_table(res, "lang"))
        label = None if other is None else ("no preprocess" if compare == "nopre" else other.name)
        if label:
            out.print(compare_table(res, label, "level"))
            out.print(compare_table(res, label, "lang"))
        if res.real:
            out.print(real_table(res, label))
        if json_out:
            json_out.write_text(json.dumps(res.to_json(), indent=1, default=str), encoding="utf-8")
        out.print(f"results: {work / 'results.json'}", highlight=False)


@cache_app.command("clear")
def cache_clear(
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir")] = None,
) -> None:
    """Delete every cached page result and work directory."""
    with errors_to_exit_codes():
        cache = PageCache(cache_dir or default_cache_dir())
        freed = cache.clear()
        out.print(f"cleared {cache.root} ({freed / 1e6:.1f} MB)")


@cache_app.command("info")
def cache_info(cache_dir: Annotated[Path | None, typer.Option("--cache-dir")] = None) -> None:
    """Where the cache is and how big."""
    with errors_to_exit_codes():
        cache = PageCache(cache_dir or default_cache_dir())
        size = cache.size() if cache.root.exists() else 0
        out.print(json.dumps({"path": str(cache.root), "bytes": size}))


from digitize.cli_batch import batch_cmd  # noqa: E402  (registers `digitize batch`)

app.command("batch")(batch_cmd)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
