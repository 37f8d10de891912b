"""A footnote that measures body size beside one that does not is still a footnote."""

from __future__ import annotations

from helpers.layout_pages import block, line, page

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
