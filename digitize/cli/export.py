"""`digitize export`: rebuild outputs from a (possibly corrected) book.json, without OCR."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from digitize.cli._common import errors_to_exit_codes, out
from digitize.engine.cache import default_cache_dir

commands = typer.Typer()


@commands.command("export")
def export_cmd(
    book_json: Annotated[Path, typer.Argument(help="A book.json checkpoint (possibly corrected).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path("out"),
    to: Annotated[str, typer.Option("--to", help="Formats, comma-separated.")] = "epub,html,txt",
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="Where the page images and figure crops are (default: the book.json's own, "
            "when it lies inside the cache).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="The cache the book was converted with."),
    ] = None,
) -> None:
    """Rebuild outputs from an edited book.json, without OCR."""
    from digitize.engine.export import rebuild

    with errors_to_exit_codes():
        formats = [f.strip() for f in to.split(",") if f.strip()]
        written, warnings = rebuild(
            book_json, output, formats, work_dir, cache_dir or default_cache_dir()
        )
        for warning in warnings:
            print(f"digitize: warning: {warning}", file=sys.stderr)  # one line: logs grep it
        for p in written:
            out.print(str(p), highlight=False)
