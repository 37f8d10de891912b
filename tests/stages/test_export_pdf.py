"""export.pdf: page scans at physical size with an invisible, searchable, box-aligned text layer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageDraw

from digitize.model import BBox, Block, Book, BookMeta, Line, Page, Word, nfc
from digitize.stage import Context
from digitize.stages.export.pdf import PdfExporter, PdfOptions
from digitize.testing import check_exporter

WORDS = [  # (text, x0, y0, x1, y1) in 300 dpi pixels
    (nfc("Chương"), 300, 300, 700, 380),
    ("1.", 740, 300, 820, 380),
    (nfc("Phép"), 300, 500, 560, 570),
    (nfc("cộng"), 600, 500, 880, 590),
    (nfc("Đường"), 300, 700, 700, 780),
]


def _book(tmp_path: Path, mode: str = "L") -> Book:
    work = tmp_path / "work"
    work.mkdir(parents=True)
    im = Image.new(mode, (1275, 1650), "white")  # 4.25 x 5.5 in at 300 dpi
    d = ImageDraw.Draw(im)
    for _, *box in WORDS:
        d.rectangle(box, outline="black")
    im.save(work / "p1.png")
    words = tuple(Word(t, BBox(*b), 0.9) for t, *b in WORDS)
    lines = tuple(Line((w,), w.bbox) for w in words)
    block = Block("paragraph", lines, BBox.enclosing([w.bbox for w in words]))
    pages = (
        Page(0, (1275, 1650), 300, image="p1.png", blocks=(block,), label="i"),
        Page(1, (600, 800), 100, source="textlayer", blocks=(block,)),
    )
    meta = BookMeta(title=nfc("Toán học"), authors=(nfc("Lê Văn Tám"),), source="toan.pdf")
    return Book(meta, pages, work_dir=str(work))


def _export(tmp_path: Path, **kw: object) -> pymupdf.Document:
    book = _book(tmp_path)
    (path,) = PdfExporter(PdfOptions(**kw)).export(book, tmp_path / "out", Context())  # type: ignore[arg-type]
    assert path.name == "toan.ocr.pdf"
    return pymupdf.open(path)


def test_contract(tmp_path: Path) -> None:
    (path,) = check_exporter(PdfExporter, tmp_path)
    assert path.name == "sach-mau.ocr.pdf"  # never the input's own name
    doc = pymupdf.open(path)
    assert doc.page_count == 4
    assert doc[0].search_for(nfc("Việt")), "Vietnamese word not found"


def test_words_at_their_boxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = _export(tmp_path)
    page = doc[0]
    assert abs(page.rect.width - 306) < 0.5 and abs(page.rect.height - 396) < 0.5
    found = {w[4]: w[:4] for w in page.get_text("words")}
    assert set(found) == {t for t, *_ in WORDS}
    for text, *box in WORDS:
        want = [v * 72 / 300 for v in box]
        got = found[text]
        # Across: on the box. Up and down: one size a block (Poppler needs it to find
        # columns), the glyph box (1.16 em in DejaVu) overhangs a shorter line: the word's
        # middle is on the line's, its glyphs cover the printed ones.
        assert abs(got[0] - want[0]) < 3 and abs(got[2] - want[2]) < 3, (text, got, want)
        h = want[3] - want[1]
        assert abs((got[1] + got[3]) / 2 - (want[1] + want[3]) / 2) < 0.35 * h, (text, got)
        assert got[1] <= want[1] + 0.1 * h and got[3] >= want[3] - 0.1 * h, (text, got, want)
    assert page.search_for(nfc("Đường")), "text search must find Vietnamese words"
    assert doc.metadata["title"] == nfc("Toán học") and doc.metadata["author"] == nfc("Lê Văn Tám")
    assert doc.metadata["creationDate"] == ""  # no clock in the output


def test_layer_invisible_on_scans_visible_on_born_digital(tmp_path: Path) -> None:
    doc = _export(tmp_path)
    assert {span["type"] for span in doc[0].get_texttrace()} == {3}
    assert {span["type"] for span in doc[1].get_texttrace()} == {0}
    assert doc[1].rect.width == 600 * 72 / 100
    assert not doc[1].get_images()
    # Only the image is visible on the scan page: the text layer adds no ink.
    pix = doc[0].get_pixmap(dpi=30, colorspace=pymupdf.csGRAY)
    with_layer = pix.samples
    bare = _export(tmp_path / "bare", text_layer=False)[0]
    assert bare.get_pixmap(dpi=30, colorspace=pymupdf.csGRAY).samples == with_layer


def test_grey_scan_stays_grey_jpeg(tmp_path: Path) -> None:
    doc = _export(tmp_path, jpeg_quality=40)
    (img,) = doc[0].get_images(full=True)
    info = doc.extract_image(img[0])
    assert info["ext"] == "jpeg" and info["colorspace"] == 1


def test_build_time_sets_dates(tmp_path: Path) -> None:
    book = _book(tmp_path)
    ctx = Context(build_time=1_700_000_000)
    (path,) = PdfExporter().export(book, tmp_path / "o", ctx)
    assert pymupdf.open(path).metadata["creationDate"].startswith("D:20231114")


def test_prefers_the_unbinarized_scan(tmp_path: Path) -> None:
    book = _book(tmp_path)
    Image.new("RGB", (1275, 1650), (200, 30, 30)).save(Path(book.work_dir) / "colour.png")
    page = replace(book.pages[0], unbinarized="colour.png")
    book = replace(book, pages=(page,))
    (path,) = PdfExporter().export(book, tmp_path / "a", Context())
    doc = pymupdf.open(path)
    assert doc.extract_image(doc[0].get_images()[0][0])["colorspace"] == 3
    (path,) = PdfExporter(PdfOptions(unbinarized=False)).export(book, tmp_path / "b", Context())
    doc = pymupdf.open(path)
    assert doc.extract_image(doc[0].get_images()[0][0])["colorspace"] == 1


def test_bogus_dpi_keeps_page_within_pdf_limits(tmp_path: Path) -> None:
    book = _book(tmp_path)
    book = replace(book, pages=(replace(book.pages[0], dpi=1),))
    (path,) = PdfExporter().export(book, tmp_path / "o", Context())
    page = pymupdf.open(path)[0]
    assert max(page.rect.width, page.rect.height) <= 14400
    assert page.search_for(nfc("Đường"))


def test_two_columns_read_column_by_column_in_poppler(tmp_path: Path) -> None:
    """Lines of two columns share baselines with a gutter of 1.5 line heights: Poppler must
    still read the left column through, then the right (it read them line by line across)."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    work = tmp_path / "work"
    work.mkdir()
    Image.new("L", (1700, 2200), "white").save(work / "p.png")
    h, pitch, gutter = 47, 67, 71

    def column(x0: int, tag: str) -> Block:
        lines = []
        for i in range(12):
            y = 300 + i * pitch
            words = tuple(
                Word(f"{tag}{i}w{j}", BBox(x0 + j * 150, y, x0 + j * 150 + 130, y + h), 0.9)
                for j in range(4)
            )
            lines.append(Line(words, BBox.enclosing([w.bbox for w in words])))
        return Block("paragraph", tuple(lines), BBox.enclosing([ln.bbox for ln in lines]))

    left = column(185, "L")
    right = column(int(left.bbox.x1) + gutter, "R")
    page = Page(0, (1700, 2200), 300, image="p.png", blocks=(left, right), print_size=(408, 528))
    book = Book(BookMeta(title="cols"), (page,), work_dir=str(work))
    (path,) = PdfExporter().export(book, tmp_path / "out", Context())
    assert pymupdf.open(path)[0].rect == pymupdf.Rect(0, 0, 408, 528)  # the source's size
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = text.split()
    want = [w.text for b in (left, right) for w in b.words]
    assert words == want, words[:12]
