"""A footnote that measures body size beside one that does not is still a footnote."""

from __future__ import annotations

from pathlib import Path

from helpers.layout_pages import block, lay_out, line, page

from digitize.model import BBox, Footnote, Line, Paragraph, Word
from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout

LONG = "Đây là một câu dài để thử nghiệm việc chia đoạn văn bản cho thật đẹp"


def test_a_note_of_tall_letters_tight_above_a_small_note_is_a_note() -> None:
    body = [line(LONG, 200, 200 + 45 * i) for i in range(6)]
    body.append(line("và câu này chưa xong ở cuối trang của", 200, 470))
    tall = line("1 Há có phải là cái tính của núi như thế.", 200, 2700, h=28)
    small = line("2 Trên rằng Mạnh Tử nói tính thiện.", 200, 2740, h=22)
    out = BlockLayout().process_page(page(0, [block("paragraph", [*body, tall, small])]), Context())
    kinds = [(b.kind, b.lines[0].text[:6]) for b in out.blocks]
    assert kinds[-2:] == [("footnote", "1 Há c"), ("footnote", "2 Trên")]
    assert [k for k, _ in kinds].count("paragraph") == 1
    # Body-size text opening with a number, far above the notes, stays body text.
    lone = [*body, line("1945 là một năm có nhiều biến cố lớn ở đây.", 200, 560)]
    out = BlockLayout().process_page(page(0, [block("paragraph", [*lone, small])]), Context())
    assert [b.kind for b in out.blocks][-1] == "footnote"
    assert all(b.kind != "footnote" for b in out.blocks[:-1])


def _with_raised(before: str, mark: str, after: str, y: float, raised: bool = True) -> Line:
    """A body line with `mark` set small and raised (or at body size on the baseline) right
    after the last word of `before`."""
    a = line(before, 200, y)
    x = a.bbox.x1 + 2
    top = y + 2 if raised else y + 3  # body glyphs: about y+3 .. y+27 (see `line`)
    m = Word(mark, BBox(x, top, x + 10, top + (14 if raised else 24)), 0.9)
    b = line(after, x + 25, y)
    words = (*a.words, m, *b.words)
    return Line(words, BBox.enclosing([w.bbox for w in words]))


def _laid(tmp: Path, cite: Line, note: str) -> tuple[list[Paragraph], list[Footnote]]:
    body = [line(LONG, 200, 200 + 45 * i) for i in range(3)]
    rest = [line(LONG, 200, 200 + 45 * i) for i in range(4, 7)]
    foot = line(note, 200, 2740, h=22)
    p = page(0, [block("paragraph", [*body, cite, *rest]), block("paragraph", [foot])])
    _, flow = lay_out(tmp, p)
    paras = [i for i in flow if isinstance(i, Paragraph)]
    return paras, [i for i in flow if isinstance(i, Footnote)]


def test_a_small_raised_number_after_a_word_is_the_note_mark(tmp_path: Path) -> None:
    """`ngôi 1 hoàng` with the `1` set small and raised, a note `1` at the page foot: the mark
    joins its word as `ngôi¹`, linked to the note; a `!` read for the raised `1` too."""
    for read in ("1", "!"):
        cite = _with_raised("Khi nhà Chu lên giữ ngôi", read, "hoàng đế thì chế độ vẫn theo", 335)
        paras, notes = _laid(tmp_path / read, cite, "1 Ngôi vua, ngôi thiên tử.")
        assert "ngôi¹ hoàng" in paras[0].text, paras[0].text
        assert [n.mark for n in notes] == ["1"]


def test_a_number_on_the_line_or_without_a_note_stays_text(tmp_path: Path) -> None:
    """A `1` at body size on the baseline is a number of the sentence; a raised `3` with no
    note 3 on the page is not joined either."""
    cite = _with_raised("Khi nhà Chu lên giữ ngôi", "1", "hoàng đế thì chế độ vẫn theo", 335, False)
    paras, _ = _laid(tmp_path / "a", cite, "1 Ngôi vua, ngôi thiên tử.")
    assert "ngôi 1 hoàng" in paras[0].text
    cite = _with_raised("Khi nhà Chu lên giữ ngôi", "3", "hoàng đế thì chế độ vẫn theo", 335)
    paras, _ = _laid(tmp_path / "b", cite, "1 Ngôi vua, ngôi thiên tử.")
    assert "ngôi 3 hoàng" in paras[0].text
