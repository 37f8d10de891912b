"""layout/_fit.py: a figure's box holds the picture's ink and nothing of the text around it."""

from __future__ import annotations

import numpy as np
from helpers.layout_pages import block, figure, line

from digitize.model import BBox, Block, Line
from digitize.stages.layout._fit import fit_figures

BODY = 30.0


def _ink(gray: np.ndarray, ln: Line) -> None:
    for w in ln.words:
        b = w.bbox
        gray[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)] = 40


def _page() -> tuple[np.ndarray, list[Block]]:
    """A running head over a rule across the text block, a framed drawing under it, body
    lines beside and under it."""
    gray = np.full((1754, 1240), 240, np.uint8)
    head = line("26 Reading the classics again", 113, 60)
    body = [line("Words of the body text set in a line " * 2, 113, 600 + 45 * k) for k in range(4)]
    for ln in (head, *body):
        _ink(gray, ln)
    gray[103:106, 113:1128] = 40  # the rule under the running head, as wide as the text
    gray[125:128, 187:1051] = gray[541:544, 187:1051] = 60  # the drawing's frame
    gray[125:544, 187:190] = gray[125:544, 1048:1051] = 60
    gray[260:400, 260:460] = 120  # something drawn in it
    return gray, [block("header", [head]), *(block("paragraph", [ln]) for ln in body)]


def _fitted(blocks: list[Block]) -> list[BBox]:
    return [b.bbox for b in blocks if b.kind == "figure"]


def test_the_running_head_rule_and_the_next_line_are_cut_off() -> None:
    """The OCR's box reached up over the rule and down into the first body line: the crop
    is the frame, whole."""
    gray, blocks = _page()
    (box,) = _fitted(fit_figures([*blocks, figure(150, 95, 1080, 630)], gray))
    assert (box.x0, box.y0, box.x1, box.y1) == (187, 125, 1051, 544)


def test_a_frame_the_box_cut_short_is_taken_in_whole() -> None:
    """The box missed the frame's left edge and bottom by less than a line: the crop grows to
    the frame (the frame is one piece of ink that the box touches)."""
    gray, blocks = _page()
    (box,) = _fitted(fit_figures([*blocks, figure(200, 130, 1040, 530)], gray))
    assert (box.x0, box.y0, box.x1, box.y1) == (187, 125, 1051, 544)


def test_a_drop_cap_beside_the_picture_stays_out() -> None:
    """A drop cap's ink next to the picture is not the picture's."""
    gray, blocks = _page()
    cap = BBox(120, 160, 175, 240)
    gray[160:240, 120:175] = 30
    (box,) = _fitted(fit_figures([*blocks, figure(115, 120, 1060, 550)], gray, [cap]))
    assert box.x0 == 187
    (grown,) = _fitted(fit_figures([*blocks, figure(115, 120, 1060, 550)], gray))
    assert grown.x0 == 120  # unnamed, the same ink is taken for part of the picture


def test_streaks_at_the_page_edge_are_no_picture() -> None:
    """A 'figure' of scanner streaks and gutter shadow at the page's edge is dropped; a real
    picture on the same page stays."""
    gray, blocks = _page()
    for y in range(800, 1200, 12):
        gray[y : y + 6, 0:90] = 90  # streaks running in from the left edge
    out = fit_figures([*blocks, figure(0, 790, 100, 1210), figure(150, 95, 1080, 560)], gray)
    assert len(_fitted(out)) == 1 and _fitted(out)[0].x0 == 187


def test_an_axis_with_names_under_it_is_no_running_head_rule() -> None:
    """A chart's base line, as wide as the text block, with bars over it and names under
    it, is part of the chart."""
    gray, blocks = _page()
    gray[100:106, :] = 240  # no running-head rule on this page
    gray[1200:1203, 113:1128] = 40  # the axis
    gray[1050:1200, 300:360] = gray[1100:1200, 500:560] = 90  # bars
    gray[1210:1230, 300:360] = 40  # a name under a bar
    (box,) = _fitted(fit_figures([*blocks, figure(100, 1040, 1140, 1240)], gray))
    assert (box.y0, box.y1) == (1050, 1230)
