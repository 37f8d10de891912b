"""Converted with default settings, a book says the truth in every output: its language (an
English book is English, a Vietnamese one Vietnamese), and a searchable PDF whose text layer
Poppler and MuPDF both read like the book's own text, at the source's page size.

Real Tesseract on a synthetic English book and the Vietnamese sample. Slow.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pymupdf
import pytest
from helpers import ROOT
from helpers.cli import digitize_cmd

from digitize import bookjson, model
from digitize.lab.evaluation.metrics import wer
from digitize.lab.synth.book import BookSpec, generate_book
from digitize.model import FURNITURE_KINDS

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]
FORMATS = "epub,html,txt,hocr,alto,pdf"


def _convert(src: Path, out: Path) -> Path:
    proc = subprocess.run(
        [*digitize_cmd(), "--quiet", "convert", str(src), "-o", str(out), "--no-cache",
         "--to", FORMATS],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    src = tmp_path_factory.mktemp("en-src")
    generate_book(BookSpec(lang="en", pages=3, level="light", seed=7), src)
    return src / "book.pdf", _convert(src / "book.pdf", tmp_path_factory.mktemp("en"))


@pytest.fixture(scope="module")
def vietnamese(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    src = ROOT / "samples" / "sach-mau.pdf"
    return src, _convert(src, tmp_path_factory.mktemp("vi"))


def _languages(out: Path, stem: str) -> dict[str, set[str]]:
    """Every place an output states the book's language."""
    found: dict[str, set[str]] = {}
    with zipfile.ZipFile(out / f"{stem}.epub") as z:
        opf = z.read("EPUB/package.opf").decode()
        found["dc:language"] = set(re.findall(r"<dc:language>([^<]*)<", opf))
        found["epub html"] = {
            m for n in z.namelist() if n.endswith(".xhtml")
            for m in re.findall(r'<html [^>]*\blang="([^"]*)"', z.read(n).decode())
        }  # fmt: skip
        nav = z.read("EPUB/nav.xhtml").decode()
        found["nav labels"] = {"en" if "Contents" in nav else "vi" if "Mục lục" in nav else "?"}
    found["html"] = set(re.findall(r'<html lang="([^"]*)"', (out / f"{stem}.html").read_text()))
    hocr = ET.parse(out / f"{stem}.hocr").getroot()
    metas = {m.get("name"): m.get("content") for m in hocr.iter() if m.tag.endswith("meta")}
    found["hocr"] = {str(hocr.get("lang")), str(metas["ocr-langs"]).split()[0]}
    alto = ET.parse(out / f"{stem}.alto.xml").getroot()
    found["alto"] = {str(p.get("LANG")) for p in alto.iter() if p.tag.endswith("}Page")}
    return found


def test_an_english_book_is_english_everywhere(english: tuple[Path, Path]) -> None:
    _, out = english
    langs = _languages(out, "book")
    assert langs == {key: {"en"} for key in langs}, langs


def test_a_vietnamese_book_is_vietnamese_everywhere(vietnamese: tuple[Path, Path]) -> None:
    _, out = vietnamese
    langs = _languages(out, "sach-mau")
    assert langs == {key: {"vi"} for key in langs}, langs


def _reading_text(pdf_text: str, furniture: set[str]) -> str:
    """Extracted text without running heads and page numbers, line-end hyphens joined."""
    lines = [" ".join(ln.split()) for ln in pdf_text.splitlines()]
    kept = "\n".join(ln for ln in lines if ln and ln not in furniture)
    return re.sub(r"(\w)-\n(\w)", r"\1\2", kept)


def _comparable(text: str, notes: list[str]) -> str:
    """The words of `text` as both renderings share them: notes aside (the PDF has them at the
    page foot where printed, the .txt after the paragraph citing them: each is checked on its
    own), and no tokens without a letter (table rules `|`, note marks `[1]`)."""
    flat = " ".join(text.split())
    for note in notes:
        flat = flat.replace(note, " ", 1)
    return " ".join(t for t in flat.split() if any(c.isalpha() for c in t))


def _check_pdf(src: Path, out: Path, stem: str) -> None:
    book = bookjson.book_from_json((out / f"{stem}.book.json").read_text("utf-8"))
    furniture = {
        " ".join(b.text.split()) for p in book.pages for b in p.blocks if b.kind in FURNITURE_KINDS
    }
    txt = (out / f"{stem}.txt").read_text("utf-8")
    pdf = out / f"{stem}.ocr.pdf"
    doc, source = pymupdf.open(pdf), pymupdf.open(src)
    assert [(round(p.rect.width, 1), round(p.rect.height, 1)) for p in doc] == [
        (round(p.rect.width, 1), round(p.rect.height, 1)) for p in source
    ]
    mupdf = "\n".join(p.get_text("text") for p in doc)
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: scripts/install-system-deps.sh")
    poppler = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    notes = [" ".join(i.text.split()) for i in book.flow if isinstance(i, model.Footnote)]
    for name, text in (("MuPDF", mupdf), ("Poppler", poppler)):
        reading = _reading_text(text, furniture)
        rate = wer(_comparable(txt, notes), _comparable(reading, notes))
        print(f"{stem} {name} WER = {rate:.4f} ({len(notes)} notes aside)")
        assert rate <= 0.03, (name, rate)
        assert all(n in " ".join(reading.split()) for n in notes), name
    # A phrase of a printed body line, as a reader would type it, is found by both.
    line = next(
        ln.text
        for p in book.pages
        for b in p.blocks
        if b.kind == "paragraph"
        for ln in b.lines
        if len(ln.words) >= 5 and any(ord(c) > 127 for c in ln.text)
    ) if stem == "sach-mau" else next(
        ln.text for p in book.pages for b in p.blocks if b.kind == "paragraph"
        for ln in b.lines if len(ln.words) >= 5
    )  # fmt: skip
    phrase = " ".join(line.split()[1:4])
    assert sum(len(p.search_for(phrase)) for p in doc) >= 1, phrase
    assert phrase in " ".join(poppler.split()), phrase


def test_searchable_pdf_reads_like_the_book_vi(vietnamese: tuple[Path, Path]) -> None:
    src, out = vietnamese
    _check_pdf(src, out, "sach-mau")


def test_searchable_pdf_reads_like_the_book_en(english: tuple[Path, Path]) -> None:
    src, out = english
    _check_pdf(src, out, "book")
