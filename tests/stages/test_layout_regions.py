"""layout/_regions.py: the picture a caption names when the OCR reported none."""

from __future__ import annotations

import numpy as np
from helpers.layout_pages import block, line

from digitize.model import Block
from digitize.stages.layout._regions import missing_figures


def _page() -> tuple[np.ndarray, list[Block]]:
    """A running head over a rule, a heading's last line, a framed drawing, its caption."""
    gray = np.full((1754, 1240), 235, np.uint8)
    head = line("26 Đọc hiểu Đông Tây chương", 113, 60, cw=38)  # across the page
    last = line("COMMON ANCESTOR.", 113, 158)
    cap = line("Hình 1.2. Chỗ độc giả sách Nho giáo nên", 305, 564)
    for ln in (head, last, cap):
        for w in ln.words:  # the words' ink
            b = w.bbox
            gray[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)] = 40
    gray[103:106, 113:1128] = 40  # the rule under the running head
    gray[205:208, 187:1051] = gray[541:544, 187:1051] = 60  # the drawing's frame
    gray[205:544, 187:190] = gray[205:544, 1048:1051] = 60
    gray[260:400, 260:460] = 120  # something drawn in it
    blocks = [block("header", [head]), block("paragraph", [last]), block("caption", [cap])]
    return gray, blocks


def test_the_picture_stops_at_a_text_line_between_it_and_whatever_is_above() -> None:
    """The rule under a running head is ink no text explains; a heading's last line lies
    between it and the drawing. The figure is the drawing alone, so the heading's line is
    not swallowed by it (and dropped as text inside a figure)."""
    gray, blocks = _page()
    (fig,) = missing_figures(gray, blocks, 30.0)
    assert (fig.bbox.y0, fig.bbox.y1) == (205, 544)
    assert fig.bbox.x0 == 187 and fig.bbox.x1 == 1051


def test_a_label_inside_the_drawing_does_not_cut_it() -> None:
    """A word drawn beside the picture's ink, on the same rows, is part of the figure."""
    gray, blocks = _page()
    label = line("A", 700, 300)
    for w in label.words:
        gray[int(w.bbox.y0) : int(w.bbox.y1), int(w.bbox.x0) : int(w.bbox.x1)] = 40
    (fig,) = missing_figures(gray, [*blocks, block("paragraph", [label])], 30.0)
    assert (fig.bbox.y0, fig.bbox.y1) == (205, 544)


def test_names_under_an_unframed_chart_do_not_hide_it() -> None:
    """Bars with no frame, their names in small type in one row under them (`Nhóm A Nhóm B
    Nhóm C`), the caption below: the row is neither body text closing the band above the
    caption nor a line separating the bars from it."""
    gray = np.full((1754, 1240), 235, np.uint8)
    gray[250:500, 230:233] = gray[497:500, 230:480] = 40  # the axes
    for k, top in enumerate((300, 380, 270)):
        gray[top:497, 260 + 80 * k : 300 + 80 * k] = 90  # the bars
    names = line("Nhóm A Nhóm B Nhóm C", 235, 508, h=20, cw=12)
    cap = line("Hình 2.1. Người có quyền lợi", 164, 599)
    for ln in (names, cap):
        for w in ln.words:
            b = w.bbox
            gray[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)] = 40
    blocks = [block("paragraph", [names]), block("paragraph", [cap])]
    (fig,) = missing_figures(gray, blocks, 35.0)
    assert fig.bbox.y0 <= 250 and fig.bbox.y1 >= 497 and fig.bbox.x0 <= 230


def test_a_picture_wider_than_its_caption_is_found_whole() -> None:
    """No text beside the band above the caption: the band is as wide as the caption's
    column (its body lines further down), not the caption, so a wide drawing is not cut."""
    gray = np.full((1754, 1240), 235, np.uint8)
    gray[205:208, 150:1100] = gray[541:544, 150:1100] = 60  # a frame wider than the caption
    gray[205:544, 150:153] = gray[205:544, 1097:1100] = 60
    cap = line("Hình 1.1: Biểu đồ dân số", 450, 564)
    text = "Tình thế nước Tàu về đời Xuân Thu lên giữ ngôi thiên tử chế độ"
    body = [line(text, 113, 900 + 45 * k, cw=16) for k in range(3)]
    for ln in (cap, *body):
        for w in ln.words:
            b = w.bbox
            gray[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)] = 40
    blocks = [block("caption", [cap]), block("paragraph", body)]
    (fig,) = missing_figures(gray, blocks, 30.0)
    assert fig.bbox.x0 == 150 and fig.bbox.x1 == 1100
