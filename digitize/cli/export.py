"""`digitize export`: rebuild outputs from a (possibly corrected) book.json, without OCR.

The work is `digitize.engine.reexport` (the proofreading editor's Publish runs the same code)."""

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
    from digitize.engine.reexport import export_book, read_book_json, trusted_work_dir
    from digitize.engine.run import check_output_dir
    from digitize.errors import BadInput

    with errors_to_exit_codes():
        book = read_book_json(book_json)
        if work_dir is not None and not work_dir.is_dir():
            raise BadInput(f"--work-dir {work_dir}: no such directory")
        check_output_dir(output)
        images, warning = trusted_work_dir(
            book.work_dir, work_dir, cache_dir or default_cache_dir()
        )
        if warning:
            print(f"digitize: warning: {warning}", file=sys.stderr)  # one line: logs grep it
        when = int(book_json.stat().st_mtime)
        for p in export_book(book, output, to.split(","), images, when):
            out.print(str(p), highlight=False)
