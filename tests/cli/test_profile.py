"""`digitize convert --profile`: where the time went, stage by stage, summed over pages."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
from helpers.cli import run

TEXT = "Chương 1. Mở đầu\n\nSách giáo khoa được số hoá thành sách điện tử. " * 3


def _born_digital(path: Path, pages: int) -> Path:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=420, height=595)
        page.insert_htmlbox(pymupdf.Rect(40, 40, 380, 555), f"<p>{TEXT} {i + 1}</p>")
    doc.save(path)
    return path


def test_profile_prints_stage_seconds_and_steps_record_cost(tmp_path: Path) -> None:
    src = _born_digital(tmp_path / "sach.pdf", 3)
    out = tmp_path / "out"
    proc = run("convert", str(src), "-o", str(out), "--no-cache", "--profile", "-j", "1")
    assert proc.returncode == 0, proc.stderr
    assert "time per stage, summed over 3 pages" in proc.stdout
    rows = {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("│")}
    assert {"ingest.pdf", "layout.blocks", "layout.flow", "export.epub", "total"} <= rows
    report = json.loads((out / "sach.report.json").read_text(encoding="utf-8"))
    assert set(report["cpu_seconds"]) == set(report["seconds"])
    assert report["cpu_seconds"]["ingest.pdf"] > 0
    book = json.loads((out / "sach.book.json").read_text(encoding="utf-8"))
    steps = book["book"]["pages"][0]["steps"]
    assert [s["name"] for s in steps][-1] == "layout.blocks"
    assert all("cpu_seconds" in s and "note" in s for s in steps)


def test_without_profile_no_table(tmp_path: Path) -> None:
    src = _born_digital(tmp_path / "sach.pdf", 1)
    proc = run("convert", str(src), "-o", str(tmp_path / "out"), "--no-cache", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "time per stage" not in proc.stdout
