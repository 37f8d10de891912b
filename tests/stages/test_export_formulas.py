"""Display formulas (a `Figure` with role "formula") in the text exporters: a picture marked
as a formula with its recognised text as alt (escaped), the text kept in md/txt; valid EPUB."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.epub import epubcheck_messages, first_chapter
from PIL import Image

from digitize.model import Book, BookMeta, Figure, Heading, PageBreak, Paragraph, nfc
from digitize.stage import Context
from digitize.stages.export.epub import EpubExporter
from digitize.stages.export.html import HtmlExporter
from digitize.stages.export.md import MarkdownExporter
from digitize.stages.export.txt import TextExporter
from digitize.testing import HOSTILE

ALT = "x = (a + b)/2 < 3 & y"
X = "{http://www.w3.org/1999/xhtml}"


def _book(tmp: Path) -> Book:
    (tmp / "figures").mkdir(parents=True, exist_ok=True)
    Image.new("L", (120, 60), 255).save(tmp / "figures" / "f.png")
    return Book(
        BookMeta(title="Formulas", lang="en"),
        flow=(
            PageBreak(0, "1"),
            Heading("Chapter 1. Sums", 1),
            Paragraph(nfc("The sum is")),
            Figure("figures/f.png", "", 120, 60, role="formula", alt=ALT),
            Figure("figures/f.png", "", 120, 60, role="formula", alt=HOSTILE),
            Paragraph(nfc("where a and b are numbers.")),
        ),
        work_dir=str(tmp),
    )


def test_epub_marks_formula_pictures_and_escapes_their_alt(tmp_path: Path) -> None:
    (path,) = EpubExporter().export(_book(tmp_path), tmp_path / "o", Context(str(tmp_path)))
    chapter = first_chapter(path)
    root = ET.fromstring(chapter)  # hostile alt text did not break the document
    figs = [f for f in root.iter(f"{X}figure") if f.get("class") == "formula"]
    assert len(figs) == 2
    imgs = [f.find(f"{X}img") for f in figs]
    alts = [i.get("alt") or "" for i in imgs if i is not None]
    assert alts[0] == ALT and "<script>alert(1)</script>" in alts[1]  # text, not markup
    assert root.find(f".//{X}script") is None
    assert not any(ALT in (p.text or "") for p in root.iter(f"{X}p"))  # no paragraph of it


@pytest.mark.epubcheck
def test_epub_with_formulas_passes_epubcheck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = EpubExporter().export(_book(tmp_path), tmp_path / "o", Context(str(tmp_path)))
    assert epubcheck_messages(path, monkeypatch) == []


def test_html_md_txt_keep_the_formula_text(tmp_path: Path) -> None:
    book = _book(tmp_path)
    ctx = Context(str(tmp_path))
    html = HtmlExporter().export(book, tmp_path / "h", ctx)[0].read_text()
    assert html.count('<figure class="formula">') == 2 and "<script>" not in html
    assert 'alt="x = (a + b)/2 &lt; 3 &amp; y"' in html
    md = MarkdownExporter().export(book, tmp_path / "m", ctx)[0].read_text()
    assert "![x = (a + b)/2 &lt; 3 \\& y](" in md
    txt = TextExporter().export(book, tmp_path / "t", ctx)[0].read_text()
    assert f"The sum is\n\n{ALT}\n\n" in txt


def test_a_formula_without_credible_text_is_named_a_formula(tmp_path: Path) -> None:
    """No reading worth reading out (the layout kept none): the alt says what it is, in the
    book's language, never 'Illustration, page …' or an empty alt."""
    book = _book(tmp_path)
    flow = (*book.flow[:3], Figure("figures/f.png", "", 120, 60, role="formula", alt=""))
    for lang, name in (("en", "Formula"), ("vi", "Công thức")):
        b = Book(BookMeta(title="F", lang=lang), flow=flow, work_dir=str(tmp_path))
        (path,) = EpubExporter().export(b, tmp_path / lang, Context(str(tmp_path)))
        chapter = first_chapter(path)
        (img,) = [i for i in ET.fromstring(chapter).iter(f"{X}img")]
        assert img.get("alt") == name
