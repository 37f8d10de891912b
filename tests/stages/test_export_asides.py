"""Boxed notes (`Aside`) in every text exporter: apart from the running text, escaped, valid."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.epub import epubcheck_messages, first_chapter

from digitize.model import Aside, Book, BookMeta, Heading, PageBreak, Paragraph, nfc
from digitize.stage import Context
from digitize.stages.export.epub import EpubExporter
from digitize.stages.export.html import HtmlExporter
from digitize.stages.export.md import MarkdownExporter
from digitize.stages.export.txt import TextExporter
from digitize.testing import HOSTILE

NOTE = nfc("Số chẵn là số chia hết cho 2.")
X = "{http://www.w3.org/1999/xhtml}"


def _book(tmp: Path) -> Book:
    return Book(
        BookMeta(title=nfc("Ghi chú"), lang="vi"),
        flow=(
            PageBreak(0, "1"),
            Heading(nfc("Chương 1. Số"), 1),
            Paragraph(nfc("Đoạn văn trước hộp.")),
            Aside(NOTE, nfc("Ghi nhớ")),
            Aside(HOSTILE, HOSTILE),
            Aside(nfc("Không có tiêu đề.")),
            Paragraph(nfc("Đoạn văn sau hộp.")),
        ),
        work_dir=str(tmp),
    )


def test_epub_puts_each_note_in_an_aside_and_escapes_it(tmp_path: Path) -> None:
    (path,) = EpubExporter().export(_book(tmp_path), tmp_path / "o", Context(str(tmp_path)))
    chapter = first_chapter(path)
    root = ET.fromstring(chapter)  # hostile text did not break the document
    asides = root.findall(f".//{X}aside")
    assert len(asides) == 3
    assert [p.text for p in asides[0].iter(f"{X}p")][1] == NOTE
    assert asides[0].find(f".//{X}strong").text == nfc("Ghi nhớ")  # type: ignore[union-attr]
    assert root.find(f".//{X}script") is None
    # the note is no part of a paragraph of the running text
    assert not any(NOTE in (p.text or "") for p in root.findall(f"{X}body//{X}section/{X}p"))


@pytest.mark.epubcheck
def test_epub_with_asides_passes_epubcheck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (path,) = EpubExporter().export(_book(tmp_path), tmp_path / "o", Context(str(tmp_path)))
    assert epubcheck_messages(path, monkeypatch) == []


def test_html_md_txt_keep_notes_apart_and_escaped(tmp_path: Path) -> None:
    book = _book(tmp_path)
    ctx = Context(str(tmp_path))
    html = HtmlExporter().export(book, tmp_path / "h", ctx)[0].read_text()
    assert html.count("<aside") == 3 and "<script>" not in html
    assert f"<strong>{nfc('Ghi nhớ')}</strong>" in html
    md = MarkdownExporter().export(book, tmp_path / "m", ctx)[0].read_text()
    assert f"> **{nfc('Ghi nhớ')}**" in md and f"> {NOTE}" in md
    txt = TextExporter().export(book, tmp_path / "t", ctx)[0].read_text()
    assert f"{nfc('Ghi nhớ')}\n{NOTE}" in txt
