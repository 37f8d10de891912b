"""Drop caps the OCR did not read (issue 15): the big letter is read at body size and put in
front of the first word beside it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers.layout_pages import block, line
from PIL import Image, ImageDraw, ImageFont

from digitize.model import BBox, Block, Line, Word
from digitize.stages.layout._dropcap import join_drop_caps
from digitize.stages.ocr._capread import CAPITALS, read_drop_caps

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "ình thế nước Tàu về đời Xuân Thu",
    "từ khi nhà Chu lên giữ ngôi thiên",
    "tử, chế độ vẫn theo lối phong",
]


def _grey(img: Path) -> np.ndarray:
    """The page's pixels as the OCR stage hands them over: one grey channel."""
    with Image.open(img) as im:
        return np.asarray(im.convert("L"))


def _page(tmp: Path) -> tuple[Path, list[Block]]:
    """A `T` three lines tall that the OCR reported nothing for, three lines beside it and
    body lines under it (their words' ink drawn where their boxes are)."""
    img = Image.new("L", (1400, 1000), 255)
    d = ImageDraw.Draw(img)
    d.text((200, 96), "T", font=ImageFont.truetype(FONT, 150), fill=0, anchor="lt")
    lines = [line(t, 330, 100 + 45 * k) for k, t in enumerate(LINES)]
    lines += [line("một dòng chữ thường của thân bài nữa", 200, 250 + 45 * k) for k in range(4)]
    for ln in lines:
        for w in ln.words:
            b = w.bbox
            d.rectangle([b.x0, b.y0 + 8, b.x1, b.y1 - 8], fill=60)
    img.save(tmp / "p.png")
    return tmp / "p.png", [block("paragraph", lines)]


def test_the_letter_is_read_at_body_size_and_joins_its_word(tmp_path: Path) -> None:
    img, blocks = _page(tmp_path)
    seen: list[tuple[int, int]] = []

    def read(p: Path) -> list[list[tuple[str, tuple[int, int, int, int], float]]]:
        with Image.open(p) as im:
            seen.append(im.size)
        return [[("T", (5, 5, 25, 30), 91.0)]]

    out = read_drop_caps(blocks, _grey(img), read, tmp_path)
    assert len(seen) == 1 and seen[0][1] < 60  # scaled down to about a body line
    (cap,) = [b for b in out if b not in blocks]
    assert cap.lines[0].text == "T" and cap.bbox.height > 90  # the letter's own box
    joined, caps = join_drop_caps(out, 30.0)
    assert joined[0].lines[0].text.startswith("Tình thế") and len(caps) == 1
    assert not list(tmp_path.glob("reread-*"))


def test_no_capital_read_no_word(tmp_path: Path) -> None:
    """A blot read as nothing, as several letters or as a small letter adds nothing."""
    img, blocks = _page(tmp_path)
    for got in (
        [],
        [("T", (0, 0, 9, 9), 90.0), ("a", (9, 0, 19, 9), 90.0)],
        [("t", (0, 0, 9, 9), 90.0)],
    ):
        assert read_drop_caps(blocks, _grey(img), lambda p, g=got: [g], tmp_path) == blocks


@pytest.mark.tesseract
def test_vietnamese_tesseract_reads_the_scaled_letter(tmp_path: Path) -> None:
    """Real Tesseract with vie: the letter it does not read at full size it reads scaled."""
    from digitize.stages.ocr.tesseract import TesseractOcr

    img, blocks = _page(tmp_path)
    out = read_drop_caps(
        blocks,
        _grey(img),
        lambda p: TesseractOcr()._read_lines(p, "vie", 300, psm=8, only=CAPITALS),
        tmp_path,
    )
    assert [b.lines[0].text for b in out if b not in blocks] == ["T"]


def test_a_drop_cap_misread_as_a_word_is_read_again(tmp_path: Path) -> None:
    """The OCR glued the letter to the second line as `k`: the word keeps its box and takes
    the capital its crop reads at body size; layout then puts it back on its word."""
    img, (blk,) = _page(tmp_path)
    font = ImageFont.truetype(FONT, 150)
    x0, y0, x1, y1 = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((200, 96), "T", font, "lt")
    glued = Word("k", BBox(x0, y0, x1, y1), 0.93)
    second = blk.lines[1]
    lines = list(blk.lines)
    lines[1] = Line((glued, *second.words), BBox.enclosing([glued.bbox, second.bbox]))
    blocks = [block("paragraph", lines)]
    out = read_drop_caps(blocks, _grey(img), lambda p: [[("T", (5, 5, 25, 30), 91.0)]], tmp_path)
    assert out[0].lines[1].words[0].text == "T" and out[0].lines[1].words[0].bbox == glued.bbox
    joined, caps = join_drop_caps(out, 30.0)
    assert joined[0].lines[0].text.startswith("Tình thế") and len(caps) == 1
    # A big number is no misread letter: it is not read again (capitals only would make `I`).
    number = [
        block(
            "paragraph",
            [
                lines[0],
                replace(lines[1], words=(replace(glued, text="1"), *second.words)),
                *lines[2:],
            ],
        )
    ]
    assert (
        read_drop_caps(number, _grey(img), lambda p: [[("I", (5, 5, 25, 30), 91.0)]], tmp_path)
        == number
    )
    # A reading that is no single capital leaves the word as the OCR read it.
    assert (
        read_drop_caps(blocks, _grey(img), lambda p: [[("k", (5, 5, 25, 30), 91.0)]], tmp_path)
        == blocks
    )
