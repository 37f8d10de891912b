"""Introspection commands: `stages`, `pipelines`, `check`, `doctor`, `cache`."""

from __future__ import annotations

import shutil
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

import digitize
from digitize import pipeline as pipelines
from digitize import registry
from digitize.cli._common import errors_to_exit_codes, out
from digitize.engine.cache import default_cache_dir
from digitize.errors import DigitizeError

commands = typer.Typer()


@commands.command("stages")
def stages_cmd() -> None:
    """List the installed stages with their options."""
    from digitize.options import option_specs

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


@commands.command("check")
def check_cmd(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or .toml file.")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="STAGE.OPTION=VALUE")] = None,
) -> None:
    """Validate a pipeline (a name, like textbook, or a .toml file) and check every stage's dependencies."""
    from digitize.engine.run import check_stages
    from digitize.stage import Context

    with errors_to_exit_codes():
        pipe = pipelines.load(pipeline, sets or [])
        check_stages(pipe, Context(lang=pipe.lang))
        out.print(
            f"[green]ok[/] {pipe.name}: " + " → ".join(s.name for s in pipe.stages), highlight=False
        )


@commands.command("doctor")
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
            table.add_row("tesserocr (in-process OCR)", _tesserocr_row(st))
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


def _tesserocr_row(st: dict[str, Any]) -> str:
    """Whether OCR runs in-process: tesserocr must wrap the CLI's libtesseract release, or
    `engine = auto` silently takes the slower CLI (PyPI's wheel bundles its own library)."""
    found = st.get("tesserocr")
    if not found:
        return "not installed: OCR runs the CLI (scripts/install-tesserocr.sh builds it)"
    if st.get("tesserocr_used"):
        return str(found)
    return (
        f"{found} [yellow]not used[/]: it wraps another libtesseract than the CLI "
        f"({st.get('cli_version')}), so OCR runs the slower CLI; "
        "scripts/install-tesserocr.sh builds one against the CLI's library"
    )
