"""Issue 19: Tesseract reads a page reduced until its median letter is ~24 px tall (better and
faster on 300-dpi book type); the words keep their boxes in page pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.tess import ENGINES, has_vie_eng
from PIL import Image, ImageDraw, ImageFont

from digitize.model import Page
from digitize.stage import Context
from digitize.stages.ocr import _scale
from digitize.stages.ocr._tesseract_engines import RawBlock, RawWord
from digitize.stages.ocr.tesseract import TesseractOcr

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = ["Quyển sách này giúp em luyện đọc", "và viết đúng chính tả tiếng Việt."]


def _page(size: int) -> Image.Image:
    font = ImageFont.truetype(SERIF, size)
    im = Image.new("L", (2400, 200 + 2 * size * len(LINES)), 255)
    d = ImageDraw.Draw(im)
    for i, text in enumerate(LINES):
        d.text((100, 100 + i * size * 1.6), text, font=font, fill=0)
    return im


def test_letter_height_follows_the_type_size() -> None:
    """Body type of 10 pt at 300 dpi (42 px em) is left as scanned; large print is reduced,
    and no further than MIN_SCALE."""
    small = _scale.letter_height(np.asarray(_page(42)), 300)
    large = _scale.letter_height(np.asarray(_page(84)), 300)
    assert small is not None and large is not None
    assert 1.7 < large / small < 2.3  # the measure scales with the type
    assert _scale.reading_scale(np.asarray(_page(42)), 300, small + 1) == 1.0
    assert _scale.reading_scale(np.asarray(_page(84)), 300, 24) == pytest.approx(
        max(_scale.MIN_SCALE, 24 / large)
    )
    assert _scale.reading_scale(np.asarray(_page(84)), 300, 0) == 1.0  # the option's "off"
    blank = np.full((600, 600), 255, np.uint8)
    assert _scale.letter_height(blank, 300) is None and _scale.reading_scale(blank, 300, 24) == 1


def test_boxes_go_back_to_page_pixels() -> None:
    raw = [RawBlock((10, 20, 110, 60), [[[RawWord("a", (10, 20, 50, 60), 90.0)]]])]
    back = _scale.to_page(raw, 0.5)
    assert back[0].box == (20, 40, 220, 120)
    assert back[0].paras[0][0][0].box == (20, 40, 100, 120)


@has_vie_eng
@pytest.mark.tesseract
@pytest.mark.parametrize("engine", ENGINES)
def test_large_type_is_read_reduced_with_page_boxes(tmp_path: Path, engine: str) -> None:
    """Both engines: the page is read reduced (the step says so), the words are right, and
    each word's box lies on its ink in the full-size page."""
    im = _page(84)
    (tmp_path / "pages").mkdir()
    im.save(tmp_path / "pages" / "p.png", dpi=(300, 300))
    page = Page(index=0, size=im.size, dpi=300, image="pages/p.png")
    ctx = Context(work_dir=str(tmp_path), lang="vie+eng")
    stage = TesseractOcr(TesseractOcr.Options(engine=engine))
    got = stage.process_page(page, ctx)
    assert any(n.startswith("read at 0.") for n in ctx.notes)
    assert " ".join(w.text for w in got.words) == " ".join(" ".join(LINES).split())
    ink = np.asarray(im) < 128
    for w in got.words:
        x0, y0, x1, y1 = (int(v) for v in (w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1))
        box = ink[y0:y1, x0:x1]
        assert box.mean() > 0.1, w  # on its letters
        # and holding them: little ink of the word lies just outside its box
        assert ink[y0:y1, max(0, x0 - 12) : x0].mean() < 0.05, w
