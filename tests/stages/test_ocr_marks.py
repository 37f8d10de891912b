"""Issue 15: Vietnamese words take their marks from a reading with the `vie` model alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.layout_pages import block, line
from helpers.tess import ENGINES, has_vie_eng
from PIL import Image, ImageDraw, ImageFont

from digitize.model import BBox, Block, Page, Word
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


def _words(blocks: list[Block]) -> list[Word]:
    """The `vie` reading as the re-read hands it over: loose words in page coordinates."""
    return [w for b in blocks for ln in b.lines for w in ln.words]


def test_vietnamese_paragraphs_take_the_marks_english_ones_do_not() -> None:
    vi = block("paragraph", [line("thành Dai La va đổi tên thành Thăng Long", 100, 100)])
    en = block("paragraph", [line("Dai and the boat went to Long Island", 100, 300)])
    other = _other([vi, en], {"Dai": "Đại", "va": "và", "Long": "Lòng", "the": "thế"})
    out, changed = _marks.take_word_marks([vi, en], _words(other))
    assert out[0].text == "thành Đại La và đổi tên thành Thăng Lòng"
    assert out[1] == en  # English text keeps its words
    assert changed == 3
    assert [w.bbox for w in out[0].words] == [w.bbox for w in vi.words]  # geometry kept


def test_a_paragraph_without_evidence_follows_the_page() -> None:
    heading = block("heading", [line("Nha Ly doi d6 ra Thang Long", 100, 50, h=60)])
    body = block("paragraph", [line("Năm ấy, nhà vua quyết định dời đô về thành mới", 100, 200)])
    fixes = {"Nha": "Nhà", "Ly": "Lý", "doi": "dời", "d6": "đô", "Thang": "Thăng"}
    out, _ = _marks.take_word_marks([heading, body], _words(_other([heading, body], fixes)))
    assert out[0].text == "Nhà Lý dời đô ra Thăng Long"


def test_two_words_read_as_one_marked_word_become_it() -> None:
    ours = block("heading", [line("CHU ONG 1. VỊ TRÍ ĐỊA LÍ", 100, 50, h=60)])
    chu, ong = ours.lines[0].words[:2]
    whole = chu.__class__("CHƯƠNG", chu.bbox.union(ong.bbox), 0.95)
    theirs = [Block("heading", (ours.lines[0].__class__((whole,), whole.bbox),), whole.bbox)]
    out, changed = _marks.take_word_marks([ours], _words(theirs))
    assert out[0].text == "CHƯƠNG 1. VỊ TRÍ ĐỊA LÍ" and changed == 1
    assert out[0].lines[0].words[0].bbox == whole.bbox


def test_a_word_elsewhere_is_not_taken() -> None:
    vi = block("paragraph", [line("thành Dai La và đổi tên thành", 100, 100)])
    far = block("paragraph", [line("Đại", 100, 900)])
    out, changed = _marks.take_word_marks([vi], _words([far]))
    assert out == [vi] and changed == 0


@pytest.mark.parametrize(
    ("lang", "again"), [("vie+eng", "vie"), ("eng+vie", "vie"), ("vie", None), ("eng", None)]
)
def test_second_language(lang: str, again: str | None) -> None:
    assert _marks.second_language(lang) == again


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


def _counting(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[tuple[str, int]]]:
    """Record the engine's page readings (their languages) and strip re-readings (language,
    strip width)."""
    pages: list[str] = []
    strips: list[tuple[str, int]] = []
    real_reread, real_recognise = TesseractOcr._reread, TesseractOcr._recognise

    def reread(self: TesseractOcr, strip: object, lang: str, dpi: int) -> object:
        strips.append((lang, strip.shape[1]))  # type: ignore[attr-defined]
        return real_reread(self, strip, lang, dpi)

    def recognise(
        self: TesseractOcr, page: Page, ctx: Context, lang: str, dpi: int, **kw: bool
    ) -> object:
        pages.append(lang)
        return real_recognise(self, page, ctx, lang, dpi, **kw)

    monkeypatch.setattr(TesseractOcr, "_reread", reread)
    monkeypatch.setattr(TesseractOcr, "_recognise", recognise)
    return pages, strips


@has_vie_eng
@pytest.mark.tesseract
@pytest.mark.parametrize("engine", ENGINES)
def test_real_pages_are_read_again_only_when_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Either engine reads a page once; an English page costs nothing more, a Vietnamese one
    at most one `vie` strip of words (never the whole page again)."""
    pages, strips = _counting(monkeypatch)
    stage = TesseractOcr(TesseractOcr.Options(coverage=False, table_cells=False, engine=engine))
    vi_lines = ["Năm 1010, vua Lý Thái Tổ quyết định dời đô", "ra thành Đại La và đổi tên"]
    ctx, page = _scan(tmp_path / "vi", vi_lines)
    got = stage.process_page(page, ctx)
    assert pages == ["vie+eng"] and len(strips) <= 1
    assert all(lang == "vie" and width < 2400 / 2 for lang, width in strips)
    assert " ".join(w.text for w in got.words) == " ".join(" ".join(vi_lines).split())
    pages.clear()
    strips.clear()
    en_lines = ["The quick brown fox jumps over the lazy dog.", "Books are read by people."]
    ctx, page = _scan(tmp_path / "en", en_lines)
    got = stage.process_page(page, ctx)
    assert pages == ["vie+eng"] and strips == []  # an English page costs nothing more
    assert " ".join(w.text for w in got.words) == " ".join(" ".join(en_lines).split())


BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"


@has_vie_eng
@pytest.mark.tesseract
@pytest.mark.parametrize("engine", ENGINES)
def test_only_the_words_english_won_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """In bold, `vie+eng` gives `dời` and `Đại` to the English model (`doi`, `Dai`); only
    those words are read again, in one strip, and get their marks back: the library says
    which model read a word, the CLI's hOCR says it too, so both engines do the same."""
    text = "Nhà Lý dời đô ra thành Đại La và đổi tên"
    im = Image.new("L", (2400, 200), 255)
    ImageDraw.Draw(im).text((100, 60), text, font=ImageFont.truetype(BOLD, 42), fill=0)
    (tmp_path / "pages").mkdir()
    im.save(tmp_path / "pages" / "p.png", dpi=(300, 300))
    page = Page(index=0, size=im.size, dpi=300, image="pages/p.png")
    ctx = Context(work_dir=str(tmp_path), lang="vie+eng")
    pages, strips = _counting(monkeypatch)
    stage = TesseractOcr(TesseractOcr.Options(coverage=False, table_cells=False, engine=engine))
    got = stage.process_page(page, ctx)
    assert pages == ["vie+eng"]  # the page is read once
    assert len(strips) == 1 and strips[0][0] == "vie"
    assert strips[0][1] < im.size[0] / 3  # two words' crops, not the line
    assert " ".join(w.text for w in got.words) == text


HOCR = """<div class='ocr_carea' id='block_1_1' title="bbox 100 50 900 200">
    <p class='ocr_par' id='par_1_1' lang='vie' title="bbox 100 50 900 200">
     <span class='ocr_line' id='line_1_1' title="bbox 100 50 900 100; baseline 0 -9">
      <span class='ocrx_word' id='word_1_1' title='bbox 100 50 180 100; x_wconf 96'>Nhà</span>
      <span class='ocrx_word' id='word_1_2' title='bbox 200 50 260 100; x_wconf 91' lang='eng'>Dai</span>
     </span>
    </p>
    <p class='ocr_par' id='par_1_2' lang='eng' title="bbox 100 150 900 200">
      <span class='ocrx_word' id='word_1_3' title='bbox 100 150 180 200; x_wconf 95'>the</span>
      <span class='ocrx_word' id='word_1_4' title='bbox 200 150 260 200; x_wconf 80' lang='vie'>và</span>
"""


def test_hocr_names_the_model_of_each_word() -> None:
    """A word names its model when it differs from its paragraph's (Tesseract's hOCR)."""
    assert eng.hocr_models(HOCR) == {
        (100, 50, 180, 100): "vie",
        (200, 50, 260, 100): "eng",
        (100, 150, 180, 200): "eng",
        (200, 150, 260, 200): "vie",
    }


def _word_page(text: str, y: float) -> Block:
    b: Block = block("paragraph", [line(text, 100, y)])
    return b


def test_runs_are_words_another_model_read_or_digits_for_letters() -> None:
    vi = _word_page("thành Dai La va đổi tên T6 quốc", 100)
    en = _word_page("Dai and the boat went to Long Island", 300)
    ws = vi.words
    other = {ws[1].bbox, ws[3].bbox, *(w.bbox for w in en.words)}
    runs = _marks.candidate_runs([vi, en], other)
    ln = vi.lines[0].bbox
    assert runs == [
        BBox(ws[1].bbox.x0, ln.y0, ws[1].bbox.x1, ln.y1),
        BBox(ws[3].bbox.x0, ln.y0, ws[3].bbox.x1, ln.y1),
        BBox(ws[6].bbox.x0, ln.y0, ws[6].bbox.x1, ln.y1),  # T6: a digit for ô
    ]  # nothing from the English paragraph
    # neighbours make one run (`CHU ONG` read as one word `CHƯƠNG`)
    both = _marks.candidate_runs([vi], {ws[1].bbox, ws[2].bbox})
    assert both[0] == BBox(ws[1].bbox.x0, ln.y0, ws[2].bbox.x1, ln.y1) and len(both) == 2


def test_the_strip_reading_lands_on_the_words_it_was_cut_from() -> None:
    """The reader sees ink where the crops put it and answers in strip pixels; the words
    come back to the page's words they were cut from."""
    vi = _word_page("thành Dai La va đổi tên", 100)
    ws = vi.words
    grey = np.full((400, 1600), 255, dtype=np.uint8)
    for w in (ws[1], ws[3]):  # ink for the two words to read
        grey[int(w.bbox.y0) + 2 : int(w.bbox.y1) - 2, int(w.bbox.x0) + 2 : int(w.bbox.x1) - 2] = 0
    seen: list[tuple[int, ...]] = []

    def read(strip: np.ndarray) -> list[tuple[str, tuple[int, int, int, int], float]]:
        seen.append(strip.shape)
        return [(txt, box, 0.9) for box, txt in zip(_inked(strip), ["Đại", "và"], strict=True)]

    out, runs, changed, _n = _marks.reread_words(grey, [vi], {ws[1].bbox, ws[3].bbox}, read)
    assert len(seen) == 1 and runs == 2 and changed == 2
    assert seen[0][1] < 200  # two words' crops, not the line
    assert out[0].text == "thành Đại La và đổi tên"
    assert [w.bbox for w in out[0].words] == [w.bbox for w in ws]
    out, runs, changed, _n = _marks.reread_words(grey, [vi], set(), read)
    assert out == [vi] and (runs, changed) == (0, 0) and len(seen) == 1  # no engine call


def _inked(strip: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of the bands of dark rows in a strip, top to bottom."""
    rows = np.flatnonzero((strip < 128).any(axis=1))
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    out = []
    for band in bands:
        cols = np.flatnonzero((strip[band] < 128).any(axis=0))
        out.append((int(cols[0]), int(band[0]), int(cols[-1]) + 1, int(band[-1]) + 1))
    return out


def test_words_read_with_other_letters_are_counted_and_many_make_a_warning() -> None:
    """The `vie` reading gives `Dai` its marks but reads `va` as `xa`: other letters, not
    taken, counted as contested; a page is doubtful from 3 such words and 3 % of its words."""
    vi = _word_page("thành Dai La va đổi tên", 100)
    ws = vi.words
    grey = np.full((400, 1600), 255, dtype=np.uint8)
    for w in (ws[1], ws[3]):
        grey[int(w.bbox.y0) + 2 : int(w.bbox.y1) - 2, int(w.bbox.x0) + 2 : int(w.bbox.x1) - 2] = 0

    def read(strip: np.ndarray) -> list[tuple[str, tuple[int, int, int, int], float]]:
        return [(txt, box, 0.9) for box, txt in zip(_inked(strip), ["Đại", "xa"], strict=True)]

    out, runs, changed, contested = _marks.reread_words(grey, [vi], {ws[1].bbox, ws[3].bbox}, read)
    assert out[0].text == "thành Đại La va đổi tên" and (runs, changed, contested) == (2, 1, 1)
    assert _marks.contested_warning(contested, out) == ()  # one word is chance
    page = [_word_page(" ".join(["thành"] * 50), 100 + 60 * k) for k in range(2)]  # 100 words
    (warning,) = _marks.contested_warning(3, page)
    assert warning.startswith(_marks.DISAGREE) and "3 of 100 Vietnamese words" in warning
    assert _marks.contested_warning(2, page) == ()
    more = [*page, *(_word_page(" ".join(["thành"] * 50), 300 + 60 * k) for k in range(2))]
    assert _marks.contested_warning(3, more) == ()  # 3 of 200: 1.5 %
    english = [_word_page(" ".join(["the"] * 50), 100 + 60 * k) for k in range(2)]
    assert _marks.contested_warning(9, english) == ()  # English paragraphs are not asked
