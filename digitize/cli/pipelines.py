"""`digitize pipelines list|show`: the pipelines digitize can find."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from digitize import pipeline as pipelines
from digitize.cli._common import errors_to_exit_codes, out
from digitize.errors import DigitizeError

commands = typer.Typer(no_args_is_help=True)


@commands.command("list")
def pipelines_list() -> None:
    """List the pipelines found (./pipelines, $DIGITIZE_PIPELINES, the ones shipped with digitize)."""
    with errors_to_exit_codes():
        table = Table("pipeline", "description", "file")
        for name, path in pipelines.available().items():
            try:
                desc = pipelines.load(str(path)).description
            except DigitizeError as e:
                desc = f"[red]invalid: {e.one_line()}[/]"
            table.add_row(name, desc, str(path))
        out.print(table)


@commands.command("show")
def pipelines_show(name: Annotated[str, typer.Argument(help="Pipeline name or file.")]) -> None:
    """Print a pipeline with every non-default option, as TOML."""
    with errors_to_exit_codes():
        out.print(pipelines.load(name).to_toml(), highlight=False, markup=False)
