"""ingest.pdf on small PDFs made on the fly: born-digital, scanned, mixed, damaged, encrypted."""

from __future__ import annotations

import io
import shutil
import time
import unicodedata
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from helpers import bad_files as bf
from PIL import Image

from digitize.errors import BadInput, MissingDependency, OutputNotWritable
from digitize.model import Book, nfc
from digitize.stage import Context
from digitize.stages.ingest.pdf import PdfIngester

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
PARA = (
    "Học sinh đọc kỹ đoạn văn sau và trả lời câu hỏi. The quick brown fox jumps over "
    "the lazy dog while the teacher explains the lesson."
)


def _text_page(doc: pymupdf.Document, text: str = PARA, **kw: object) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="dv", fontfile=DEJAVU)
    page.insert_textbox(pymupdf.Rect(72, 72, 523, 400), text, fontname="dv", fontsize=12, **kw)
    return page


def _scan_png(w: int = 1240, h: int = 1754) -> bytes:
    """A grey 'scan': dark bars standing in for text lines."""
    a = np.full((h, w), 235, np.uint8)
    for y in range(200, h - 200, 60):
        a[y : y + 25, 150 : w - 150] = 30
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def _image_page(doc: pymupdf.Document, png: bytes | None = None) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=png or _scan_png())
    return page


def _save(doc: pymupdf.Document, path: Path, **kw: object) -> Path:
    doc.save(path, **kw)
    return path


def _ingest(src: Path, tmp: Path, **opts: object) -> Book:
    return PdfIngester(PdfIngester.Options(**opts)).ingest(src, Context(work_dir=str(tmp / "w")))


@pytest.fixture
def mixed_pdf(tmp_path: Path) -> Path:
    doc = pymupdf.open()
    _text_page(doc)
    _image_page(doc)
    _text_page(doc)
    return _save(doc, tmp_path / "mixed.pdf")


def test_born_digital_page_comes_from_the_text_layer(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc)
    book = _ingest(_save(doc, tmp_path / "b.pdf"), tmp_path)
    (page,) = book.pages
    assert page.source == "textlayer" and page.image is None
    assert page.dpi == 300 and page.size == (2480, 3509)
    words = [w.text for w in page.words]
    assert " ".join(words) == " ".join(PARA.split())
    assert all(w.conf == 1.0 for w in page.words)
    assert all(unicodedata.is_normalized("NFC", w) for w in words)
    first = page.words[0].bbox  # inserted at x=72pt → 300 px at 300 dpi
    assert abs(first.x0 - 300) < 15 and 300 < first.y0 < 420
    assert all(b.kind == "paragraph" and b.lines for b in page.blocks)
    assert not (tmp_path / "w" / "pages").exists()  # nothing rasterised


def test_decomposed_text_comes_out_nfc(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc, unicodedata.normalize("NFD", PARA))
    (page,) = _ingest(_save(doc, tmp_path / "nfd.pdf"), tmp_path).pages
    text = " ".join(w.text for w in page.words)
    assert text == nfc(" ".join(PARA.split()))


def test_mixed_pdf_works_per_page(mixed_pdf: Path, tmp_path: Path) -> None:
    book = _ingest(mixed_pdf, tmp_path)
    assert [p.source for p in book.pages] == ["textlayer", "scan", "textlayer"]
    scan = book.pages[1]
    assert scan.image is not None and not Path(scan.image).is_absolute()
    assert scan.image.startswith("pages/p0002-") and scan.image.endswith(".png")
    with Image.open(Path(book.work_dir) / scan.image) as im:
        assert im.mode == "L" and im.size == scan.size == (2480, 3509)
    assert scan.blocks == ()
    assert book.meta.source == "mixed.pdf" and book.meta.title == "mixed"


def test_rgb_and_cached_render(mixed_pdf: Path, tmp_path: Path) -> None:
    book = _ingest(mixed_pdf, tmp_path, colorspace="rgb")
    img = Path(book.work_dir) / book.pages[1].image
    with Image.open(img) as im:
        assert im.mode == "RGB"
    before = img.stat().st_mtime_ns
    again = _ingest(mixed_pdf, tmp_path, colorspace="rgb")
    assert again.pages[1].image == book.pages[1].image and img.stat().st_mtime_ns == before
    gray = _ingest(mixed_pdf, tmp_path)  # other options → other content-derived name
    assert gray.pages[1].image != book.pages[1].image


def test_rotated_page_words_land_on_the_rendered_ink(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc).set_rotation(90)
    src = _save(doc, tmp_path / "rot.pdf")
    text_page = _ingest(src, tmp_path).pages[0]
    scan_page = _ingest(src, tmp_path, text_layer=False).pages[0]
    assert text_page.size == scan_page.size == (3509, 2480)
    a = np.asarray(Image.open(Path(tmp_path / "w") / scan_page.image))
    ys, xs = np.nonzero(a < 128)
    words = [w.bbox for w in text_page.words]
    got = (min(b.x0 for b in words), min(b.y0 for b in words))
    got1 = (max(b.x1 for b in words), max(b.y1 for b in words))
    assert abs(got[0] - xs.min()) < 30 and abs(got[1] - ys.min()) < 30
    assert abs(got1[0] - xs.max()) < 30 and abs(got1[1] - ys.max()) < 30


def test_invisible_ocr_layer_is_redone_unless_asked(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = _image_page(doc)
    page.insert_font(fontname="dv", fontfile=DEJAVU)
    page.insert_textbox(pymupdf.Rect(72, 72, 523, 400), PARA, fontname="dv", render_mode=3)
    src = _save(doc, tmp_path / "ocred.pdf")
    assert _ingest(src, tmp_path).pages[0].source == "scan"
    used = _ingest(src, tmp_path, existing_ocr="use").pages[0]
    assert used.source == "textlayer" and used.words[0].text == "Học"


def test_likely_needs_ocr_guesses_from_a_few_pages_like_ingest_decides(tmp_path: Path) -> None:
    """What the runner asks before ingest (to start its workers early): the same per-page rule
    as ingest, on the first, middle and last pages."""
    born = pymupdf.open()
    for _ in range(5):
        _text_page(born)
    born_src = _save(born, tmp_path / "born.pdf")
    assert not PdfIngester().likely_needs_ocr(born_src)
    assert PdfIngester(PdfIngester.Options(text_layer=False)).likely_needs_ocr(born_src)
    scan = pymupdf.open()
    for i in range(5):
        _image_page(scan) if i == 2 else _text_page(scan)  # one scanned page, in the middle
    assert PdfIngester().likely_needs_ocr(_save(scan, tmp_path / "scan.pdf"))
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7 not really")
    assert not PdfIngester().likely_needs_ocr(junk)  # ingest is about to refuse it


def test_a_short_accurate_text_layer_is_used_however_short(tmp_path: Path) -> None:
    """Two words that are all the page holds: no OCR (which turned "2017" into "201 7")."""
    doc = pymupdf.open()
    _text_page(doc, "2017-Jan-22 DocumentInfo")
    (page,) = _ingest(_save(doc, tmp_path / "short.pdf"), tmp_path).pages
    assert page.source == "textlayer"
    assert [w.text for w in page.words] == ["2017-Jan-22", "DocumentInfo"]


def test_a_scan_with_a_few_typed_words_or_a_broken_encoding_is_rasterised(tmp_path: Path) -> None:
    doc = pymupdf.open()
    scan = _image_page(doc, _text_scan_png())
    scan.insert_text((72, 60), "Chapter 1", fontsize=12)  # a stray label typed on a scan
    _text_page(doc, "\ue000\ue001\ue002 \ue003\ue004 \ufffd\ufffd")  # private use: junk
    book = _ingest(_save(doc, tmp_path / "few.pdf"), tmp_path)
    assert [p.source for p in book.pages] == ["scan", "scan"]


def _text_scan_png() -> bytes:
    """A 150 dpi scan of a page of real text (glyphs, not bars): what OCR must read."""
    from PIL import ImageDraw, ImageFont

    im = Image.new("L", (1240, 1754), 240)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(DEJAVU, 24)
    for i in range(30):
        draw.text((150, 200 + 42 * i), PARA[: 60 + i % 7], font=font, fill=20)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_born_digital_pictures_become_cropped_figure_blocks(tmp_path: Path) -> None:
    book = _ingest(bf.pictures_pdf(tmp_path / "pics.pdf"), tmp_path)
    crops = []
    for page in book.pages:
        assert page.source == "textlayer" and page.image is None
        (fig,) = [b for b in page.blocks if b.kind == "figure"]
        assert not fig.lines and fig.image and fig.image.startswith("figures/")
        # 300 x 225 pt at (100, 200) → pixels at 300 dpi
        assert abs(fig.bbox.x0 - 417) < 3 and abs(fig.bbox.y0 - 833) < 3
        assert abs(fig.bbox.width - 1250) < 4 and abs(fig.bbox.height - 938) < 4
        with Image.open(tmp_path / "w" / fig.image) as im:
            assert im.mode == "RGB" and abs(im.width - 1250) < 4
            crops.append(np.asarray(im).std())
        assert any(b.kind == "paragraph" and "Picture" in b.text for b in page.blocks)
    assert all(sd > 20 for sd in crops)  # pictures, not blank boxes
    assert len({b.image for p in book.pages for b in p.blocks if b.image}) == 3


def test_figure_crop_names_come_from_their_pixels(tmp_path: Path) -> None:
    src = bf.pictures_pdf(tmp_path / "pics.pdf")
    first = _ingest(src, tmp_path)
    again = _ingest(src, tmp_path / "again")
    names = [[b.image for b in p.blocks if b.image] for p in first.pages]
    assert names == [[b.image for b in p.blocks if b.image] for p in again.pages]


def test_dpi_from_image_renders_at_native_resolution(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _image_page(doc)  # 1240 px across 595 pt = 150 dpi
    (page,) = _ingest(_save(doc, tmp_path / "s.pdf"), tmp_path, dpi_from_image=True).pages
    assert page.dpi == 150 and abs(page.size[0] - 1240) <= 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf2image_renderer_agrees_with_pymupdf(mixed_pdf: Path, tmp_path: Path) -> None:
    a = _ingest(mixed_pdf, tmp_path).pages[1]
    b = _ingest(mixed_pdf, tmp_path, renderer="pdf2image").pages[1]
    assert a.image != b.image
    assert abs(a.size[0] - b.size[0]) <= 2 and abs(a.size[1] - b.size[1]) <= 2
    with Image.open(tmp_path / "w" / b.image) as im:
        assert im.mode == "L"


def test_pdf2image_missing_poppler_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MissingDependency) as e:
        PdfIngester(PdfIngester.Options(renderer="pdf2image")).check(Context())
    assert "poppler-utils" in (e.value.hint or "")


def test_metadata_and_page_labels(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc)
    _text_page(doc)
    doc.set_metadata(
        {"title": "Tiếng Việt 5", "author": "Nguyễn Văn A; Trần Thị B", "subject": "SGK"}
    )
    doc.set_page_labels([{"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1}])
    doc.xref_set_key(doc.pdf_catalog(), "Lang", "(vi-VN)")
    book = _ingest(_save(doc, tmp_path / "meta.pdf"), tmp_path)
    m = book.meta
    assert m.title == "Tiếng Việt 5" and m.authors == ("Nguyễn Văn A", "Trần Thị B")
    assert m.description == "SGK" and m.lang == "vi-VN" and m.identifier.startswith("urn:sha256:")
    assert [p.label for p in book.pages] == ["i", "ii"]


def test_born_digital_is_fast(tmp_path: Path) -> None:
    """Born-digital pages must cost far less than OCR (~1-3 s/page): no rasterising."""
    doc = pymupdf.open()
    for _ in range(30):
        _text_page(doc)
    src = _save(doc, tmp_path / "long.pdf")
    t = time.perf_counter()
    book = _ingest(src, tmp_path)
    per_page = (time.perf_counter() - t) / 30
    assert all(p.source == "textlayer" for p in book.pages)
    assert per_page < 0.03, f"{per_page * 1000:.1f} ms per page"


# ---------------------------------------------------------------- bad input


def test_empty_and_non_pdf_and_missing_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "fake.pdf").write_bytes(_scan_png(100, 100))
    for name, words in [("empty.pdf", "empty"), ("fake.pdf", "not a PDF"), ("nope.pdf", "no such")]:
        with pytest.raises(BadInput) as e:
            _ingest(tmp_path / name, tmp_path)
        assert name in str(e.value) and words in str(e.value)


def test_truncated_pdf_is_repaired_with_warnings_or_refused(
    mixed_pdf: Path, tmp_path: Path
) -> None:
    data = mixed_pdf.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) - 400])  # xref and trailer gone
    book = _ingest(cut, tmp_path)
    assert len(book.pages) == 3
    assert all(any("repaired" in w for w in p.warnings) for p in book.pages)
    stub = tmp_path / "stub.pdf"
    stub.write_bytes(data[:40])
    with pytest.raises(BadInput, match=r"stub\.pdf"):
        _ingest(stub, tmp_path)


def test_zero_pages_refused(tmp_path: Path) -> None:
    src = tmp_path / "zero.pdf"
    src.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises(BadInput, match=r"zero\.pdf: the PDF has no pages"):
        _ingest(src, tmp_path)


def test_user_password_refused_owner_password_read(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc)
    enc = pymupdf.PDF_ENCRYPT_AES_256
    user = _save(doc, tmp_path / "user.pdf", encryption=enc, user_pw="u", owner_pw="o")
    owner = _save(doc, tmp_path / "owner.pdf", encryption=enc, owner_pw="o", permissions=0)
    with pytest.raises(BadInput, match=r"user\.pdf.*user password"):
        _ingest(user, tmp_path)
    (page,) = _ingest(owner, tmp_path).pages
    assert page.source == "textlayer" and page.words[0].text == "Học"


def test_page_that_fails_to_render_is_marked_failed(
    mixed_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: pymupdf.Page, *a: object, **k: object) -> None:
        raise RuntimeError("cannot render: broken content stream")

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", boom)
    book = _ingest(mixed_pdf, tmp_path)
    assert [p.failed is None for p in book.pages] == [True, False, True]
    assert "mixed.pdf page 2" in (book.pages[1].failed or "")
    assert book.pages[1].size == (2480, 3509)


def test_damaged_page_content_is_warned_about(tmp_path: Path) -> None:
    doc = pymupdf.open()
    _text_page(doc)
    page = doc.new_page()
    xref = doc.get_new_xref()
    doc.update_object(xref, "<< /Length 20 /Filter /FlateDecode >>")
    doc.update_stream(xref, b"this is not zlib data", compress=False)
    doc.xref_set_key(page.xref, "Contents", f"{xref} 0 R")
    book = _ingest(_save(doc, tmp_path / "bad.pdf"), tmp_path)
    assert book.pages[0].warnings == ()
    bad = book.pages[1]
    assert bad.failed is None and any(w.startswith("MuPDF: ") for w in bad.warnings)


def test_unwritable_work_dir_is_not_a_page_failure(mixed_pdf: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    ctx = Context(work_dir=str(tmp_path / "file" / "w"))  # a path under a file: cannot exist
    with pytest.raises(OutputNotWritable):
        PdfIngester().ingest(mixed_pdf, ctx)


@pytest.mark.parametrize("hide", ["opacity", "render_mode"])
def test_text_hidden_by_opacity_or_render_mode_alone_is_an_ocr_layer(
    tmp_path: Path, hide: str
) -> None:
    """Text on a white page, invisible only through a graphics state (opacity 0) or render
    mode 3, is still judged an OCR layer: the byte pre-check that skips MuPDF's text trace must
    not miss either way of hiding text."""
    from digitize.stages.ingest._pdftext import _may_hide_text, page_words, text_layer_verdict

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="dv", fontfile=DEJAVU)
    kw = {"fill_opacity": 0.0} if hide == "opacity" else {"render_mode": 3}
    page.insert_textbox(pymupdf.Rect(72, 72, 523, 400), PARA, fontname="dv", **kw)  # type: ignore[arg-type]
    plain = doc.new_page()
    plain.insert_font(fontname="dv", fontfile=DEJAVU)
    plain.insert_textbox(pymupdf.Rect(72, 72, 523, 400), PARA, fontname="dv")
    doc = pymupdf.open("pdf", doc.tobytes())  # as ingest sees it: a PDF read from bytes
    page, plain = doc[0], doc[1]
    assert _may_hide_text(page) and not _may_hide_text(plain)
    assert text_layer_verdict(page, page_words(page), []) == "ocr"
    assert text_layer_verdict(plain, page_words(plain), []) == "text"
