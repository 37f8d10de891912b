"""Huge pages are rendered so their text lands at an OCR-friendly size; odd sizes are flagged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pymupdf
import pytest
from helpers import SHARED
from helpers.cli import digitize_cmd

from digitize.model import BBox, Block, Line, Word
from digitize.stages.ingest import _textsize
from digitize.stages.ocr.tesseract import text_size_warning

POSTER = ["Annual general meeting", "of the rowing club"]


def _poster(path: Path, fontsize: float = 90) -> None:
    """A 30x30-inch page whose x-height is ~200 px at 300 dpi."""
    doc = pymupdf.open()
    page = doc.new_page(width=2160, height=2160)
    for k, text in enumerate(POSTER):
        page.insert_text((150, 400 + k * 160), text, fontsize=fontsize, fontname="helv")
    doc.save(path)


def test_a_poster_is_measured_and_rendered_at_a_lower_dpi(tmp_path: Path) -> None:
    _poster(tmp_path / "poster.pdf")
    with pymupdf.open(tmp_path / "poster.pdf") as doc:
        dpi, xh = _textsize.text_dpi(doc[0], 300)
    assert xh is not None and 20 <= xh <= 40
    assert 30 <= dpi <= 60


def test_a_book_page_is_left_at_the_books_dpi(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)  # A4
    page.insert_text((72, 100), "An ordinary page of body text.", fontsize=11)
    assert _textsize.text_dpi(page, 300) == (300, None)


def _words(h: float, n: int = 8) -> tuple[Block, ...]:
    ws = tuple(Word("word", BBox(k * 100, 0, k * 100 + 80, h), 0.9) for k in range(n))
    return (Block("paragraph", (Line(ws, BBox(0, 0, n * 100, h)),), BBox(0, 0, n * 100, h)),)


def test_text_too_small_or_large_for_ocr_is_a_warning() -> None:
    assert text_size_warning(_words(40)) == ()
    (small,) = text_size_warning(_words(7))
    (large,) = text_size_warning(_words(300))
    assert small.startswith("text size:") and "too small" in small
    assert "too large" in large
    assert text_size_warning(_words(300, n=2)) == ()  # too few words to tell


def _convert(src: Path, out: Path, *extra: str) -> tuple[str, dict]:
    cmd = [*digitize_cmd(), "-q", "convert", str(src), "-o", str(out), "--lang", "eng"]
    cmd += ["-p", "textbook-fast", "--to", "txt", "--no-cache", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(next(out.glob("*.report.json")).read_text(encoding="utf-8"))
    return next(out.glob("*.txt")).read_text(encoding="utf-8"), report


@pytest.mark.tesseract
def test_cli_reads_a_poster_and_says_how_it_was_rendered(tmp_path: Path) -> None:
    _poster(tmp_path / "poster.pdf")
    # Its short text layer is accurate, so it would be used as it is: rasterise, as for a scan.
    no_layer = ("--set", "ingest.pdf.text_layer=false")
    text, report = _convert(tmp_path / "poster.pdf", tmp_path / "out", *no_layer)
    assert " ".join(text.split()) == " ".join(POSTER)
    (page,) = report["pages"]
    assert page["dpi"] < 100 and "text_size" not in page["flags"]
    assert any(w.startswith("large page:") for w in page["warnings"])


@pytest.mark.tesseract
@pytest.mark.skipif(not (SHARED / "testpdfs").is_dir(), reason="../shared/testpdfs absent")
def test_cli_enormous_pdf_is_no_longer_garbled(tmp_path: Path) -> None:
    """testpdfs/enormous.pdf, a 9000x9000-px scan: read at the capped 298 dpi it came out as
    "90Ó00x9(©(@0)" at 76 % confidence."""
    text, report = _convert(SHARED / "testpdfs" / "enormous.pdf", tmp_path / "out")
    assert "9000x9000 pixels" in text and "megapixels" in text
    assert report["pages"][0]["dpi"] < 100
