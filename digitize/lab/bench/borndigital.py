"""`python -m digitize.lab.bench.borndigital [--pages 100]`: born-digital vs scanned, same pages.

Issue #19 asks a born-digital book to convert >= 50x faster than the same pages scanned. Both
books come from `_prose` (a prose book set with PyMuPDF and its pages rendered to JPEG); each is
converted through the CLI, cold cache, and measured in CPU seconds of the whole process tree
(robust to other load on the machine, unlike wall time). The scanned run costs ~1 CPU-s a page:
on a loaded machine `--scanned-pages N` converts only the first N scanned pages and scales the
per-page part to the whole book (start-up, measured by `convert --help`, counted once);
`--scanned-cpu S` reuses a figure measured before. The load average is printed beside.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from digitize.lab.bench import _cases as cases
from digitize.lab.bench import _prose as prose
from digitize.lab.bench._measure import Measure


def _best(ms: list[Measure]) -> Measure:
    return min(ms, key=lambda m: m.cpu)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m digitize.lab.bench.borndigital", description=__doc__
    )
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="born-digital runs; least CPU counts")
    ap.add_argument("--lang", default="vi", choices=["vi", "en"])
    ap.add_argument("--scanned-cpu", type=float, help="reuse this scanned CPU-s, skip its run")
    ap.add_argument("--scanned-pages", type=int, help="convert only this many scanned pages")
    ap.add_argument("--work", type=Path, default=Path(".bench-born"))
    a = ap.parse_args(argv)
    work: Path = a.work.resolve()
    born = prose.make_born_prose(work / f"born-{a.lang}-{a.pages}p.pdf", a.pages, a.lang)
    n_scan = min(a.scanned_pages or a.pages, a.pages)
    load0 = os.getloadavg()
    runs = [
        cases.run_digitize(born, work / "out-born", work / "cache-born", a.jobs, fresh=True)
        for _ in range(a.repeat)
    ]
    b = _best(runs)
    res: dict[str, object] = {
        "pages": a.pages,
        "born_cpu": round(b.cpu, 3),
        "born_wall": round(b.wall, 3),
        "born_runner_wall": b.extra.get("runner_wall"),
        "born_stage_cpu": b.extra.get("stage_cpu"),
    }
    if a.scanned_cpu is None:
        scan_pdf = work / f"scanned-{a.lang}-{n_scan}p.pdf"
        scanned = prose.make_scanned_twin(born, scan_pdf, pages=n_scan)
        s = cases.run_digitize(scanned, work / "out-scanned", work / "cache-scanned", a.jobs,
                               fresh=True, timeout=7200)  # fmt: skip
        start = min(cases.run_startup().cpu for _ in range(3))
        scanned_cpu = start + (s.cpu - start) * a.pages / n_scan
        res |= {"scanned_pages_run": n_scan, "scanned_cpu_run": round(s.cpu, 2)}
        res |= {"startup_cpu": round(start, 3), "scanned_cpu": round(scanned_cpu, 2)}
        res["scanned_stage_cpu"] = s.extra.get("stage_cpu")
    else:
        scanned_cpu = a.scanned_cpu
        res["scanned_cpu"] = scanned_cpu
    res["ratio_cpu"] = round(scanned_cpu / b.cpu, 1)
    res["loadavg"] = [round(x, 2) for x in (*load0, *os.getloadavg())]
    (work / "results.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(
        f"{a.pages} pages: born-digital {b.cpu:.2f} CPU-s ({b.wall:.2f} s wall), scanned "
        f"{scanned_cpu:.1f} CPU-s{f' (from {n_scan} pages)' if n_scan < a.pages else ''}: "
        f"{res['ratio_cpu']}x (target >= 50); load average "
        f"{load0[0]:.1f} before, {os.getloadavg()[0]:.1f} after; {work / 'results.json'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
