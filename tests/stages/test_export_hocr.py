"""export.hocr: one well-formed hOCR 1.2 XHTML file, every printable word with box and x_wconf."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from digitize.model import BBox, Block, Book, BookMeta, Line, Page, Word
from digitize.stage import Context
from digitize.stages.export._ocr import word_text
from digitize.stages.export.hocr import HocrExporter
from digitize.testing import check_exporter, sample_book

X = "{http://www.w3.org/1999/xhtml}"


def _classes(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def test_contract(tmp_path: Path) -> None:
    path, image = check_exporter(HocrExporter, tmp_path)
    assert path.name == "sach-mau.hocr" and image.name == "page-0001.jpg"


def test_structure_and_words(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    path, _ = HocrExporter().export(book, tmp_path / "out", Context())
    text = path.read_text("utf-8")
    root = ET.fromstring(text)
    metas = {m.get("name"): m.get("content") for m in root.iter(f"{X}meta")}
    assert metas["ocr-system"] == "digitize"
    assert "ocrx_word" in metas["ocr-capabilities"] and "ocrp_wconf" in metas["ocr-capabilities"]
    assert root.get("lang") == "vi"
    pages = _classes(root, "ocr_page")
    assert len(pages) == len(book.pages)
    assert (
        pages[0].get("title")
        == 'image "sach-mau_pages/page-0001.jpg"; bbox 0 0 300 420; ppageno 0; scan_res 72 72'
    )
    assert "image" not in pages[1].get("title", "")  # born-digital: no scan
    words = _classes(root, "ocrx_word")
    want = [word_text(w) for p in book.pages for w in p.words]
    assert len(words) == sum(len(p.words) for p in book.pages) == 7
    assert [w.text for w in words] == want
    assert words[0].text == "Toán" and words[2].text == "Tiếng"
    for w in words:
        m = re.fullmatch(r"bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)", w.get("title", ""))
        assert m, w.get("title")
        x0, y0, x1, y1, conf = map(int, m.groups())
        assert x0 < x1 and y0 < y1 and 0 <= conf <= 100
    assert words[2].get("title") == "bbox 30 100 70 114; x_wconf 87"
    for cls in ("ocr_carea", "ocr_par", "ocr_line"):
        assert all(e.get("title", "").startswith("bbox ") for e in _classes(root, cls))
    # Hostile OCR text is escaped text, never markup; controls and bidi overrides are gone.
    assert "<script" not in text and "&lt;script&gt;&amp;]]&gt;x" in text
    assert "\x00" not in text and "\u202e" not in text
    assert not list(root.iter(f"{X}script"))


def test_odd_confidence_and_blank_words(tmp_path: Path) -> None:
    words = (
        Word("a", BBox(0, 0, 5, 5), 1.7),
        Word("\x00\u202e ", BBox(6, 0, 9, 5), 0.5),
        Word("b", BBox(10, 0, 15, 5), float("nan")),
    )
    block = Block("heading", (Line(words, BBox(0, 0, 15, 5)),), BBox(0, 0, 15, 5))
    book = Book(BookMeta(title="t"), (Page(0, (20, 10), 0, blocks=(block,)),))
    (path,) = HocrExporter().export(book, tmp_path, Context())
    root = ET.fromstring(path.read_text("utf-8"))
    titles = [w.get("title") for w in _classes(root, "ocrx_word")]
    assert titles == ["bbox 0 0 5 5; x_wconf 100", "bbox 10 0 15 5; x_wconf 0"]
    assert len(_classes(root, "ocr_header")) == 1
