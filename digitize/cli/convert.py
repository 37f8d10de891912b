"""`digitize convert`: scanned books in, e-books and a quality report out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from digitize.cli._common import (
    CacheDirOption,
    CacheMaxGbOption,
    NoCacheOption,
    err,
    errors_to_exit_codes,
    load_pipeline,
    make_cache,
    make_progress,
    out,
)
from digitize.engine.run import convert
from digitize.engine.run_options import RunOptions
from digitize.errors import DigitizeError, OutputNotWritable, PartialFailure, UsageError

commands = typer.Typer()


@commands.command("convert")
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
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    cache_max_gb: CacheMaxGbOption = None,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile",
            help="At the end, print the wall and CPU seconds of every stage, summed over pages.",
        ),
    ] = False,
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
        reports: list[dict[str, Any]] = []
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
            reports.append(result.report)
            if result.failed_pages:
                partial.append(
                    f"{src.name}: pages {', '.join(str(i + 1) for i, _ in result.failed_pages)} failed"
                )
        if profile and reports:
            from digitize.cli._profile import profile_table

            out.print(profile_table(reports))
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
