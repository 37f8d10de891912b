"""The `digitize` command line: the Typer app, its global options and its commands.

The CLI alone maps errors to exit codes (table in the README); each command group lives in its
own module and is merged here.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated, Any

import typer

import digitize
from digitize.cli import batch, cache, convert, eval, export, info, pipelines, proof, report
from digitize.cli._common import _fail, apply_global_options, out, settings
from digitize.cli._group import DigitizeGroup
from digitize.errors import ExitCode

app = typer.Typer(
    name="digitize",
    cls=DigitizeGroup,
    help="Turn scanned textbooks into clean, accessible EPUB 3 and HTML (plus text, Markdown, "
    "archival formats). Global options go before or after the command name. Exit codes are "
    "listed in the README.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for group in (convert, batch, export, report, eval, info, proof):
    app.add_typer(group.commands)
app.add_typer(pipelines.commands, name="pipelines", help="List and show pipelines.")
app.add_typer(cache.commands, name="cache", help="Inspect or clear the page cache.")


def _on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text, or json: one JSON object per event.")
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
    settings.reset()
    apply_global_options(debug, quiet, log_format, log_file)
    signal.signal(signal.SIGTERM, _on_sigterm)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
