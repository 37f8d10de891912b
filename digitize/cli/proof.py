"""`digitize proof`: proofread a converted book in the browser (see `digitize.proof`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digitize.cli._common import errors_to_exit_codes, out
from digitize.engine.cache import default_cache_dir

commands = typer.Typer()


@commands.command("proof")
def proof_cmd(
    target: Annotated[
        Path,
        typer.Argument(
            help="A book.json, a book's output folder, or a batch library (lists its books)."
        ),
    ],
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL only; do not open a browser.")
    ] = False,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="Where the page images are (default: the book.json's own, when it lies "
            "inside the cache).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="The cache the book was converted with.")
    ] = None,
    who: Annotated[
        str | None, typer.Option("--who", help="Name recorded with each correction.")
    ] = None,
) -> None:
    """Proofread in a local web editor: scan beside text, fix, save, publish. Ctrl-C stops."""
    from digitize.engine.outputs import check_output_dir
    from digitize.errors import BadInput
    from digitize.proof.app import Session
    from digitize.proof.server import find_books, serve

    with errors_to_exit_codes():
        books = find_books(target)
        if work_dir is not None and (len(books) > 1 or not work_dir.is_dir()):
            raise BadInput(f"--work-dir {work_dir}: needs one book and an existing folder")
        for folder in sorted({b.parent for b in books}):
            check_output_dir(folder)  # saves and publishing write there
        session = Session(
            books, work_dir=work_dir, cache_root=cache_dir or default_cache_dir(), who=who or ""
        )
        if len(books) == 1:
            session.store(0)  # a bad book.json fails here, with one line, not in the browser
        for w in session.warnings:
            out.print(f"digitize: warning: {w}", highlight=False)

        def say(url: str) -> None:
            out.print(f"Proofreading {len(books)} book(s) at {url}", highlight=False)
            out.print("Press Ctrl-C to stop.", highlight=False)
            out.file.flush()

        serve(session, open_browser=not no_browser, say=say)
        out.print("digitize proof: stopped", highlight=False)
