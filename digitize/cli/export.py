"""`digitize export`: rebuild outputs from a (possibly corrected) book.json, without OCR.

A book.json is a file people edit and pass around, so its `work_dir` (where page images and
figure crops live) is not trusted blindly: a crafted one could otherwise pull any picture on
this machine into an e-book that then gets published. It is used when it lies inside the page
cache (where digitize puts every book it converts) or when the user names it with --work-dir.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from digitize import pipeline as pipelines
from digitize.cli._common import errors_to_exit_codes, out
from digitize.engine.cache import default_cache_dir

commands = typer.Typer()


def trusted_work_dir(named: str, explicit: Path | None, cache_root: Path) -> tuple[str, str]:
    """(the work dir to read images from, a warning or ""): `explicit` if given; `named` (the
    book.json's) when it lies inside `cache_root`; otherwise none at all."""
    if explicit is not None:
        return str(explicit.resolve()), ""
    where = Path(named).resolve() if named else None
    if where is not None and where.is_dir():  # (a --no-cache run's is gone: nothing to use)
        if where.is_relative_to(cache_root.resolve()):
            return str(where), ""
        return "", (
            f"the book.json names work dir {named}, outside digitize's cache ({cache_root}): "
            "page images and figures are left out; pass --work-dir to use it"
        )
    return "", ""


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
    from digitize import model
    from digitize.engine.outputs import publish, staging
    from digitize.engine.run import check_output_dir
    from digitize.errors import BadInput
    from digitize.stage import Context
    from digitize.validate import check_book

    with errors_to_exit_codes():
        try:
            book = model.book_from_json(book_json.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BadInput(f"{book_json}: no such file") from None
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
            raise BadInput(f"{book_json}: not a valid book.json: {e}") from e
        check_book(book, str(book_json))  # a hand-edited field of the wrong type
        if work_dir is not None and not work_dir.is_dir():
            raise BadInput(f"--work-dir {work_dir}: no such directory")
        check_output_dir(output)
        pipe = pipelines.with_exporters(pipelines.Pipeline(name="export"), to.split(","))
        images, warning = trusted_work_dir(
            book.work_dir, work_dir, cache_dir or default_cache_dir()
        )
        if warning:
            print(f"digitize: warning: {warning}", file=sys.stderr)  # one line: logs grep it
        with tempfile.TemporaryDirectory(prefix="digitize-export-") as empty:
            # No trusted work dir: an empty one, so nothing resolves (not the current folder).
            book = dataclasses.replace(book, work_dir=images or empty)
            ctx = Context(
                lang=book.meta.lang,
                work_dir=book.work_dir,
                build_time=int(book_json.stat().st_mtime),
            )
            with staging(output) as stage_dir:  # all formats appear together, or none
                written: list[Path] = []
                for spec in pipe.exporters:
                    written += spec.create().export(book, stage_dir, ctx)  # type: ignore[attr-defined]
                for p in publish(stage_dir, output, written):
                    out.print(str(p), highlight=False)
