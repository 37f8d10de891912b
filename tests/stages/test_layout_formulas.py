"""Display formulas (issue 15): a centred line of symbols set apart between paragraphs, or a
fraction the OCR read nothing of, is kept as a picture with its recognised text as alt; words
set apart and formulas inside a sentence stay text."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.layout_pages import block, lay_out, line, page
from helpers.synthbooks import convert_synth
from PIL import Image, ImageDraw, ImageFont

from digitize.lab.synth.draw import width
from digitize.lab.synth.formulas import Part, draw_formula, formula_size
from digitize.model import BBox, Figure, Line, Paragraph, Word

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BEFORE = [
    "The number of young a pair brings forth in",
    "each season follows, as we shall see, from the",
    "rule that each of them breeds once a year:",
]
AFTER = ["where the letters stand for the sizes of the", "broods and the years they live."]
CENTRE = 200 + len(BEFORE[1]) * 15 / 2  # the middle of the text (the helper's 15 px a char)
FRACTION = [Part("text", "c = "), Part("frac", "q + n", "2b")]


def _page(tmp: Path, middle: str | None = None, read: str | None = "qn") -> tuple:  # type: ignore[type-arg]
    """A paragraph, a centred display formula (or a centred line of text `middle`), the same
    paragraph going on; `read`: what the OCR made of the formula's numerator (None: nothing;
    "parts": `c =`, the numerator and the denominator, each where it is printed)."""
    img = Image.new("L", (1400, 1200), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 30)
    y, lines = 150, []
    for text in BEFORE:
        d.text((200, y), text, font=f, fill=0)
        lines.append(line(text, 200, y, h=30, cw=15))
        y += 50
    y += 40
    if middle is not None:
        x = CENTRE - len(middle) * 15 / 2
        d.text((x, y), middle, font=f, fill=0)
        lines.append(line(middle, x, y, h=30, cw=15))
        y += 90
    else:
        x = CENTRE - formula_size(FRACTION, f, f)[0] / 2
        draw_formula(d, x, y + 60, FRACTION, f)  # baseline at y + 60, the bar above it
        a = x + width("c = ", f) + 1.5  # the bar's left end
        if read == "parts":  # the OCR read each part where it stands
            base, axis = y + 60, y + 51
            lines.append(_read("c =", x, a - 8, base - 22, base))
            lines.append(_read("q + n", a + 4, a + width("q + n", f) + 4, axis - 29, axis - 6))
            lines.append(_read("2b", a + 12, a + width("2b", f) + 12, axis + 7, axis + 29))
        elif read is not None:  # the fraction's parts read as one word
            lines.append(line(read, a + 8, y + 10, h=40, cw=30))
        y += 140
    for text in AFTER:
        d.text((200, y), text, font=f, fill=0)
        lines.append(line(text, 200, y, h=30, cw=15))
        y += 50
    img.save(tmp / "p.png")
    return page(0, [block("paragraph", lines)], size=img.size, image="p.png")


def _read(text: str, x0: float, x1: float, y0: float, y1: float) -> Line:
    """One line of words spread evenly over (x0, x1), all of one height."""
    parts = text.split()
    step = (x1 - x0) / len(parts)
    words = [
        Word(t, BBox(x0 + k * step, y0, x0 + (k + 1) * step - 4, y1), 0.9)
        for k, t in enumerate(parts)
    ]
    return Line(tuple(words), BBox(x0, y0, x1 - 4, y1))


def _flow(tmp: Path, p: tuple) -> tuple:  # type: ignore[type-arg]
    return lay_out(tmp, p)  # type: ignore[arg-type]


def test_a_fraction_read_as_garbage_becomes_a_picture_with_its_recognised_text_as_alt(
    tmp_path: Path,
) -> None:
    """No credible linear reading (`qn` across the bar): the picture keeps the OCR's reading
    as its alt and the page keeps its words; none of it runs into the text."""
    blocks, flow = _flow(tmp_path, _page(tmp_path))
    (formula,) = [b for b in blocks if b.kind == "formula"]
    assert formula.bbox.x0 < CENTRE - 75  # grown over the `c =` the OCR left out
    assert formula.bbox.height > 60  # numerator, bar and denominator
    (fig,) = [i for i in flow if isinstance(i, Figure)]
    assert fig.role == "formula" and "qn" in fig.alt  # the recognised text, as the OCR read it
    assert any(w.text == "qn" for ln in formula.lines for w in ln.words)
    assert (tmp_path / fig.image).is_file() and fig.width > 100
    paras = [i.text for i in flow if isinstance(i, Paragraph)]
    assert all("qn" not in t for t in paras)
    assert " ".join(paras) == " ".join(BEFORE + AFTER)


def test_a_fraction_read_in_parts_has_a_linear_alt(tmp_path: Path) -> None:
    """The OCR read `c =`, the numerator over the bar and the denominator under it: the alt
    reads them on one line, the fraction with its bar as `/`."""
    _, flow = _flow(tmp_path, _page(tmp_path, read="parts"))
    (fig,) = [i for i in flow if isinstance(i, Figure)]
    assert fig.role == "formula" and fig.alt == "c = (q + n)/2b"
    assert " ".join(i.text for i in flow if isinstance(i, Paragraph)) == " ".join(BEFORE + AFTER)


def test_a_fraction_the_ocr_read_nothing_of_is_kept_as_a_picture(tmp_path: Path) -> None:
    blocks, flow = _flow(tmp_path, _page(tmp_path, read=None))
    (formula,) = [b for b in blocks if b.kind == "formula"]
    assert not formula.lines and CENTRE - 100 < formula.bbox.x0 < CENTRE - 75
    assert [i.role for i in flow if isinstance(i, Figure)] == ["formula"]


@pytest.mark.parametrize(
    "middle",
    [
        "A short centred line",  # words set apart (a motto, a heading): text
        "so that x = 2y + 1 holds for every pair",  # a formula inside a sentence: text
    ],
)
def test_words_set_apart_stay_text(tmp_path: Path, middle: str) -> None:
    blocks, flow = _flow(tmp_path, _page(tmp_path, middle=middle))
    assert not [b for b in blocks if b.kind == "formula"]
    assert not [i for i in flow if isinstance(i, Figure)]
    assert middle in " ".join(getattr(i, "text", "") for i in flow)


@pytest.mark.tesseract
@pytest.mark.slow
def test_synth_formulas_come_out_as_pictures_through_tesseract(tmp_path: Path) -> None:
    """The default pipeline on a synthetic book with formulas between paragraphs: (nearly)
    every one comes out as a formula picture, none as a paragraph of garbage."""
    from digitize.lab.synth.book import BookSpec

    spec = BookSpec(lang="en", pages=6, level="light", seed=5, design=(("formulas", 0.6),))
    truth, flow, s = convert_synth(tmp_path, spec, to="epub")
    assert s["formula_recall"] >= 0.8, s
    assert s["paragraph_f1"] >= 0.9, s
    formulas = [it for it in flow if it.get("role") == "formula"]
    assert len(formulas) <= len([it for it in truth["flow"] if it["kind"] == "formula"])
