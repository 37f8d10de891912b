"""The heavy-scans case of the bench: issue #19 allows digitize <= 1.25x plain Tesseract's wall
time on heavily degraded scans (dark borders, skew, uneven paper, speckle: every cleanup stage
has work), beside <= 1.10x on light ones.

A separate synthetic book (`digitize.lab.synth --level heavy`), shorter than the light one so the
bench keeps to its budget; the same two contenders, on the same page images: the tesseract CLI
on the pages rendered as `ingest.pdf` renders them, and `digitize convert` with a cold cache.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from digitize.lab.bench import _books as books
from digitize.lab.bench import _cases as cases
from digitize.lab.bench._measure import Measure

TARGET = 1.25  # wall vs plain tesseract CLI, heavy scans (issue #19)


def run(
    inputs: Path,
    runs: Path,
    pages: int,
    jobs: int,
    lang: str,
    repeat: int,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """`repeat` rounds of both contenders on a `pages`-page heavy scan; their measures."""
    book_dir = inputs / f"vi-heavy-{pages}p"
    scanned = books.make_scanned(book_dir, pages, level="heavy")
    images = books.render_pages(scanned, book_dir / "png300", 300)
    dig: list[Measure] = []
    tess: list[Measure] = []
    for r in range(repeat):
        say(f"heavy scans, round {r + 1}/{repeat}: digitize (cold cache), tesseract CLI")
        dig.append(cases.run_digitize(scanned, runs / "out-heavy", runs / "cache-heavy", jobs,
                                      fresh=True))  # fmt: skip
        tess.append(cases.run_tesseract(images, runs / "tess-heavy", jobs, lang, 300))
    return {"pages": pages, "digitize_cold": dig, "tesseract_cli": tess}


def rows(heavy: dict[str, Any] | None, row: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """The bench's heavy-scans rows (wall and CPU vs the tesseract CLI); none when not run."""
    if not heavy:
        return []
    cold = min(heavy["digitize_cold"], key=lambda m: m.wall)
    tess = min(heavy["tesseract_cli"], key=lambda m: m.wall)
    stages = cold.extra.get("stage_cpu") or {}
    top = ", ".join(f"{k} {v:.2f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1])[:6])
    return [
        row(f"heavy scans ({heavy['pages']} p): wall vs tesseract CLI", cold.wall / tess.wall,
            "<=", TARGET,
            f"{cold.wall:.1f} s vs {tess.wall:.1f} s; CPU {cold.cpu:.1f} s vs {tess.cpu:.1f} s; "
            f"stage CPU: {top}"),
        row("  heavy scans: CPU seconds vs tesseract CLI", cold.cpu / tess.cpu, "<=", TARGET,
            "whole process trees; robust to other load on the machine"),
    ]  # fmt: skip


def as_json(heavy: dict[str, Any] | None, m: Callable[[Measure], dict[str, Any]]) -> Any:
    """The heavy case's runs for results.json."""
    if not heavy:
        return None
    return {
        "pages": heavy["pages"],
        "digitize_cold": [m(x) for x in heavy["digitize_cold"]],
        "tesseract_cli": [m(x) for x in heavy["tesseract_cli"]],
    }
