"""The measured runs: digitize (cold, rerun, born-digital, long books), Tesseract, OCRmyPDF."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from digitize.lab.bench._measure import Measure, run_cmd, run_parallel

TESS_ENV = {"OMP_THREAD_LIMIT": "1"}  # what digitize's workers do: parallelise pages, not threads


def digitize_cmd(
    src: Path, out: Path, cache: Path, jobs: int, pipeline: str = "textbook"
) -> list[str]:
    return [
        sys.executable, "-c", "from digitize.cli.app import run; run()", "--quiet", "convert", str(src),
        "-o", str(out), "--cache-dir", str(cache), "-j", str(jobs), "-p", pipeline,
    ]  # fmt: skip


def run_startup() -> Measure:
    """Python start-up plus the imports of `digitize convert` (`--help`: no conversion): what
    every command pays before it does anything, and what the "process" figures include."""
    m = run_cmd(
        [sys.executable, "-c", "from digitize.cli.app import run; run()", "convert", "--help"]
    )
    if m.rc:
        raise RuntimeError(f"digitize convert --help failed ({m.rc}): {m.stderr.strip()[-800:]}")
    return m


def run_digitize(
    src: Path,
    out: Path,
    cache: Path,
    jobs: int,
    *,
    fresh: bool,
    pipeline: str = "textbook",
    timeout: float = 900,
) -> Measure:
    """One `digitize convert`; `fresh` empties the cache first (a cold run)."""
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    m = run_cmd(digitize_cmd(src, out, cache, jobs, pipeline), timeout=timeout)
    if m.rc:
        raise RuntimeError(f"digitize failed ({m.rc}): {m.stderr.strip()[-800:]}")
    reports = sorted(out.glob("*.report.json"))
    if reports:
        rep = json.loads(reports[0].read_text(encoding="utf-8"))
        m.extra["runner_wall"] = rep.get("wall_seconds")
        m.extra["stage_seconds"] = rep.get("seconds")
        m.extra["stage_cpu"] = rep.get("cpu_seconds")
        m.extra["pages_cached"] = rep.get("pages_cached")
        m.extra["words"] = rep.get("words")
    return m


def run_tesseract(images: list[Path], out: Path, jobs: int, lang: str, dpi: int) -> Measure:
    """The ideal: the plain CLI once per page image, `jobs` at a time, TSV out (words+boxes)."""
    out.mkdir(parents=True, exist_ok=True)
    cmds = [
        ["tesseract", str(p), str(out / p.stem), "-l", lang, "--psm", "3", "--oem", "1",
         "--dpi", str(dpi), "tsv"]
        for p in images
    ]  # fmt: skip
    m = run_parallel(cmds, jobs, env=TESS_ENV)
    if m.rc:
        raise RuntimeError(f"tesseract failed: {m.stderr}")
    return m


OCRMYPDF_ARGS = (
    # Fair to OCRmyPDF: no PDF/A conversion through Ghostscript, no image optimisation, no
    # linearisation; its rasteriser picks the scan's own 300 dpi; sidecar text = our .txt.
    "--output-type", "pdf", "--optimize", "0", "--fast-web-view", "0",
    "--tesseract-oem", "1", "--tesseract-pagesegmode", "3",
)  # fmt: skip


def ocrmypdf_exe() -> str | None:
    here = Path(sys.executable).parent / "ocrmypdf"
    return str(here) if here.is_file() else shutil.which("ocrmypdf")


def ocrmypdf_unavailable() -> str | None:
    """Why OCRmyPDF cannot run here, or None."""
    if ocrmypdf_exe() is None:
        return "ocrmypdf not installed (pip install -e '.[bench]')"
    if shutil.which("gs") is None:
        return "ghostscript (gs) not installed (apt-get install ghostscript)"
    return None


def run_ocrmypdf(src: Path, out: Path, jobs: int, lang: str) -> Measure:
    out.mkdir(parents=True, exist_ok=True)
    exe = ocrmypdf_exe()
    assert exe
    cmd = [exe, "-l", lang, "--jobs", str(jobs), *OCRMYPDF_ARGS, "--sidecar", str(out / "book.txt")]
    m = run_cmd([*cmd, "--quiet", str(src), str(out / "book.pdf")], env=TESS_ENV)
    if m.rc:
        raise RuntimeError(f"ocrmypdf failed ({m.rc}): {m.stderr.strip()[-600:]}")
    return m


def low_dpi_pipeline(work: Path, dpi: int) -> Path:
    """The textbook pipeline with PDF pages rasterised at `dpi` (cheap OCR for long books)."""
    from digitize import pipeline

    text = pipeline.find("textbook").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^dpi\s*=\s*\d+", f"dpi = {dpi}", text)
    if not n:
        text = text.replace("[pipeline]\n", f"[pipeline]\ndpi = {dpi}\n", 1)
    path = work / f"textbook-{dpi}dpi.toml"
    path.write_text(text, encoding="utf-8")
    return path


def env_info() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load]}
