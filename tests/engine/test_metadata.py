"""What the engine puts in a book's metadata: the language from the text unless the user said,
the printed book's source and date only from the user (never the scan file's name or date)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pymupdf
import pytest

from digitize import pipeline as pipelines
from digitize.engine.run import convert
from digitize.engine.run_options import RunOptions

ENGLISH = "The water pushes the swimmer forwards with a force of the same size and strength."
VIETNAMESE = "Người đi học muốn theo đạo của người quân tử cần phải cố gắng làm việc."


def _pdf(path: Path, text: str) -> Path:
    """A born-digital PDF (converts in a second, no OCR) with a creation date set."""
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=500)
    page.insert_htmlbox(pymupdf.Rect(30, 40, 370, 460), " ".join([text] * 4))
    doc.set_metadata({"title": "Scan", "creationDate": "D:20190704120000"})
    doc.save(path)
    return path


def _convert(src: Path, out: Path, lang: str | None = None) -> None:
    pipe = pipelines.from_dict(
        {"pipeline": {"lang": "vie+eng"}, "stage": [{"use": "layout.flow"}, {"use": "export.epub"}]}
    )
    convert(src, out, pipe, RunOptions(jobs=1, lang=lang))


def _opf(out: Path, stem: str) -> str:
    with zipfile.ZipFile(out / f"{stem}.epub") as z:
        return z.read("EPUB/package.opf").decode()


@pytest.mark.parametrize(("text", "want"), [(ENGLISH, "en"), (VIETNAMESE, "vi")])
def test_language_from_the_text(tmp_path: Path, text: str, want: str) -> None:
    src = _pdf(tmp_path / "book.pdf", text)
    _convert(src, tmp_path / "out")
    assert f"<dc:language>{want}</dc:language>" in _opf(tmp_path / "out", "book")


def test_lang_option_and_book_toml_override(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "book.pdf", ENGLISH)
    _convert(src, tmp_path / "a", lang="vie")  # one language asked for: that one
    assert "<dc:language>vi</dc:language>" in _opf(tmp_path / "a", "book")
    (tmp_path / "book.toml").write_text('lang = "vi"\n')
    _convert(src, tmp_path / "b")
    assert "<dc:language>vi</dc:language>" in _opf(tmp_path / "b", "book")


def test_source_and_date_only_from_the_user(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "book.pdf", VIETNAMESE)
    _convert(src, tmp_path / "a")
    opf = _opf(tmp_path / "a", "book")
    assert "<dc:date>" not in opf  # 2019-07-04 is when the PDF was made, not the book
    assert "book.pdf" not in opf  # a file name is no source
    (tmp_path / "book.toml").write_text(
        'source = "Nho giáo, Lê Thăng, Hà Nội 1930"\nisbn = "978-604-0-00000-0"\ndate = "1930"\n'
    )
    _convert(src, tmp_path / "b")
    opf = _opf(tmp_path / "b", "book")
    assert '<dc:source id="src">Nho giáo, Lê Thăng, Hà Nội 1930</dc:source>' in opf
    assert "<dc:date>1930</dc:date>" in opf
    assert (tmp_path / "b" / "book.epub").is_file()  # outputs still named after the input
    (tmp_path / "book.toml").write_text('isbn = "978-604-0-00000-0"\n')
    _convert(src, tmp_path / "c")
    assert '<dc:source id="src">urn:isbn:978-604-0-00000-0</dc:source>' in _opf(
        tmp_path / "c", "book"
    )
