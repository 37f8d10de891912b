"""Issue 15: Vietnamese words take their marks from a reading with the `vie` model alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.layout_pages import block, line
from PIL import Image, ImageDraw, ImageFont

from digitize.model import Block, Page
from digitize.stage import Context
from digitize.stages.ocr import _marks
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr.tesseract import TesseractOcr


@pytest.mark.parametrize(
    ("ours", "theirs", "take"),
    [
        ("Dai", "Đại", True),  # the English model's mark-less reading
        ("va", "và", True),
        ("VI", "VỊ", True),
        ("doi", "dời", True),
        ("T6", "Tổ", True),  # ô read as a digit
        ("ki-l6-mét", "ki-lô-mét", True),
        ("Đại", "Đại", False),  # nothing to take
        ("Viet", "ViỆt", False),  # case differs: a second reading's own mistake
        ("the", "thế", True),  # only asked in Vietnamese paragraphs
        ("Long", "Lòng", True),
        ("Paris", "Pari", False),  # other letters are never taken
        ("ban", "bán.", False),
        ("1010", "lolo", False),  # a number stays a number
        ("12a", "l2á", False),  # only a marked letter is taken for a digit
        ("1a", "là", False),
    ],
)
def test_same_but_marks(ours: str, theirs: str, take: bool) -> None:
    assert _marks.same_but_marks(ours, theirs) is take


def _other(blocks: list[Block], texts: dict[str, str]) -> list[Block]:
    """The same page read again: the same boxes, some words read otherwise."""
    out = []
    for b in blocks:
        lines = []
        for ln in b.lines:
            words = tuple(w.__class__(texts.get(w.text, w.text), w.bbox, 0.9) for w in ln.words)
            lines.append(ln.__class__(words, ln.bbox))
        out.append(b.__class__(b.kind, tuple(lines), b.bbox))
    return out


def test_vietnamese_paragraphs_take_the_marks_english_ones_do_not() -> None:
    vi = block("paragraph", [line("thành Dai La va đổi tên thành Thăng Long", 100, 100)])
    en = block("paragraph", [line("Dai and the boat went to Long Island", 100, 300)])
    other = _other([vi, en], {"Dai": "Đại", "va": "và", "Long": "Lòng", "the": "thế"})
    out, changed = _marks.take_marks([vi, en], other)
    assert out[0].text == "thành Đại La và đổi tên thành Thăng Lòng"
    assert out[1] == en  # English text keeps its words
    assert changed == 3
    assert [w.bbox for w in out[0].words] == [w.bbox for w in vi.words]  # geometry kept


def test_a_paragraph_without_evidence_follows_the_page() -> None:
    heading = block("heading", [line("Nha Ly doi d6 ra Thang Long", 100, 50, h=60)])
    body = block("paragraph", [line("Năm ấy, nhà vua quyết định dời đô về thành mới", 100, 200)])
    fixes = {"Nha": "Nhà", "Ly": "Lý", "doi": "dời", "d6": "đô", "Thang": "Thăng"}
    out, _ = _marks.take_marks([heading, body], _other([heading, body], fixes))
    assert out[0].text == "Nhà Lý dời đô ra Thăng Long"


def test_two_words_read_as_one_marked_word_become_it() -> None:
    ours = block("heading", [line("CHU ONG 1. VỊ TRÍ ĐỊA LÍ", 100, 50, h=60)])
    chu, ong = ours.lines[0].words[:2]
    whole = chu.__class__("CHƯƠNG", chu.bbox.union(ong.bbox), 0.95)
    theirs = [Block("heading", (ours.lines[0].__class__((whole,), whole.bbox),), whole.bbox)]
    out, changed = _marks.take_marks([ours], theirs)
    assert out[0].text == "CHƯƠNG 1. VỊ TRÍ ĐỊA LÍ" and changed == 1
    assert out[0].lines[0].words[0].bbox == whole.bbox


def test_a_word_elsewhere_is_not_taken() -> None:
    vi = block("paragraph", [line("thành Dai La và đổi tên thành", 100, 100)])
    far = block("paragraph", [line("Đại", 100, 900)])
    out, changed = _marks.take_marks([vi], [far])
    assert out == [vi] and changed == 0


@pytest.mark.parametrize(
    ("lang", "again"), [("vie+eng", "vie"), ("eng+vie", "vie"), ("vie", None), ("eng", None)]
)
def test_second_language(lang: str, again: str | None) -> None:
    assert _marks.second_language(lang) == again


has_tesseract = pytest.mark.skipif(
    eng.tessdata_dir() is None or not {"vie", "eng"} <= set(eng.installed_languages()),
    reason="tesseract with vie+eng data not installed",
)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _scan(tmp_path: Path, lines: list[str]) -> tuple[Context, Page]:
    im = Image.new("L", (2400, 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 42)
    for i, text in enumerate(lines):
        draw.text((100, 60 + 90 * i), text, font=font, fill=0)
    (tmp_path / "pages").mkdir(parents=True)
    im.save(tmp_path / "pages" / "p.png", dpi=(300, 300))
    page = Page(index=0, size=im.size, dpi=300, image="pages/p.png")
    return Context(work_dir=str(tmp_path), lang="vie+eng"), page


@has_tesseract
@pytest.mark.tesseract
def test_real_pages_are_read_again_only_when_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    langs: list[str] = []
    real = TesseractOcr._recognise

    def counting(self: TesseractOcr, page: Page, ctx: Context, lang: str, dpi: int) -> object:
        langs.append(lang)
        return real(self, page, ctx, lang, dpi)

    monkeypatch.setattr(TesseractOcr, "_recognise", counting)
    stage = TesseractOcr(TesseractOcr.Options(coverage=False))
    vi_lines = ["Năm 1010, vua Lý Thái Tổ quyết định dời đô", "ra thành Đại La và đổi tên"]
    ctx, page = _scan(tmp_path / "vi", vi_lines)
    got = stage.process_page(page, ctx)
    assert langs == ["vie+eng", "vie"]
    assert " ".join(w.text for w in got.words) == " ".join(" ".join(vi_lines).split())
    langs.clear()
    en_lines = ["The quick brown fox jumps over the lazy dog.", "Books are read by people."]
    ctx, page = _scan(tmp_path / "en", en_lines)
    got = stage.process_page(page, ctx)
    assert langs == ["vie+eng"]  # an English page costs nothing more
    assert " ".join(w.text for w in got.words) == " ".join(" ".join(en_lines).split())
