"""Issue 15: words of a chart or diagram (tick numbers, axis and box labels) stay with the
picture instead of leaking into the text as paragraphs or headings."""

from __future__ import annotations

from helpers.layout_pages import block, figure, line, page, para

from digitize.model import BBox, Block, Line, Word
from digitize.stage import Context
from digitize.stages.layout._frames import absorb_labels, drop_inside
from digitize.stages.layout.blocks import BlockLayout

LONG = "một dòng chữ đầy đủ chạy hết chiều rộng của cột văn bản này nhé bạn"


def _texts(blocks: list[Block]) -> list[str]:
    return [ln.text for b in blocks for ln in b.lines]


def test_tick_numbers_and_small_labels_beside_a_chart_join_the_figure() -> None:
    body = para([LONG] * 4 + ["cuối đoạn văn."], 200, 200)
    chart = figure(500, 700, 1500, 1200)  # the OCR boxed the bars, not the axis labels
    ticks = [block("paragraph", [line(t, 455, y, h=18)]) for t, y in (("100", 640), ("50", 700))]
    name = block("paragraph", [line("Bốc hơi", 1520, 900, h=18)])  # a name beside the drawing
    cap = block("paragraph", [line("Hình 1.2. Sản lượng lúa các vùng", 600, 1260)])
    out = BlockLayout().process_page(page(0, [body, *ticks, name, chart, cap]), Context()).blocks
    assert [b.kind for b in out] == ["paragraph", "figure", "caption"]
    fig = out[1].bbox
    assert fig.x0 <= 455 and fig.y0 <= 643 and fig.x1 >= 1520  # the crop shows the labels
    assert not any(t in _texts(list(out)) for t in ("100", "50", "Bốc hơi"))


def test_body_text_captions_and_page_numbers_near_a_figure_stay_text() -> None:
    chart = figure(500, 300, 1500, 800)
    cap_lines = [
        line(t, 600, 830 + 40 * k, h=18) for k, t in enumerate(("Ảnh chụp", "năm 1990", "ở Huế"))
    ]
    cap = block("paragraph", cap_lines)  # a caption of short small lines
    number = block("paragraph", [line("17", 980, 2900, h=18)])  # the page foot
    short = block("paragraph", [line("Câu hỏi", 500, 840)])  # body-size text
    out = absorb_labels([chart, cap, number, short], 30.0, (2000, 3000))
    assert _texts(out) == ["Ảnh chụp", "năm 1990", "ở Huế", "17", "Câu hỏi"]
    assert out[0].bbox == chart.bbox


def test_the_page_number_over_a_picture_at_the_top_of_the_page_stays_text() -> None:
    """A top margin deeper than the usual one (page number at 10 % of the height, within a
    line height and a half of the picture): the first row of text over the picture is the
    page's head, while a tick number over the picture with text above it is a label."""
    chart = figure(190, 367, 980, 1000)
    number = block("paragraph", [line("60", 193, 309, h=30)])
    head = block("paragraph", [line("NHO GIÁO - GIÁO TRÌNH ĐỌC THÊM", 1217, 292, h=30)])
    body = para([LONG] * 3, 1050, 400)
    out = absorb_labels([chart, number, head, body], 42.0, (2079, 2953))
    assert "60" in _texts(out) and out[0].bbox == chart.bbox
    tick = block("paragraph", [line("100", 150, 330, h=18)])
    out = absorb_labels([chart, tick, head, body], 42.0, (2079, 2953))
    assert "100" not in _texts(out) and out[0].bbox.y0 < 340


def test_a_label_read_into_one_line_with_the_next_column_is_cut_off() -> None:
    def w(t: str, x0: float, x1: float) -> Word:
        return Word(t, BBox(x0, 400, x1, 430), 0.9)

    words = (w("504", 240, 300), w("Ngài", 1060, 1150), w("rộng", 1170, 1260), w("hơn", 1280, 1360))
    merged = Line(words, BBox(240, 400, 1360, 430))
    out = drop_inside(block("paragraph", [merged]), [BBox(200, 350, 700, 1000)])
    assert out.lines[0].text == "Ngài rộng hơn"
    near = (w("chữ", 900, 980), w("kề", 1000, 1060), w("bên", 1080, 1300), w("nữa", 1320, 1500))
    beside = Line(near, BBox(900, 400, 1500, 430))
    kept = drop_inside(block("paragraph", [beside]), [BBox(200, 350, 1000, 1000)])
    assert kept.lines[0].text == "chữ kề bên nữa"  # text running close beside the picture stays


def test_a_short_title_centred_under_an_engraving_stays_its_caption() -> None:
    picture = figure(100, 100, 800, 1600)
    title = block("paragraph", [line("THEY TIP-TOED ALONG.", 330, 1620, h=18)])
    beside = block("paragraph", [line("Thân cây", 820, 900, h=18)])
    out = absorb_labels([picture, title, beside], 30.0, (1700, 2000))
    assert _texts(out) == ["THEY TIP-TOED ALONG."]  # the name beside it joined the picture


def test_a_caption_behind_a_stray_quote_mark_is_still_a_caption() -> None:
    from digitize.stages.layout._text import caption_match

    assert caption_match("“Figure 4.1: Growth of population")  # a speck read as a quote
    assert caption_match('"Hình 2.3 - Sơ đồ') and not caption_match("“Figures show that")
    assert caption_match("Tình 2.1. Người có quyền")  # `H` read as `T`, before a figure number
    assert not caption_match("Tình 2 người") and not caption_match("Tình hình 2.1")


def test_names_spread_under_a_charts_bars_are_no_caption() -> None:
    def w(t: str, x0: float) -> Word:
        return Word(t, BBox(x0, 1210, x0 + 40 * len(t) / 2, 1228), 0.9)

    names = (w("Nhóm", 300), w("A", 360), w("Nhóm", 600), w("B", 660), w("Nhóm", 900), w("C", 960))
    row = Line(names, BBox(300, 1210, 980, 1228))
    out = absorb_labels(
        [figure(250, 800, 1050, 1200), block("paragraph", [row])], 30.0, (1300, 2000)
    )
    assert _texts(out) == [] and out[0].bbox.y1 >= 1228


def test_names_crowded_under_a_charts_bars_are_no_caption() -> None:
    """Names wider than their bars run together (`Nhóm Ñhóm Rhóm C`): one scrap of four words
    in small type, as wide as the chart: labels, not a title centred under a picture."""

    def w(t: str, x0: float, x1: float) -> Word:
        return Word(t, BBox(x0, 511, x1, 533), 0.9)

    names = (w("Nhóm", 227, 300), w("Ñhóm", 305, 380), w("Rhóm", 385, 460), w("C", 470, 492))
    row = Line(names, BBox(227, 511, 492, 533))
    out = absorb_labels([figure(173, 238, 485, 509), block("paragraph", [row])], 35.0, (1246, 1758))
    assert _texts(out) == [] and out[0].bbox.y1 >= 533


def test_a_tick_inside_the_fitted_figure_goes_and_text_inside_stays() -> None:
    """Fitting a figure to its ink can take in a tick number the OCR read as a paragraph (its
    own picture box stopped short): the tick belongs to the picture; a sentence does not."""
    from digitize.stages.layout._frames import drop_labels_inside

    chart = figure(1100, 700, 1900, 1100)
    tick = block("paragraph", [line("100", 1130, 735, h=40)])
    words = block("paragraph", [line("Đây là một câu văn đầy đủ.", 1150, 900, h=40)])
    body = para([LONG] * 3, 200, 1300)
    # the column beside it read on one line with a tick: `… lâu ngày 100`
    beside = line("Một cái nhà cổ rất", 660, 735, h=40)
    gap = 1120 - beside.bbox.x1  # two line heights: far for words, near for a text's end
    assert 1.5 * 40 < gap < 3 * 40
    ticked = block("paragraph", [Line((*beside.words, *line("100", 1120, 735, h=40).words),
                                      BBox(660, 735, 1180, 775))])  # fmt: skip
    out = drop_labels_inside([tick, ticked, chart, words, body], 40.0, (2000, 3000))
    assert _texts(out) == [beside.text, "Đây là một câu văn đầy đủ.", LONG, LONG, LONG]
    assert out[1] is chart
