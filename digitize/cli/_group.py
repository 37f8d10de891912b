"""The root command group: global options that work before or after the command name, flags
shown without a type, and help text that describes the installed exporters.

Cron lines and scripts are written both ways (`digitize --quiet batch ...` and `digitize batch
... --quiet`), so the global options are real options of every command, not only of the group:
each command's `--help` lists them under "Global options", and a value given after the command
name wins over one given before it.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup, TyperOption

GLOBAL_PANEL = "Global options"
# The group callback's parameters that every command accepts too (not --version: it needs no
# command, and `digitize convert --version` would be odd).
GLOBAL_NAMES = ("debug", "quiet", "log_format", "log_file")


class DigitizeGroup(TyperGroup):
    """Typer builds this group with every command attached; it then shares the global options
    with each command, once per run of the program."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        shared = [p for p in self.params if p.name in GLOBAL_NAMES]
        for p in shared:
            if isinstance(p, TyperOption):
                p.rich_help_panel = GLOBAL_PANEL
        for cmd in _leaf_commands(self):
            _share_global_options(cmd, shared)
            if any(p.name == "to" for p in cmd.params):
                _live_to_help(cmd)


def _leaf_commands(group: TyperGroup) -> list[Any]:
    found = []
    for cmd in group.commands.values():
        if isinstance(cmd, TyperGroup):
            found += _leaf_commands(cmd)
        else:
            found.append(cmd)
    return found


def _share_global_options(cmd: Any, shared: list[Any]) -> None:
    """Add the global options to `cmd` and apply the ones given on its command line."""
    from digitize.cli._common import apply_global_options

    taken = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
    clash = [o for p in shared for o in p.opts if o in taken]
    if clash:  # a programming error, caught by the CLI tests
        raise RuntimeError(f"command {cmd.name!r} redefines global option(s) {clash}")
    cmd.params.extend(shared)
    invoke = cmd.invoke

    def with_globals(ctx: Any) -> Any:
        values = {n: ctx.params.pop(n) for n in GLOBAL_NAMES if n in ctx.params}
        given = {n: v for n, v in values.items() if _from_command_line(ctx, n)}
        if given:
            apply_global_options(**given)
        return invoke(ctx)

    cmd.invoke = with_globals


def _from_command_line(ctx: Any, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


def _live_to_help(cmd: Any) -> None:
    """`--to`'s help names the exporters installed now (plugins included); reading the entry
    points costs time, so only when help is shown."""
    format_help = cmd.format_help

    def with_exporters(ctx: Any, formatter: Any) -> None:
        from digitize import registry

        names = [
            n.removeprefix("export.") for n in registry.stage_names() if n.startswith("export.")
        ]
        for p in cmd.params:
            if p.name == "to":
                p.help = (
                    "Formats, comma-separated, each an installed exporter (export.<name>): "
                    + ", ".join(names)
                    + ("; without --to, the pipeline's." if p.default is None else ".")
                )
        format_help(ctx, formatter)

    cmd.format_help = with_exporters


def _hide_flag_types() -> None:
    """Typer 0.29's rich help prints the value type of every option, `<bool>` after flags that
    take no value (`--debug <bool>`); plain click help leaves them out. Do the same here."""
    original = getattr(TyperOption, "display_type_rich", None)
    if original is None or getattr(original, "_digitize", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.count and self.metavar is None:
            return None
        shown: str | None = original(self, ctx)
        return shown

    display_type_rich._digitize = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()
