"""The bench's printed table (rich)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"


def print_results(res: dict[str, Any], path: Path) -> None:
    console = Console(width=160)
    p = res["params"]
    t = Table(
        title=f"digitize bench: {p['pages']}-page scanned Vietnamese book, {p['jobs']} jobs, "
        f"lang {p['lang']}, best of {p['repeat']} (load before: {res['env']['loadavg_before']})"
    )
    for col in ("figure", "value", "target", "met", "what was measured"):
        t.add_column(col, overflow="fold")
    for row in res["figures"]:
        target = "" if row["target"] is None else f"{row['op']} {row['target']}"
        met = {True: "[green]yes[/]", False: "[red]NO[/]", None: ""}[row["ok"]]
        t.add_row(row["figure"], _fmt(row["value"]), target, met, row["note"])
    console.print(t)
    for key, what in (("stage_seconds_cold", "wall"), ("stage_cpu_cold", "CPU")):
        stages = res["scanned"].get(key) or {}
        if stages:
            parts = ", ".join(
                f"{k} {v:.2f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1])
            )
            console.print(f"stage {what} seconds (cold run, summed over workers): {parts}")
    console.print(
        "process = wall time of the whole `digitize convert` command (Python start-up, imports, "
        "CLI, conversion, exit); runner = the report's wall_seconds, the conversion alone"
    )
    console.print(f"OCRmyPDF arguments: {res['scanned']['ocrmypdf_args']}")
    console.print(f"bench took {res['bench_seconds']:.0f} s; results: {path}")
