"""List marks the OCR dropped are read back from the page image."""

from __future__ import annotations

import numpy as np
from helpers.layout_pages import line

from digitize.stages.layout._items import Item
from digitize.stages.layout._lists import dropped_marks

H = 30.0  # glyph height of the hand-built lines


def _items(texts: list[str], x: float) -> list[Item]:
    lines = [line(t, x, 100 + i * 45, H) for i, t in enumerate(texts)]
    return [Item(ln.bbox, ln) for ln in lines]


def _page(items: list[Item], marked: list[int], dot: bool = False) -> np.ndarray:
    px = np.full((600, 1200), 250, np.uint8)
    for it in items:  # the words' ink, so the page has paper and ink levels
        for w in it.line.words if it.line else ():
            b = w.bbox
            px[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1) : 3] = 20
    for k in marked:
        b = items[k].bbox
        y = int(b.y0 + 0.55 * b.height)
        if dot:
            px[y - 5 : y + 5, int(b.x0) - 45 : int(b.x0) - 35] = 20
        else:
            px[y - 2 : y + 2, int(b.x0) - 50 : int(b.x0) - 32] = 20
    return px


def test_dashes_left_of_wrapped_items_come_back_as_marks() -> None:
    texts = ["Evaporation from oceans,", "lakes and rivers.", "Condensation of vapour", "to form."]
    items = _items(texts, 300)
    dropped_marks(items, _page(items, [0, 2]), H, {})
    got = [it.line.text for it in items if it.line]
    assert got == [
        "– Evaporation from oceans,",
        "lakes and rivers.",
        "– Condensation of vapour",
        "to form.",
    ]
    assert items[0].bbox.x0 < 300 - 30  # the line now starts at its mark


def test_a_round_blob_is_a_bullet_and_a_lone_blob_is_dust() -> None:
    items = _items(["Một ý.", "Ý hai.", "Ý ba."], 300)
    dropped_marks(items, _page(items, [0, 1, 2], dot=True), H, {})
    assert all(it.line is not None and it.line.text.startswith("• ") for it in items)
    lone = _items(["Một dòng văn.", "Dòng khác."], 300)
    dropped_marks(lone, _page(lone, [1]), H, {})
    assert [it.line.text for it in lone if it.line] == ["Một dòng văn.", "Dòng khác."]
    dropped_marks(lone, None, H, {})  # no page image: nothing to read
    assert [it.line.text for it in lone if it.line] == ["Một dòng văn.", "Dòng khác."]


def test_text_of_the_column_to_the_left_is_not_a_mark() -> None:
    """The last word of the left column ends just short of a right-column line."""
    left = [Item(ln.bbox, ln) for ln in (line("abc xy", 100, 100 + i * 45, H) for i in range(2))]
    right = _items(["Dòng bên phải.", "Dòng nữa."], left[0].bbox.x1 + 40)
    items = left + right
    dropped_marks(items, _page(items, []), H, {})
    assert [it.line.text for it in right if it.line] == ["Dòng bên phải.", "Dòng nữa."]


def test_numbers_the_ocr_dropped_come_back_counted_from_one() -> None:
    """Stacked `1.` `2.` `3.` are read as one word of their own (`PWN`) and dropped: a digit
    standing on each line's baseline with a stop after it, at one x, is a numbered list."""
    items = _items(["Of which can be;", "Here only allude to;", "In the embryo;"], 300)
    px = _page(items, [])
    for it in items:
        b = it.bbox
        px[int(b.y0) + 2 : int(b.y1) - 6, 250:262] = 20  # a digit, as tall as capitals
        px[int(b.y1) - 10 : int(b.y1) - 6, 266:270] = 20  # its full stop on the baseline
    dropped_marks(items, px, H, {})
    got = [it.line.text for it in items if it.line]
    assert got == ["1. Of which can be;", "2. Here only allude to;", "3. In the embryo;"]
