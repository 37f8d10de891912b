"""`python -m digitize.lab.bench.borndigital [--pages 100]`: born-digital vs scanned, same pages.

Issue #19 asks a 100-page born-digital book to convert >= 50x faster than the same pages
scanned, the fixed costs (start-up, report, EPUB) included. Both books come from `_prose` (a
prose book set with PyMuPDF, and its pages rendered to JPEG with no text layer); each is
converted by the `digitize convert` command (default pipeline, `--jobs` processes, cold cache)
and measured whole: Python start-up, imports, conversion and exit, in wall seconds and in CPU
seconds of the process tree (robust to other load on the machine, unlike wall time).

The scanned book costs ~1-5 CPU-s a page, so by default only its first `--scanned-pages` pages
are converted and the whole book's time is extrapolated: start-up (`digitize convert --help`,
measured) counted once, everything else of the short run scaled by pages / pages run (which
also scales the short run's other fixed costs, the pool start and the report: a slight
overstatement of the scanned time, under 1 % at 16 pages). `--scanned-pages 100` runs it all.
The main bench (`python -m digitize.lab.bench`) prints this figure as its born-digital row.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import digitize
from digitize.lab.bench import _cases as cases
from digitize.lab.bench import _prose as prose

#: pages of the scanned twin converted by default (~1-2 minutes on two cores)
SCANNED_PAGES = 16


def extrapolate(start: float, run: float, pages_run: int, pages: int) -> float:
    """A whole book's time from a run of its first `pages_run` pages: start-up once, the rest
    scaled by pages."""
    return start + (run - start) * pages / pages_run


def measure(
    work: Path,
    pages: int = 100,
    jobs: int = 2,
    repeat: int = 3,
    lang: str = "vi",
    scanned_pages: int = SCANNED_PAGES,
    say: Callable[[str], None] = lambda s: None,
) -> dict[str, Any]:
    """Convert the `pages`-page born-digital book `repeat` times and its scanned twin's first
    `scanned_pages` pages once; the speed-ups, whole process, in wall and CPU seconds (each the
    least of the repeats: the run least disturbed by other load)."""
    # Run from bytecode, as an installed package does (see the main bench: a checkout under
    # PYTHONDONTWRITEBYTECODE would compile every module in every command, ~0.5 CPU-s here).
    compileall.compile_dir(Path(digitize.__file__).parent, quiet=1)
    born = prose.make_born_prose(work / f"born-{lang}-{pages}p.pdf", pages, lang)
    n_scan = max(1, min(scanned_pages, pages))
    load0 = os.getloadavg()
    say(f"born-digital: a {pages}-page prose book, {repeat} runs")
    runs = [
        cases.run_digitize(born, work / "out-born", work / "cache-born", jobs, fresh=True)
        for _ in range(repeat)
    ]
    say(f"the same book scanned: its first {n_scan} pages, once")
    scan_pdf = prose.make_scanned_twin(born, work / f"scanned-{lang}-{n_scan}p.pdf", pages=n_scan)
    s = cases.run_digitize(scan_pdf, work / "out-scanned", work / "cache-scanned", jobs,
                           fresh=True, timeout=7200)  # fmt: skip
    starts = [cases.run_startup() for _ in range(3)]
    start_wall, start_cpu = min(m.wall for m in starts), min(m.cpu for m in starts)
    born_wall, born_cpu = min(m.wall for m in runs), min(m.cpu for m in runs)
    scanned_wall = extrapolate(start_wall, s.wall, n_scan, pages)
    scanned_cpu = extrapolate(start_cpu, s.cpu, n_scan, pages)
    best = min(runs, key=lambda m: m.cpu)
    return {
        "pages": pages,
        "jobs": jobs,
        "born_wall": round(born_wall, 3),
        "born_cpu": round(born_cpu, 3),
        "born_runner_wall": best.extra.get("runner_wall"),
        "born_stage_cpu": best.extra.get("stage_cpu"),
        "scanned_pages_run": n_scan,
        "scanned_wall_run": round(s.wall, 2),
        "scanned_cpu_run": round(s.cpu, 2),
        "scanned_stage_cpu": s.extra.get("stage_cpu"),
        "startup_wall": round(start_wall, 3),
        "startup_cpu": round(start_cpu, 3),
        "scanned_wall": round(scanned_wall, 1),
        "scanned_cpu": round(scanned_cpu, 1),
        "ratio_wall": round(scanned_wall / born_wall, 1),
        "ratio_cpu": round(scanned_cpu / born_cpu, 1),
        "loadavg": [round(x, 2) for x in (*load0, *os.getloadavg())],
    }


def summary(r: dict[str, Any]) -> str:
    """One line: both books' times and the speed-ups."""
    part = r["scanned_pages_run"] < r["pages"]
    how = f" (extrapolated from its first {r['scanned_pages_run']} pages)" if part else ""
    return (
        f"{r['pages']} pages, {r['jobs']} jobs: born-digital {r['born_wall']:.2f} s wall, "
        f"{r['born_cpu']:.2f} CPU-s; scanned {r['scanned_wall']:.0f} s wall, "
        f"{r['scanned_cpu']:.0f} CPU-s{how}: {r['ratio_wall']}x wall, {r['ratio_cpu']}x CPU "
        f"(target >= 50); load average {r['loadavg'][0]:.1f} before, {r['loadavg'][3]:.1f} after"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m digitize.lab.bench.borndigital", description=__doc__
    )
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="born-digital runs; the least counts")
    ap.add_argument("--lang", default="vi", choices=["vi", "en"])
    ap.add_argument("--scanned-pages", type=int, default=SCANNED_PAGES,
                    help="convert only this many scanned pages, extrapolate to --pages")  # fmt: skip
    ap.add_argument("--work", type=Path, default=Path(".bench-born"))
    a = ap.parse_args(argv)
    work: Path = a.work.resolve()
    say = lambda s: print(f"[borndigital] {s}", file=sys.stderr)  # noqa: E731
    res = measure(work, a.pages, a.jobs, a.repeat, a.lang, a.scanned_pages, say)
    (work / "results.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(f"{summary(res)}; {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
