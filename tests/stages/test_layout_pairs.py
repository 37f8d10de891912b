"""Figures side by side: the captions merged line by line and the one picture are cut in two."""

from __future__ import annotations

from helpers.layout_pages import block, figure, line

from digitize.model import BBox, Line
from digitize.stages.layout._pairs import split_side_by_side


def test_side_by_side_captions_and_picture_are_cut_down_the_gap() -> None:
    pic = figure(150, 900, 1100, 1220)
    left = line("Hình 1.2a. Những điều vụn", 170, 1250, cw=12)
    right = line("Hình 1.2b. Đời sau, chứ cứ", 680, 1250, cw=12)
    cap = block(
        "caption", [Line(left.words + right.words, BBox.enclosing([left.bbox, right.bbox]))]
    )
    # the wrapped lines under each caption, read as one line across both
    a, b = line("vặt không hợp thời, hợp", 190, 1290, cw=12), line("theo", 700, 1290, cw=12)
    under = block("paragraph", [Line(a.words + b.words, BBox.enclosing([a.bbox, b.bbox]))])
    out = split_side_by_side([pic, cap, under], body_h=30.0)
    assert [b.kind for b in out] == ["figure", "figure", "caption", "caption"]
    left, right = out[2].text, out[3].text
    assert left.startswith("Hình 1.2a. Những điều vụn") and right.startswith("Hình 1.2b. Đời sau")
    assert out[0].bbox.x1 <= out[1].bbox.x0 and out[0].bbox.x0 == 150 and out[1].bbox.x1 == 1100
    # every word is still there, once
    words = " ".join(b.text for b in out[2:]).split()
    assert sorted(words) == sorted((cap.text + " " + under.text).split())


def test_a_caption_that_mentions_another_figure_is_left_alone() -> None:
    cap = block("caption", [line("Hình 2.1. So sánh với Hình 1.3 ở trên", 170, 1250)])
    # `Hình 1.3 ở` reads like a label, but only a word space stands before it
    assert split_side_by_side([cap], body_h=30.0) == [cap]


def test_one_caption_stays_one() -> None:
    pic = figure(150, 900, 1100, 1220)
    cap = block("caption", [line("Hình 1.3. Một hình ở giữa trang", 400, 1250)])
    assert split_side_by_side([pic, cap], body_h=30.0) == [pic, cap]
