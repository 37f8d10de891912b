"""export.alto: well-formed ALTO v4, every printable word a String, furniture in the margins."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

from digitize.stage import Context
from digitize.stages.export._ocr import word_text
from digitize.stages.export.alto import NS, AltoExporter
from digitize.testing import check_exporter, sample_book

A = "{" + NS + "}"


def test_contract(tmp_path: Path) -> None:
    path, image = check_exporter(AltoExporter, tmp_path)
    assert path.name == "sach-mau.alto.xml" and image.parent.name == "sach-mau_pages"


def test_structure(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    path, _ = AltoExporter().export(book, tmp_path / "out", Context())
    text = path.read_text("utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{A}alto"
    assert root.findtext(f"{A}Description/{A}MeasurementUnit") == "pixel"
    assert root.find(f"{A}Description/{A}sourceImageInformation/{A}fileName") is not None
    assert root.find(f"{A}Description/{A}OCRProcessing") is not None
    pages = root.findall(f"{A}Layout/{A}Page")
    assert len(pages) == len(book.pages)
    p1 = pages[0]
    assert p1.get("ID") == "P1" and p1.get("PHYSICAL_IMG_NR") == "1"
    assert p1.get("PRINTED_IMG_NR") == "1"
    assert (p1.get("WIDTH"), p1.get("HEIGHT")) == ("300", "420")
    assert [c.tag for c in p1] == [f"{A}TopMargin", f"{A}BottomMargin", f"{A}PrintSpace"]
    top = [s.get("CONTENT") for s in p1.find(f"{A}TopMargin").iter(f"{A}String")]
    bottom = [s.get("CONTENT") for s in p1.find(f"{A}BottomMargin").iter(f"{A}String")]
    assert top == ["Toán", "10"] and bottom == ["1"]
    strings = list(root.iter(f"{A}String"))
    assert len(strings) == sum(len(p.words) for p in book.pages) == 7
    assert sorted(s.get("CONTENT") for s in strings) == sorted(
        word_text(w) for p in book.pages for w in p.words
    )
    tieng = next(s for s in strings if s.get("CONTENT") == "Tiếng")
    assert [tieng.get(k) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT", "WC")] == [
        "30", "100", "40", "14", "0.87"
    ]  # fmt: skip
    for s in strings:
        assert 0 <= float(s.get("WC", "-1")) <= 1
    # SP between the strings of a line, never at either end.
    for tl in root.iter(f"{A}TextLine"):
        tags = [c.tag for c in tl]
        assert tags[0] == tags[-1] == f"{A}String"
        assert all(a != b for a, b in itertools.pairwise(tags))
    assert "<script" not in text and 'CONTENT="&lt;script&gt;&amp;]]&gt;x"' in text
    assert "\x00" not in text and "\u202e" not in text


def test_no_margins_option(tmp_path: Path) -> None:
    from digitize.stages.export.alto import AltoOptions

    book = sample_book(tmp_path)
    path, *_ = AltoExporter(AltoOptions(margins=False)).export(book, tmp_path / "o", Context())
    p1 = ET.parse(path).getroot().find(f"{A}Layout/{A}Page")
    assert p1 is not None and [c.tag for c in p1] == [f"{A}PrintSpace"]
    assert len(list(p1.iter(f"{A}String"))) == 6
