"""DAISY Ace, the EPUB accessibility checker, finds nothing to report in our EPUBs.

Runs where `ace-puppeteer` is installed (`make setup` installs it with npm); it drives the
system Chromium, so it works offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.books import english_book

from digitize.model import Book
from digitize.stage import Context
from digitize.stages.export.epub import EpubExporter
from digitize.testing import sample_book


def _ace(book: Book, tmp_path: Path) -> list[str]:
    ace = shutil.which("ace-puppeteer")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if ace is None or chromium is None:
        pytest.skip("DAISY Ace (npm @daisy/ace) or chromium is not installed: run make setup")
    (epub,) = EpubExporter().export(book, tmp_path / "out", Context(work_dir=book.work_dir))
    report = tmp_path / "ace"
    proc = subprocess.run(
        [ace, "--silent", "--outdir", str(report), str(epub)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:]
    data = json.loads((report / "report.json").read_text("utf-8"))
    assert data["earl:result"]["earl:outcome"] in ("pass", "fail")
    return [
        f"{a['earl:test']['dct:title']} ({a['earl:test']['earl:impact']}) in {doc['earl:testSubject']['url']}"
        for doc in data.get("assertions", [])
        for a in doc.get("assertions", [])
    ]


@pytest.mark.slow
@pytest.mark.chromium
def test_ace_finds_no_violation(tmp_path: Path) -> None:
    """The Vietnamese sample (figures, a table, notes, hostile text, page list) and an English
    book with uncaptioned figures, skipped heading levels and three notes marked `1`."""
    assert _ace(sample_book(tmp_path / "vi"), tmp_path / "vi") == []
    assert _ace(english_book(tmp_path / "en"), tmp_path / "en") == []
