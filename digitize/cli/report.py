"""`digitize report`: rebuild the HTML quality report from a run's JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from digitize.cli._common import errors_to_exit_codes, out

commands = typer.Typer()


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


@commands.command("report")
def report_cmd(
    target: Annotated[
        Path, typer.Argument(help="A convert output directory, or a <name>.report.json.")
    ],
    open_: Annotated[bool, typer.Option("--open", help="Open the report in a browser.")] = False,
) -> None:
    """Rebuild <name>.report.html from <name>.report.json and <name>.book.json."""
    import webbrowser

    from digitize import bookjson
    from digitize.errors import BadInput
    from digitize.report.html import write_report_html
    from digitize.validate import check_book

    with errors_to_exit_codes():
        for rj in _report_jsons(target):
            stem = rj.name.removesuffix(".report.json")
            bj = rj.with_name(f"{stem}.book.json")
            try:
                report = json.loads(rj.read_text(encoding="utf-8"))
                book = bookjson.book_from_json(bj.read_text(encoding="utf-8"))
            except FileNotFoundError as e:
                raise BadInput(f"{e.filename}: no such file", hint="rerun digitize convert") from e
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
                raise BadInput(f"{rj.parent}/{stem}: unreadable report or book.json: {e}") from e
            check_book(book, str(bj))
            html_path = write_report_html(book, report, rj.with_name(f"{stem}.report.html"))
            out.print(str(html_path), highlight=False)
            if open_:
                webbrowser.open(html_path.resolve().as_uri())
