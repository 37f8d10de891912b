"""No silent loss (issue #16, the I/O half), through the real CLI: a book that came out empty
although its input had text fails; a failure leaves no empty output folder behind."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import bad_files as bf
import pymupdf
import pytest
from support import SHARED, digitize_cmd

from digitize.errors import ExitCode


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*digitize_cmd(), *args], capture_output=True, text=True, timeout=timeout)


def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if "digitize: error:" in ln]


def truncated_pdf(tmp: Path, name: str = "cut.pdf") -> Path:
    """A born-digital three-page PDF cut in half: MuPDF repairs it into three pages whose
    content streams and fonts are gone (what `head -c` does to a download)."""
    good = bf.text_pdf(tmp / "whole.pdf", pages=[(bf.WORDS,) * 4] * 3)
    data = good.read_bytes()
    cut = tmp / name
    cut.write_bytes(data[: len(data) // 2])
    with pymupdf.open(cut) as doc:  # the premise: pages open, no text survives
        assert doc.is_repaired and doc.page_count == 3
        assert not any(page.get_text().strip() for page in doc)
    return cut


def blank_pdf(path: Path, pages: int = 2) -> Path:
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=300, height=400)
    doc.save(path)
    return path


# ---------------------------------------------------------------- empty is not success


def test_truncated_pdf_with_no_text_left_exits_6_with_only_its_report(tmp_path: Path) -> None:
    cut = truncated_pdf(tmp_path)
    out = tmp_path / "out"
    proc = run("convert", str(cut), "-o", str(out), "--no-cache", "-j", "1", "--to", "epub,txt")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    (line,) = errors(proc)
    assert "cut.pdf: no text reached the book despite damaged pages 1-3" in line
    assert "Traceback" not in proc.stderr
    # No empty e-book: the report alone, which says why.
    assert sorted(p.name for p in out.iterdir()) == ["cut.report.html", "cut.report.json"]
    report = json.loads((out / "cut.report.json").read_text())
    assert any("no text reached the book" in w for w in report["warnings"])


def test_batch_records_an_empty_book_as_failed_with_the_reason(tmp_path: Path) -> None:
    inbox, lib = tmp_path / "inbox", tmp_path / "lib"
    inbox.mkdir()
    truncated_pdf(inbox)
    bf.text_pdf(inbox / "fine.pdf")
    proc = run(
        "batch", str(inbox), str(lib), "--settle", "0", "-j", "1", "--to", "txt",
        "--cache-dir", str(tmp_path / "cache"),
    )  # fmt: skip
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    with sqlite3.connect(lib / ".digitize-ledger.sqlite") as db:
        rows = dict(db.execute("SELECT path, status || ': ' || COALESCE(reason, '') FROM books"))
    status = {Path(k).name: v for k, v in rows.items()}
    assert status["fine.pdf"].startswith("done")
    assert status["cut.pdf"].startswith("failed: cut.pdf: no text reached the book"), status
    assert (lib / "fine" / "fine.txt").is_file()
    assert not (lib / "cut" / "cut.txt").exists()


def test_blank_input_is_only_a_warning(tmp_path: Path) -> None:
    src = blank_pdf(tmp_path / "blank.pdf")
    out = tmp_path / "out"
    proc = run("convert", str(src), "-o", str(out), "--no-cache", "-j", "1", "--to", "txt")
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "blank.pdf: no text found on any page (blank pages?)" in proc.stderr
    assert (out / "blank.txt").is_file()


@pytest.mark.slow
def test_shared_multipage_cut_at_100000_bytes_exits_6(tmp_path: Path) -> None:
    whole = SHARED / "testpdfs" / "multipage.pdf"
    if not whole.is_file():
        pytest.skip(f"{whole} not present (the shared test PDFs are optional)")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole.read_bytes()[:100000])
    out = tmp_path / "out"
    proc = run("convert", str(cut), "-o", str(out), "--no-cache", "--to", "epub")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    (line,) = errors(proc)
    assert "cut.pdf: no text reached the book" in line
    assert not (out / "cut.epub").exists()


# ---------------------------------------------------------------- no empty output folder


def test_a_failed_run_leaves_no_output_folder_it_made(tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a pdf at all\n")
    out = tmp_path / "new" / "out"
    proc = run("convert", str(notes), "-o", str(out), "--no-cache")  # exit 3: bad input
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert not (tmp_path / "new").exists()
    good = bf.text_pdf(tmp_path / "good.pdf")
    proc = run("convert", str(good), "-o", str(out), "--no-cache", "--lang", "zzz")  # exit 4
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY, proc.stderr
    assert not (tmp_path / "new").exists()
    # A folder that was there before stays, empty or not.
    out.mkdir(parents=True)
    proc = run("convert", str(notes), "-o", str(out), "--no-cache")
    assert proc.returncode == ExitCode.BAD_INPUT and out.is_dir() and not any(out.iterdir())


def test_batch_leaves_no_empty_book_folder_for_a_book_that_failed(tmp_path: Path) -> None:
    inbox, lib = tmp_path / "inbox", tmp_path / "lib"
    inbox.mkdir()
    (inbox / "notes.pdf").write_text("not a pdf at all\n")
    bf.text_pdf(inbox / "fine.pdf")
    proc = run(
        "batch", str(inbox), str(lib), "--settle", "0", "-j", "1", "--to", "txt",
        "--cache-dir", str(tmp_path / "cache"),
    )  # fmt: skip
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    assert (lib / "fine" / "fine.txt").is_file()
    assert not (lib / "notes").exists()
