"""hOCR and ALTO: coordinates of images that ship with them, languages, ALTO 4.4 hyphenation
and illustrations, and the official ALTO 4.4 schema."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import SHARED
from PIL import Image

from digitize.model import BBox, Block, Book, Line, Word
from digitize.stage import Context
from digitize.stages.export.alto import NS, AltoExporter
from digitize.stages.export.hocr import HocrExporter
from digitize.testing import sample_book

A = "{" + NS + "}"
X = "{http://www.w3.org/1999/xhtml}"
SCHEMA = SHARED / "schemas" / "alto" / "alto-4-4.xsd"


def _line(words: list[tuple[str, float]], y: float) -> Line:
    ws = tuple(Word(t, BBox(x, y, x + 8 * len(t), y + 14), 0.9) for t, x in words)
    return Line(ws, BBox.enclosing([w.bbox for w in ws]))


def _book(tmp_path: Path) -> Book:
    """The sample, its first page with an English paragraph hyphenated over two lines, a
    figure region, and a compound kept whole at a line end."""
    book = sample_book(tmp_path)
    lines = (
        _line(
            [
                (
                    "Charles",
                    30,
                ),
                ("Darwin", 100),
                ("wrote", 160),
                ("Domestica-", 210),
            ],
            200,
        ),
        _line([("tion,", 30), ("a", 80), ("state-of-the-", 100)], 220),
        _line([("Art", 30), ("book.", 70)], 240),
    )
    para = Block("paragraph", lines, BBox.enclosing([ln.bbox for ln in lines]))
    figure = Block("figure", (), BBox(40, 280, 260, 370))
    page = book.pages[0]
    page = replace(page, blocks=(*page.blocks[:3], para, figure, *page.blocks[3:]))
    return replace(book, pages=(page, *book.pages[1:]))


def _has(block: ET.Element, word: str) -> bool:
    return any(s.get("CONTENT") == word for s in block.iter(f"{A}String"))


def test_alto_hyphenation_illustration_and_lang(tmp_path: Path) -> None:
    book = _book(tmp_path)
    alto, *_ = AltoExporter().export(book, tmp_path / "out", Context())
    root = ET.parse(alto).getroot()
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "").endswith(
        "alto-4-4.xsd"
    )
    p1 = root.find(f"{A}Layout/{A}Page")
    assert p1 is not None and p1.get("LANG") == "vi"
    blocks = {b.get("ID"): b for b in p1.iter(f"{A}TextBlock")}

    def lang_of(word: str) -> str | None:
        return next(b for b in blocks.values() if _has(b, word)).get("LANG")

    assert lang_of("Darwin") == "en" and lang_of("Tiếng") == "vi" and lang_of("Toán") == "vi"
    english = [b for b in blocks.values() if _has(b, "Darwin")]
    strings = list(english[0].iter(f"{A}String"))
    parts = [(s.get("CONTENT"), s.get("SUBS_TYPE"), s.get("SUBS_CONTENT")) for s in strings]
    assert ("Domestica", "HypPart1", "Domestication") in parts
    assert ("tion,", "HypPart2", "Domestication") in parts
    assert ("state-of-the-", None, None) in parts  # "Art" is capitalised: not a split word
    first = english[0].find(f"{A}TextLine")
    assert first is not None and [c.tag for c in first][-1] == f"{A}HYP"
    (ill,) = p1.iter(f"{A}Illustration")
    assert [ill.get(k) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT")] == ["40", "280", "220", "90"]
    # Page order inside PrintSpace: the figure after the paragraph, as on the page.
    space = [c.tag for c in p1.find(f"{A}PrintSpace")]  # type: ignore[union-attr]
    assert space.index(f"{A}Illustration") == len(space) - 1


def test_page_images_ship_with_the_coordinates(tmp_path: Path) -> None:
    book = _book(tmp_path)
    out = tmp_path / "out"
    hocr, *h_images = HocrExporter().export(book, out, Context())
    alto, *a_images = AltoExporter().export(book, out, Context())
    assert [p.name for p in h_images] == ["page-0001.jpg"]  # the only page with a scan
    assert a_images == []  # the same images, already written by the hOCR exporter
    image = out / "sach-mau_pages" / "page-0001.jpg"
    with Image.open(image) as im:
        assert im.size == book.pages[0].size  # the pixels the boxes are in
    root = ET.parse(hocr).getroot()
    pages = [e for e in root.iter() if e.get("class") == "ocr_page"]
    assert (
        pages[0]
        .get("title", "")
        .startswith('image "sach-mau_pages/page-0001.jpg"; bbox 0 0 300 420')
    )
    assert "image" not in pages[1].get("title", "")
    metas = {m.get("name"): m.get("content") for m in root.iter(f"{X}meta")}
    assert metas["ocr-langs"] == "vi en"
    assert "sach-mau_pages/" in metas["ocr-coordinates"]
    pars = {p.get("lang") for p in root.iter(f"{X}p") if p.get("class") == "ocr_par"}
    assert pars == {"vi", "en"}
    a = ET.parse(alto).getroot()
    ids = [f.text for f in a.iter(f"{A}fileIdentifier")]
    assert ids == ["sach-mau_pages/page-0001.jpg"]
    assert (out / str(ids[0])).is_file()
    assert re.search(
        r"<!-- Coordinates are pixels of the page images in sach-mau_pages/", alto.read_text()
    )


def test_english_book_is_english_in_hocr_and_alto(tmp_path: Path) -> None:
    book = _book(tmp_path)
    book = replace(book, meta=replace(book.meta, lang="en"))
    hocr, *_ = HocrExporter().export(book, tmp_path / "h", Context())
    assert ET.parse(hocr).getroot().get("lang") == "en"
    alto, *_ = AltoExporter().export(book, tmp_path / "a", Context())
    langs = {p.get("LANG") for p in ET.parse(alto).getroot().iter(f"{A}Page")}
    assert langs == {"en"}


def test_alto_validates_against_the_alto_4_4_schema(tmp_path: Path) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"{SCHEMA} is absent (the shared schema set)")
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for n, book in enumerate((_book(tmp_path / "a"), sample_book(tmp_path / "b"))):
        alto, *_ = AltoExporter().export(book, tmp_path / f"out{n}", Context())
        doc = etree.parse(str(alto))
        assert schema.validate(doc), [str(e) for e in schema.error_log][:5]
