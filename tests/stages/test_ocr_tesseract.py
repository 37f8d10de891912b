"""ocr.tesseract: real Tesseract on a rendered Vietnamese + English page, both engines."""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from helpers.tess import ENGINES, has_vie_eng
from PIL import Image, ImageDraw, ImageFont

from digitize.errors import MissingDependency, PageError
from digitize.lab.evaluation.metrics import cer
from digitize.model import Page, Step
from digitize.stage import Context
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr.tesseract import TesseractOcr, build_blocks, tesseract_status
from digitize.testing import run_page_stage

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "Bài 1. Tiếng Việt có dấu: những điều cần biết.",
    "Học sinh đọc kỹ đoạn văn sau và trả lời câu hỏi.",
    "The quick brown fox jumps over the lazy dog.",
    "Người ta thường nói rằng: học, học nữa, học mãi.",
    "Quyển sách này giúp em luyện đọc và viết đúng chính tả.",
]
CAPTION = "Hình 1. Một bức ảnh minh họa."
PHOTO = (150, 560, 950, 1060)  # x0, y0, x1, y1 of the picture


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Context, Page]:
    """A 300-dpi page strip: five lines of text, a photo-like picture, its caption."""
    wd = tmp_path_factory.mktemp("ocr")
    im = Image.new("L", (2480, 1250), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 42)  # ≈ 10 pt at 300 dpi
    for i, line in enumerate(LINES):
        draw.text((150, 100 + 80 * i), line, font=font, fill=0)
    rng = np.random.default_rng(0)
    w, h = PHOTO[2] - PHOTO[0], PHOTO[3] - PHOTO[1]
    yy, xx = np.mgrid[0:h, 0:w]
    photo = 100 + 60 * np.sin(xx / 40.0) * np.cos(yy / 55.0) + rng.normal(0, 12, (h, w))
    im.paste(Image.fromarray(photo.clip(0, 255).astype(np.uint8)), PHOTO[:2])
    draw.text((150, 1110), CAPTION, font=font, fill=0)
    (wd / "pages").mkdir()
    im.save(wd / "pages" / "p0001.png", dpi=(300, 300))
    page = Page(index=0, size=im.size, dpi=300, image="pages/p0001.png")
    return Context(work_dir=str(wd), lang="vie+eng"), page


_results: dict[str, Page] = {}


def _ocr(engine: str, scan: tuple[Context, Page]) -> Page:
    if engine not in _results:
        ctx, page = scan
        stage = TesseractOcr(TesseractOcr.Options(engine=engine))
        (_results[engine],) = run_page_stage(stage, page, ctx)  # as the engine runs it
    return _results[engine]


@has_vie_eng
@pytest.mark.tesseract
@pytest.mark.parametrize("engine", ENGINES)
def test_reads_vietnamese_and_english(engine: str, scan: tuple[Context, Page]) -> None:
    page = _ocr(engine, scan)
    text_blocks = [b for b in page.blocks if b.kind == "paragraph"]
    got = " ".join(w.text for b in text_blocks for w in b.words)
    ref = " ".join(" ".join([*LINES, CAPTION]).split())
    assert cer(ref, got) < 0.03, got
    for letters in ("ệ", "ữ", "ọ", "ả", "đ", "ấ", "ư"):
        assert letters in got
    assert unicodedata.is_normalized("NFC", got)
    assert all(0.0 < w.conf <= 1.0 and w.text.strip() == w.text != "" for w in page.words)
    assert page.mean_conf is not None and page.mean_conf > 0.8
    # Tesseract's grouping is kept: the caption is its own paragraph, lines inside blocks
    assert text_blocks[-1].text == CAPTION
    assert sum(len(b.lines) for b in text_blocks) == len(LINES) + 1
    for b in text_blocks:
        for line in b.lines:
            assert b.bbox.x0 <= line.bbox.x0 and line.bbox.x1 <= b.bbox.x1
    # the picture is reported as a text-less figure block where we drew it
    (fig,) = [b for b in page.blocks if b.kind == "figure"]
    assert fig.lines == ()
    assert abs(fig.bbox.x0 - PHOTO[0]) < 15 and abs(fig.bbox.y1 - PHOTO[3]) < 15
    assert page.steps == (Step("ocr.tesseract", TesseractOcr.version, _digest(engine)),)
    assert page.size == scan[1].size and page.image == scan[1].image


def _digest(engine: str) -> str:
    return TesseractOcr(TesseractOcr.Options(engine=engine)).options_digest()


@has_vie_eng
@pytest.mark.tesseract
def test_engines_agree(scan: tuple[Context, Page]) -> None:
    if eng.tesserocr_version() is None or eng.cli_path() is None:
        pytest.skip("needs both engines")
    a = [w.text for w in _ocr("tesserocr", scan).words]
    b = [w.text for w in _ocr("cli", scan).words]
    same = difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio()
    assert same >= 0.95, (a, b)
    kinds_a = [blk.kind for blk in _ocr("tesserocr", scan).blocks]
    assert kinds_a == [blk.kind for blk in _ocr("cli", scan).blocks]


@pytest.fixture
def model_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The language sets Tesseract loads models for from now on (each costs ~0.3 s)."""
    tesserocr = pytest.importorskip("tesserocr")
    real, loads = tesserocr.PyTessBaseAPI, []

    def counting(*args: object, **kwargs: object) -> object:
        loads.append(str(kwargs.get("lang")))
        return real(*args, **kwargs)

    monkeypatch.setattr(tesserocr, "PyTessBaseAPI", counting)
    return loads


@has_vie_eng
@pytest.mark.tesseract
def test_one_engine_per_language_set_is_reused(
    scan: tuple[Context, Page], model_loads: list[str]
) -> None:
    ctx, page = scan
    # a variable no other test uses: this configuration's engine is not loaded yet
    options = TesseractOcr.Options(engine="tesserocr", variables=("tessedit_do_invert=0",))
    TesseractOcr(options).process_page(page, ctx)
    assert model_loads == [ctx.lang, "vie"]  # vie alone: the marks of Vietnamese words
    again = TesseractOcr(dataclasses.replace(options, psm=6)).process_page(page, ctx)
    assert model_loads == [ctx.lang, "vie"]  # another page mode, same models
    assert again.words


@has_vie_eng
@pytest.mark.tesseract
def test_warm_up_loads_the_engine_a_page_then_uses(
    scan: tuple[Context, Page], model_loads: list[str]
) -> None:
    ctx, page = scan
    options = TesseractOcr.Options(engine="tesserocr", variables=("tessedit_write_images=0",))
    stage = TesseractOcr(options)
    stage.warm_up(ctx)
    assert model_loads == [ctx.lang, "vie"]
    assert stage.process_page(page, ctx).words
    assert model_loads == [ctx.lang, "vie"]  # the page found its engines ready


def test_pages_without_a_scan_are_returned_as_is(tmp_path: Path) -> None:
    ctx = Context(work_dir=str(tmp_path))
    stage = TesseractOcr()
    pages = [
        Page(index=0, size=(10, 10), dpi=300, source="textlayer"),
        Page(index=1, size=(10, 10), dpi=300, image=None),
        Page(index=2, size=(10, 10), dpi=300, image="x.png", failed="broken"),
    ]
    for p in pages:
        assert stage.process_page(p, ctx) is p


@has_vie_eng
def test_missing_language_and_image(tmp_path: Path) -> None:
    page = Page(index=4, size=(10, 10), dpi=300, image="nope.png")
    with pytest.raises(PageError, match=r"page 5.*nope\.png"):
        TesseractOcr().process_page(page, Context(work_dir=str(tmp_path)))
    Image.new("L", (200, 100), 255).save(tmp_path / "blank.png")
    page = dataclasses.replace(page, image="blank.png")
    with pytest.raises(MissingDependency) as e:  # options.lang unset → the run's lang is used
        TesseractOcr().process_page(page, Context(work_dir=str(tmp_path), lang="vie+xyz_abc"))
    assert "not installed: xyz_abc (" in str(e.value)  # only the missing one is named
    assert "tesseract-ocr-xyz-abc" in (e.value.hint or "")


def test_bad_variable_is_a_page_error(tmp_path: Path) -> None:
    Image.new("L", (200, 100), 255).save(tmp_path / "blank.png")
    page = Page(index=0, size=(200, 100), dpi=300, image="blank.png")
    stage = TesseractOcr(TesseractOcr.Options(variables=("no_equals_sign",)))
    with pytest.raises(PageError, match="name=value"):
        stage.process_page(page, Context(work_dir=str(tmp_path)))


def test_status_reports_tools() -> None:
    s = tesseract_status()
    assert set(s) == {"cli", "cli_version", "tesserocr", "tesserocr_used", "tessdata", "languages"}
    assert s["tesserocr_used"] is (s["tesserocr"] is not None and eng.tesserocr_matches_cli())
    if s["tessdata"]:
        assert Path(s["tessdata"]).is_dir() and "eng" in s["languages"]


# A recorded `tesseract ... tsv` output: a text block with a blank and a decomposed word, a
# picture block (one blank word, as Tesseract reports it) and a thin rule.
TSV_HEADER = ["level", "page_num", "block_num", "par_num", "line_num", "word_num"]
TSV_HEADER += ["left", "top", "width", "height", "conf", "text"]
TSV = "\n".join(
    "\t".join(str(c) for c in row)
    for row in [
        TSV_HEADER,
        [1, 1, 0, 0, 0, 0, 0, 0, 2480, 3508, -1, ""],
        [2, 1, 1, 0, 0, 0, 100, 100, 500, 50, -1, ""],
        [3, 1, 1, 1, 0, 0, 100, 100, 500, 50, -1, ""],
        [4, 1, 1, 1, 1, 0, 100, 100, 500, 50, -1, ""],
        [5, 1, 1, 1, 1, 1, 100, 100, 100, 40, 96.5, unicodedata.normalize("NFD", "Việt")],
        [5, 1, 1, 1, 1, 2, 220, 100, 10, 40, 95.0, " "],
        [5, 1, 1, 1, 1, 3, 250, 102, 120, 38, 91.0, "Nam"],
        [2, 1, 2, 0, 0, 0, 100, 300, 800, 500, -1, ""],
        [3, 1, 2, 1, 0, 0, 100, 300, 800, 500, -1, ""],
        [4, 1, 2, 1, 1, 0, 100, 300, 800, 500, -1, ""],
        [5, 1, 2, 1, 1, 1, 100, 300, 800, 500, 95.0, " "],
        [2, 1, 3, 0, 0, 0, 100, 900, 2000, 8, -1, ""],
        [3, 1, 3, 1, 0, 0, 100, 900, 2000, 8, -1, ""],
        [4, 1, 3, 1, 1, 0, 100, 900, 2000, 8, -1, ""],
        [5, 1, 3, 1, 1, 1, 100, 900, 2000, 8, 95.0, " "],
    ]
)


def test_tsv_to_blocks() -> None:
    blocks = build_blocks(eng.parse_tsv(TSV), min_figure_px=75)
    assert [b.kind for b in blocks] == ["paragraph", "figure"]
    para, fig = blocks
    assert [w.text for w in para.words] == ["Việt", "Nam"]  # blank dropped, NFC
    assert para.words[0].text == unicodedata.normalize("NFC", "Việt")
    assert para.words[0].conf == pytest.approx(0.965)
    assert (para.bbox.x0, para.bbox.y0, para.bbox.x1, para.bbox.y1) == (100, 100, 370, 140)
    assert fig.lines == () and (fig.bbox.x0, fig.bbox.y1) == (100, 800)


@has_vie_eng
@pytest.mark.tesseract
@pytest.mark.parametrize("engine", ENGINES)
def test_variables_reach_the_engine(engine: str, tmp_path: Path) -> None:
    im = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(im).text((40, 50), "Mã số 2024 là ABC", font=ImageFont.truetype(FONT, 42))
    im.save(tmp_path / "v.png", dpi=(300, 300))
    page = Page(index=0, size=im.size, dpi=300, image="v.png")
    ctx = Context(work_dir=str(tmp_path))
    opts = TesseractOcr.Options(
        engine=engine, psm=7, variables=("tessedit_char_whitelist=0123456789",)
    )
    out = TesseractOcr(opts).process_page(page, ctx)
    text = "".join(w.text for w in out.words)
    assert "2024" in text and not any(ch.isalpha() for ch in text)


@has_vie_eng
@pytest.mark.tesseract
def test_scanned_pdf_through_ingest_and_ocr(tmp_path: Path) -> None:
    """ingest.pdf's relative image path and dpi are what ocr.tesseract reads."""
    import io

    import pymupdf

    from digitize.stages.ingest.pdf import PdfIngester

    im = Image.new("L", (1240, 400), 255)  # 150 dpi strip across an A4 width
    ImageDraw.Draw(im).text((60, 150), LINES[0], font=ImageFont.truetype(FONT, 40), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=192)
    page.insert_image(page.rect, stream=buf.getvalue())
    doc.save(tmp_path / "scan.pdf")
    ctx = Context(work_dir=str(tmp_path / "w"), lang="vie+eng")
    (p,) = PdfIngester().ingest(tmp_path / "scan.pdf", ctx).pages
    out = TesseractOcr().process_page(p, ctx)
    assert out.dpi == 300 and out.size == (2480, 800)
    assert cer(LINES[0], " ".join(w.text for w in out.words)) < 0.05


@has_vie_eng
@pytest.mark.tesseract
def test_pixels_held_in_memory_read_like_the_file(scan: tuple[Context, Page]) -> None:
    """The worker's last image (preprocessing's output) goes to tesserocr as pixels, without
    Tesseract decoding the PNG again; grey or colour, the words are those read from the file."""
    if eng.tesserocr_version() is None:
        pytest.skip("no tesserocr")
    import dataclasses

    from digitize.images import PageImages

    ctx, page = scan
    assert page.image is not None
    path = Path(ctx.work_dir) / page.image
    from_file = _ocr("tesserocr", scan)
    grey = np.asarray(Image.open(path).convert("L"))
    ocr = TesseractOcr(TesseractOcr.Options(engine="tesserocr"))

    def holding(pixels: np.ndarray) -> Context:
        """A chain's context whose images hold `pixels` as the page's content."""
        images = PageImages(defer=True)
        images._hold(path, pixels, "test")
        return dataclasses.replace(ctx, images=images)

    # What is held is what is read (here deliberately not the file's content: a blank page).
    assert ocr.process_page(page, holding(np.full_like(grey, 255))).words == ()
    for pixels in (grey, np.dstack([grey, grey, grey])):
        held = ocr.process_page(page, holding(pixels))
        assert [w.text for w in held.words] == [w.text for w in from_file.words]
