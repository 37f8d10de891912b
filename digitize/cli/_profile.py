"""`digitize convert --profile`: where a run's time went, stage by stage, summed over pages."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def profile_table(reports: list[dict[str, Any]]) -> Table:
    """Wall and CPU seconds per stage over every book converted (from their reports), most
    expensive first, with each stage's share of the CPU and its CPU per page."""
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    pages = run_wall = 0.0
    for rep in reports:
        pages += rep.get("pages_total", 0)
        run_wall += rep.get("wall_seconds", 0.0)
        for name, secs in (rep.get("seconds") or {}).items():
            wall[name] = wall.get(name, 0.0) + secs
        for name, secs in (rep.get("cpu_seconds") or {}).items():
            cpu[name] = cpu.get(name, 0.0) + secs
    total_cpu = sum(cpu.values()) or 1.0
    t = Table(
        title=f"time per stage, summed over {int(pages)} pages (run wall {run_wall:.2f} s)",
        caption="wall: summed over workers, so more than the run's wall with several jobs; "
        "CPU: the stage's processes and the tools they waited for",
    )
    for col in ("stage", "wall s", "CPU s", "CPU %", "CPU ms/page"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    for name in sorted(wall.keys() | cpu.keys(), key=lambda n: -cpu.get(n, wall.get(n, 0.0))):
        c = cpu.get(name)
        t.add_row(
            name,
            f"{wall.get(name, 0.0):.2f}",
            "–" if c is None else f"{c:.2f}",
            "–" if c is None else f"{100 * c / total_cpu:.1f}",
            "–" if c is None else f"{1000 * c / max(1.0, pages):.0f}",
        )
    t.add_row("total", f"{sum(wall.values()):.2f}", f"{sum(cpu.values()):.2f}", "100.0", "")
    return t
