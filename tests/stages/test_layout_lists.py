"""Bulleted lists on real page geometry: wrapped lines stay in their item, bullets the OCR read as
`®` or `¢` are bullets, a list in large type is no run of headings.

`realpages/brochure_bullets.json` is the OCR of a two-column brochure page (full-width feature
lists above and below the columns, items wrapping under their text), recorded with each word
replaced by a placeholder that keeps its case and its closing stop (`Wbk`, `wca.`); the marks
(`®`, `¢`, `—`) and the geometry are as read.
"""

from __future__ import annotations

from pathlib import Path

from helpers.layout_pages import block, lay_out, line, recorded

from digitize.model import Heading, ListBlock
from digitize.stages.layout._lists import list_blocks


def test_a_brochure_s_wrapped_items_stay_whole_and_its_bullets_are_bullets(tmp_path: Path) -> None:
    blocks, flow = lay_out(tmp_path, recorded("brochure_bullets"))
    lists = [it.items for it in flow if isinstance(it, ListBlock)]
    assert lists, [type(it).__name__ for it in flow]
    items = [t for items in lists for t in items]
    # every item opens with its bullet, none with a wrapped line's first word
    assert all(t.startswith("• ") for t in items), items
    assert not any(ch in t for t in items for ch in "®¢"), items
    # the large-type list at the top: nine items, one list, no headings among them
    top = lists[0]
    assert len(top) == 9, top
    assert not any(h.text.lstrip()[:1] in "®¢•" for h in flow if isinstance(h, Heading)), [
        h.text for h in flow if isinstance(h, Heading)
    ]
    # the lines each item wrapped onto are in it: every item ends its sentence
    assert all(t.rstrip()[-1] in ".!" for t in items), items
    # ...and no wrapped line is an item or a paragraph of its own: nine items on top, nine
    # below (the tenth lost its bullet to the OCR; the page image puts it back, absent here)
    assert len(items) == 18, items
    marks = [b.lines[0].words[0].bbox.x0 for b in blocks if b.kind == "list_item"]
    assert max(marks) - min(marks) < 5, "every item starts at its bullet"


def test_a_short_item_under_a_short_item_is_an_item_whose_mark_was_lost() -> None:
    """The other reading of a line under an item's text: the item above ended its sentence and
    left room, so the line is the next item (its mark lost), not the item's wrapped rest."""
    a = block("list_item", [line("– Nước bốc hơi từ biển.", 100, 100)])
    b = block("paragraph", [line("Hơi nước ngưng tụ.", 130, 145)])
    c = block("paragraph", [line("Một đoạn văn dài sau danh sách, viết đủ một dòng.", 100, 220)])
    out = list_blocks([a, b, c], 30.0)
    assert [x.kind for x in out] == ["list_item", "list_item", "paragraph"]
    # wrapped: the item's line is full and leaves its sentence open
    a2 = block("list_item", [line("– Nước bốc hơi từ biển, hồ và sông rồi", 100, 100)])
    b2 = block("paragraph", [line("bay lên cao.", 130, 145)])
    c2 = block("paragraph", [line("Đoạn văn sau danh sách, viết đủ một dòng.", 100, 220)])
    out = list_blocks([a2, b2, c2], 30.0)
    assert [x.kind for x in out] == ["list_item", "paragraph"]
    assert out[0].text.endswith("rồi\nbay lên cao.")


def test_a_number_the_scan_misread_is_the_next_number() -> None:
    """`Pe` where `4.` stands, the text after it where the items' text starts, under an item
    ending `;`: the fourth item. A line starting at the margin like any paragraph is not."""
    items = [
        block("list_item", [line(f"{n}. Điều thứ {n};", 100, 100 + 45 * n)]) for n in (1, 2, 3)
    ]
    misread = block("paragraph", [line("Pe Điều cuối cùng.", 100, 280)])
    out = list_blocks([*items, misread], 30.0)
    assert [b.kind for b in out] == ["list_item"] * 4
    assert out[3].lines[0].text == "4. Điều cuối cùng."
    after_stop = [*items[:2], block("list_item", [line("3. Điều thứ ba.", 100, 235)]), misread]
    assert list_blocks(after_stop, 30.0)[3].kind == "paragraph"  # the list had ended


def test_marks_with_a_speck_or_a_doubled_dash_are_marks(tmp_path: Path) -> None:
    from helpers.layout_pages import book, page

    from digitize.stage import Context
    from digitize.stages.layout.flow import FlowBuilder

    blocks = [
        block("list_item", [line("a) Cây ở trên;", 100, 100)]),
        block("list_item", [line("-b) Ở vào cõi;", 100, 145)]),
        block("list_item", [line("c) Chặt đi rồi.", 100, 190)]),
        block("paragraph", [line("Một đoạn văn.", 60, 260)]),
        block("list_item", [line("– Great result;", 100, 330)]),
        block("list_item", [line("-— Of the fittest;", 100, 375)]),
        block("list_item", [line("– On every organ.", 100, 420)]),
    ]
    p = page(0, blocks, size=(1200, 1600))
    flow = FlowBuilder().process_book(book([p], str(tmp_path)), Context(str(tmp_path))).flow
    lists = [it.items for it in flow if isinstance(it, ListBlock)]
    assert lists == [
        ("a) Cây ở trên;", "b) Ở vào cõi;", "c) Chặt đi rồi."),
        ("– Great result;", "-— Of the fittest;", "– On every organ."),
    ]


def test_a_flush_item_whose_dash_was_read_as_a_stop_keeps_its_lines(tmp_path: Path) -> None:
    """`1. … biến hóa của.` runs the full measure (its `-` read as `.`) and the lines under it
    start at the margin in lower case: one item, not an item and a paragraph."""
    from helpers.layout_pages import page, para

    full = "1. Quan niệm về Trời và người: Thái Cực và sự biến hóa của."
    more = "thiên lý - Người và sự tri giác - Trung - Sinh - Nhân - Thiên"
    item = para([full, more[: len(full)], "mệnh - Sinh tử."], 200, 300)
    after = "Một đoạn văn dài sau mục lục này, viết cho đủ hết một dòng"
    body = para([after[: len(full)]] * 3 + ["cuối đoạn."], 200, 500, indent=60)
    blocks, _flow = lay_out(tmp_path, page(0, [item, body]))
    kinds = [(b.kind, len(b.lines)) for b in blocks]
    assert kinds == [("list_item", 3), ("paragraph", 4)], kinds
