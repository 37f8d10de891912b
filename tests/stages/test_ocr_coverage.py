"""The coverage check of ocr.tesseract: ink no word covers is re-read, or kept as a gap."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import SHARED
from helpers.cli import digitize_cmd
from PIL import Image, ImageDraw, ImageFont

from digitize import bookjson, model
from digitize.model import BBox, Block, Page
from digitize.stages.ocr import _coverage
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr.tesseract import TesseractOcr, build_blocks

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "It was the best of times, it was the worst of times,",
    "it was the age of wisdom, it was the age of foolishness,",
    "it was the epoch of belief, it was the epoch of incredulity,",
    "it was the season of Light, it was the season of Darkness,",
    "it was the spring of hope, it was the winter of despair.",
]

has_tesseract = pytest.mark.skipif(
    eng.cli_path() is None or "eng" not in eng.installed_languages(),
    reason="tesseract with eng data not installed",
)


@pytest.fixture(scope="module")
def page_image() -> np.ndarray:
    """A 300-dpi strip of five lines of body text (grey pixels)."""
    im = Image.new("L", (2000, 900), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 46)
    for i, text in enumerate(LINES):
        d.text((120, 100 + i * 140), text, font=font, fill=0)
    return np.asarray(im)


@pytest.fixture(scope="module")
def read_blocks(page_image: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    path = tmp_path_factory.mktemp("cov") / "page.png"
    Image.fromarray(page_image).save(path, dpi=(300, 300))
    raw = eng.run_cli(
        path,
        tessdata=eng.tessdata_dir(),
        lang="eng",
        psm=3,
        oem=1,
        dpi=300,
        variables={},
        timeout=0,
    )
    lines = tuple(ln for b in build_blocks(raw, min_figure_px=75) for ln in b.lines)
    # one paragraph, however Tesseract grouped the lines
    return (Block("paragraph", lines, BBox.enclosing([ln.bbox for ln in lines])),)


def _reader() -> _coverage.Reader:
    stage = TesseractOcr(TesseractOcr.Options(engine="cli"))
    return lambda strip: stage._reread(strip, "eng", 300)


def _texts(blocks: tuple[Block, ...]) -> list[str]:
    return [" ".join(w.text for w in ln.words) for b in blocks for ln in b.lines]


@has_tesseract
@pytest.mark.tesseract
def test_a_page_read_in_full_has_nothing_uncovered(
    page_image: np.ndarray, read_blocks: tuple
) -> None:
    assert len(_texts(read_blocks)) == 5
    assert _coverage.uncovered_lines(page_image, read_blocks, 300) == []


@has_tesseract
@pytest.mark.tesseract
def test_a_line_ocr_dropped_is_reread_into_its_paragraph(
    page_image: np.ndarray, read_blocks: tuple
) -> None:
    """What libtesseract 5.5.4 did on multipage.pdf: a line of a paragraph left out."""
    (para,) = [b for b in read_blocks if len(b.lines) == 5]
    lost = para.lines[2]
    dropped = dataclasses.replace(para, lines=para.lines[:2] + para.lines[3:])
    cov = _coverage.check(page_image, (dropped,), 300, _reader())
    assert cov.candidates == 1 and cov.gaps == ()
    assert cov.reread == len(lost.words)
    (block,) = cov.blocks
    assert [ln.words[0].text for ln in block.lines] == ["It", "it", "it", "it", "it"]
    assert " ".join(w.text for w in block.lines[2].words) == LINES[2]
    got = block.lines[2].bbox
    assert abs(got.y0 - lost.bbox.y0) < 10 and abs(got.x0 - lost.bbox.x0) < 10


@has_tesseract
@pytest.mark.tesseract
def test_a_lost_word_goes_back_into_its_line(page_image: np.ndarray, read_blocks: tuple) -> None:
    (para,) = [b for b in read_blocks if len(b.lines) == 5]
    line = para.lines[4]
    cut = dataclasses.replace(line, words=line.words[:-1])
    dropped = dataclasses.replace(para, lines=(*para.lines[:4], cut))
    cov = _coverage.check(page_image, (dropped,), 300, _reader())
    assert cov.reread == 1 and cov.gaps == ()
    assert [w.text for w in cov.blocks[0].lines[4].words] == [w.text for w in line.words]


@has_tesseract
@pytest.mark.tesseract
def test_ink_the_engine_cannot_read_becomes_a_gap_kept_in_book_json(
    page_image: np.ndarray, read_blocks: tuple
) -> None:
    (para,) = [b for b in read_blocks if len(b.lines) == 5]
    lost = para.lines[1]
    dropped = dataclasses.replace(para, lines=(para.lines[0], *para.lines[2:]))
    # an engine that reads nothing credible there (as on a smudged or exotic line)
    cov = _coverage.check(page_image, (dropped,), 300, lambda strip: [("~", (0, 0, 9, 9), 0.2)])
    assert cov.reread == 0 and len(cov.gaps) == 1
    gap = cov.gaps[0]
    assert gap.y0 <= lost.bbox.cy <= gap.y1 and gap.width > 0.8 * lost.bbox.width
    page = Page(0, (2000, 900), 300, blocks=cov.blocks, gaps=cov.gaps)
    again = bookjson.loads(bookjson.dumps(page))
    assert again == page and isinstance(again.gaps[0], BBox)


@has_tesseract
@pytest.mark.tesseract
def test_words_glued_into_one_doubtful_word_are_read_again(
    page_image: np.ndarray, read_blocks: tuple
) -> None:
    """A heavy scan's table cell: Tesseract read `TP. Hồ Chí Minh` as `|TPHôChíMnh` at conf
    0.23 (a rule touching it); read alone, the same ink reads right. Here the line's first
    four words are glued into one doubtful word; the re-reading replaces it."""
    (para,) = [b for b in read_blocks if len(b.lines) == 5]
    line = para.lines[3]
    four = line.words[:4]
    text = "".join(w.text for w in four).replace("e", "c")  # glued and misread, as it was
    glued = model.Word(text, BBox.enclosing([w.bbox for w in four]), 0.2)
    bad = dataclasses.replace(line, words=(glued, *line.words[4:]))
    page = dataclasses.replace(para, lines=(*para.lines[:3], bad, para.lines[4]))
    cov = _coverage.check(page_image, (page,), 300, _reader())
    assert cov.mended == 1 and cov.gaps == ()
    assert [w.text for w in cov.blocks[0].lines[3].words] == [w.text for w in line.words]
    # a surely read word is never re-read, and a doubtful re-reading never replaces it
    sure = dataclasses.replace(glued, conf=0.9)
    ok = dataclasses.replace(
        page,
        lines=(
            *para.lines[:3],
            dataclasses.replace(bad, words=(sure, *line.words[4:])),
            para.lines[4],
        ),
    )
    assert _coverage.check(page_image, (ok,), 300, _reader()).mended == 0
    # the same letters read again (only punctuation differs) keep the page's reading
    same = dataclasses.replace(glued, text="".join(w.text for w in four) + ".")
    kept = dataclasses.replace(bad, words=(same, *line.words[4:]))
    again = dataclasses.replace(page, lines=(*para.lines[:3], kept, para.lines[4]))
    assert _coverage.check(page_image, (again,), 300, _reader()).mended == 0
    unsure = _coverage.check(page_image, (page,), 300, lambda strip: [("it", (0, 0, 9, 9), 0.3)])
    assert unsure.mended == 0 and unsure.blocks == (page,)


def test_old_book_json_without_gaps_loads() -> None:
    data = bookjson.to_jsonable(Page(0, (10, 10), 300))
    del data["gaps"]
    assert bookjson.from_jsonable(data).gaps == ()


def test_specks_rules_and_margins_are_not_text(read_blocks: tuple) -> None:
    """Noise a scan carries is not 'lost text': specks, a rule, a dark scanner edge."""
    im = np.full((900, 2000), 255, np.uint8)
    rng = np.random.default_rng(1)
    for y, x in rng.integers([0, 0], [900, 2000], size=(300, 2)):
        im[y : y + 2, x : x + 2] = 0  # specks
    im[860:866, 100:1900] = 0  # a rule
    im[:, :12] = 0  # the scanner's edge
    assert _coverage.uncovered_lines(im, read_blocks, 300) == []


@pytest.mark.slow
@pytest.mark.tesseract
@pytest.mark.skipif(eng.tesserocr_version() is None, reason="no tesserocr")
@pytest.mark.skipif(not (SHARED / "testpdfs").is_dir(), reason="../shared/testpdfs absent")
def test_cli_in_process_engine_keeps_the_line_it_drops(tmp_path: Path) -> None:
    """multipage.pdf page 5's right column, in-process engine: libtesseract 5.5.4's layout
    analysis dropped "from the weather that very day, rude carts," from digitize's cleaned image
    of this page; whatever the engine's segmentation does, the line is in the book."""
    import pymupdf

    with pymupdf.open(SHARED / "testpdfs" / "multipage.pdf") as doc:
        pix = doc[4].get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
        im = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    im.crop((im.width // 2, 0, im.width, im.height)).save(tmp_path / "col.png", dpi=(300, 300))
    out = tmp_path / "out"
    res = subprocess.run(
        [
            *digitize_cmd(),
            "convert",
            str(tmp_path / "col.png"),
            "-o",
            str(out),
            "--lang",
            "eng",
            "-p",
            "textbook-fast",
            "--to",
            "txt",
            "--no-cache",
            "--set",
            "ocr.tesseract.engine=tesserocr",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    text = " ".join((out / "col.txt").read_text(encoding="utf-8").split())
    assert "there were sheltered from the weather that very day, rude carts, bespattered" in text
    book = bookjson.book_from_json((out / "col.book.json").read_text(encoding="utf-8"))
    assert book.pages[0].gaps == ()
