"""Ruled tables re-read cell by cell by ocr.tesseract: rules and specks no longer spoil cells."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digitize.model import BBox, Block, Line, Word
from digitize.stages.ocr import _cells
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr.tesseract import TesseractOcr

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CELLS = [["Tỉnh", "Diện tích", "Dân số"], ["Lào Cai", "6364", "730"], ["Cà Mau", "5221", "1194"]]
XS, YS = [200, 700, 1150, 1600], [300, 390, 480, 570]

has_vie = pytest.mark.skipif(
    eng.cli_path() is None or "vie" not in eng.installed_languages(),
    reason="tesseract with vie data not installed",
)


def _table(specks: bool) -> tuple[np.ndarray, list[Word]]:
    """A 300-dpi ruled table (thick rules, specks along them) and its true word boxes."""
    im = Image.new("L", (1800, 800), 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(FONT, 40)
    for x in XS:
        d.line([(x, YS[0]), (x, YS[-1])], fill=0, width=4)
    for y in YS:
        d.line([(XS[0], y), (XS[-1], y)], fill=0, width=4)
    words = []
    for r, row in enumerate(CELLS):
        for c, text in enumerate(row):
            x, y = XS[c] + 24, YS[r] + 22
            d.text((x, y), text, font=f, fill=0)
            x0, y0, x1, y1 = f.getbbox(text)
            words.append(Word(text, BBox(x + x0, y + y0, x + x1, y + y1), 0.9))
    px = np.asarray(im).copy()
    if specks:
        rng = np.random.default_rng(3)
        for _ in range(1500):
            y, x = rng.integers(YS[0], YS[-1]), rng.integers(XS[0], XS[-1])
            px[y : y + 2, x : x + 2] = 0
    return px, words


def _reader() -> _cells.Reader:
    stage = TesseractOcr(TesseractOcr.Options(engine="cli"))
    return lambda strip: stage._reread(strip, "vie", 300)


def _page_reading(words: list[Word]) -> tuple[Block, ...]:
    """What the page reading gave: rows as lines, a rule fused into a word, two cells junk."""
    bad = list(words)
    bad[3] = Word("(IASCMI", words[3].bbox, 0.1)
    bad[4] = Word("|6364", words[4].bbox, 0.5)
    bad[8] = Word("1l94.", words[8].bbox, 0.3)
    rows = [
        Line(
            tuple(bad[3 * r : 3 * r + 3]), BBox.enclosing([w.bbox for w in bad[3 * r : 3 * r + 3]])
        )
        for r in range(3)
    ]
    return (Block("paragraph", tuple(rows), BBox.enclosing([ln.bbox for ln in rows])),)


@has_vie
@pytest.mark.tesseract
def test_junk_cells_of_a_specked_ruled_table_are_read_again() -> None:
    px, words = _table(specks=True)
    blocks, changed = _cells.reread_cells(px, _page_reading(words), 300, _reader())
    assert changed >= 3
    texts = {ln.text for b in blocks for ln in b.lines}
    assert {"Lào Cai", "6364", "1194"} <= texts
    assert not any(t in " ".join(texts) for t in ("(IASCMI", "|6364", "1l94."))
    # every new word sits inside the cell it was read from
    for b in blocks:
        for ln in b.lines:
            if ln.text == "Lào Cai":
                assert XS[0] < ln.bbox.x0 and ln.bbox.x1 < XS[1]
                assert YS[1] < ln.bbox.y0 and ln.bbox.y1 < YS[2]


def test_a_page_without_rules_is_left_alone() -> None:
    px = np.full((800, 1800), 255, dtype=np.uint8)
    blocks = (Block("paragraph", (), BBox(0, 0, 1, 1)),)
    assert _cells.reread_cells(px, blocks, 300, lambda s: []) == (blocks, 0)


def test_a_grid_of_mostly_empty_cells_is_a_drawing_not_a_table() -> None:
    px, words = _table(specks=False)
    one = (Block("paragraph", (Line((words[0],), words[0].bbox),), words[0].bbox),)

    def never(strip: np.ndarray) -> list:  # type: ignore[type-arg]
        raise AssertionError("a drawing's cells are not read")

    assert _cells.reread_cells(px, one, 300, never) == (one, 0)
