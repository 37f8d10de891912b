"""Issue 15: wrapped titles stay one heading; running heads set close to the text or in large
capitals are found by what repeats, while the chapter titles they repeat stay headings."""

from __future__ import annotations

from helpers.layout_pages import block, book, line, page, para

from digitize.model import Heading, Page
from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder
from digitize.stages.layout.furniture import RunningFurniture

BODY = "Nội dung của trang sách này là một đoạn văn khá dài để làm thân trang sách"


def _flow(pages: list[Page]) -> list:  # type: ignore[type-arg]
    ctx = Context()
    laid = [BlockLayout().process_page(p, ctx) for p in pages]
    b = RunningFurniture().process_book(book(laid), ctx)
    return list(FlowBuilder().process_book(b, ctx).flow)


def _body(y: float, n: int = 6) -> list:  # type: ignore[type-arg]
    return [para([BODY] * (n - 1) + ["cuối đoạn."], 200, y, indent=60)]


def test_a_centred_title_wrapped_over_three_lines_is_one_heading() -> None:
    # Centred lines stop short of the column edge, and the lower-case piece is no title alone.
    title = [
        line("Chapter 2. The struggle", 620, 300, h=60),
        line("for existence in a", 700, 385, h=60),
        line("large sense", 820, 470, h=58),
    ]
    pages = [page(0, [block("paragraph", title), *_body(650)])]
    heads = [it for it in _flow(pages) if isinstance(it, Heading)]
    assert [h.text for h in heads] == ["Chapter 2. The struggle for existence in a large sense"]


def test_a_title_and_the_heading_under_it_stay_two_headings() -> None:
    pages = [
        page(
            0,
            [
                block("paragraph", [line("CHƯƠNG 3. NƯỚC ĐẠI VIỆT", 200, 300, h=60)]),
                block("paragraph", [line("3.1. Nhà Lý dời đô", 200, 385, h=44)]),  # numbered
                block("paragraph", [line("ĐỔNG TRỌNG THƯ", 200, 560, h=56)]),  # set apart
                *_body(700),
            ],
        )
    ]
    heads = [it.text for it in _flow(pages) if isinstance(it, Heading)]
    assert heads == ["CHƯƠNG 3. NƯỚC ĐẠI VIỆT", "3.1. Nhà Lý dời đô", "ĐỔNG TRỌNG THƯ"]


def _book_pages(head_h: float, head_gap: float) -> list[Page]:
    """Eight pages: chapter openings (no running head) on 0 and 5; otherwise the book title on
    even pages and the chapter title on odd ones, `head_gap` above the body at `head_h`."""
    chapters = {0: "THIÊN II. XUÂN THU THỜI ĐẠI", 5: "THIÊN VII. CÁC HỌC PHÁI"}
    pages = []
    current = ""
    for i in range(8):
        blocks = []
        if i in chapters:
            current = chapters[i]
            blocks.append(block("paragraph", [line(current, 200, 300, h=80)]))
            blocks += _body(480)
        else:
            head = current if i % 2 else "NHO GIÁO GIÁO TRÌNH"
            y = 200 - head_h - head_gap
            blocks.append(block("paragraph", [line(head, 600, y, h=head_h)]))
            blocks += _body(200)
        blocks.append(block("paragraph", [line(str(i + 41), 980, 2900)]))
        pages.append(page(i, blocks))
    return pages


def test_running_heads_at_the_body_leading_do_not_leak() -> None:
    for head_h, gap in ((30.0, 15.0), (52.0, 12.0)):  # small type; capitals larger than body
        flow = _flow(_book_pages(head_h, gap))
        heads = [it.text for it in flow if isinstance(it, Heading)]
        assert heads == ["THIÊN II. XUÂN THU THỜI ĐẠI", "THIÊN VII. CÁC HỌC PHÁI"], (head_h, heads)
        text = " ".join(getattr(it, "text", "") for it in flow)
        assert "NHO GIÁO GIÁO TRÌNH" not in text, head_h


def test_a_page_break_after_an_initial_does_not_end_the_paragraph() -> None:
    from digitize.stages.layout._text import ends_sentence

    assert not ends_sentence("no one has treated this subject better than W.")
    assert not ends_sentence("as shown by Mr.") and ends_sentence("the end of it.")
    assert ends_sentence("Chương 1.")


def test_a_title_tail_glued_to_the_body_under_it_goes_back_to_the_title() -> None:
    title = block("paragraph", [line("Chương 1. Lời phát", 200, 300, h=48)])
    tail = line("đoan", 200, 366, h=48)  # lower case: no title alone, so the body takes it
    body = para([BODY] * 4 + ["cuối đoạn."], 200, 440, indent=60)
    glued = block("paragraph", [tail, *body.lines])
    heads = [it.text for it in _flow([page(0, [title, glued])]) if isinstance(it, Heading)]
    assert heads == ["Chương 1. Lời phát đoan"]


def test_a_title_line_repeated_on_two_chapter_openings_is_no_running_head() -> None:
    """`Lời phát / đoan` opens two chapters three pages apart: the repeated `đoan` sits under
    a title line, where no running head does."""
    pages = []
    for i in range(4):
        blocks = []
        if i in (0, 2):
            n = 1 + i
            blocks.append(block("heading", [line(f"Chương {n}. Lời phát", 200, 300, h=60)]))
            blocks.append(block("heading", [line("đoan", 200, 385, h=60)]))
        blocks += _body(600)
        blocks.append(block("paragraph", [line(str(i + 41), 980, 2900)]))
        pages.append(page(i, blocks))
    heads = [it.text for it in _flow(pages) if isinstance(it, Heading)]
    assert heads == ["Chương 1. Lời phát đoan", "Chương 3. Lời phát đoan"]


def test_unnumbered_headings_of_one_size_share_a_level_despite_blur() -> None:
    """A heavy scan measures one section size anywhere from 1.1 to 1.5 body heights: the
    book's heading sizes fall into two runs (chapters, sections), one level each."""
    sections = [
        ("QUAN NIỆM VỀ TRỜI", 34.0),
        ("ĐẠO CỦA KHỔNG TỬ", 44.0),
        ("HÌNH NHI HẠ HỌC", 37.0),
        ("QUÂN TỬ VÀ TIỂU NHÂN", 42.0),
    ]
    pages = []
    for i, (text, h) in enumerate(sections):
        blocks = []
        if i % 2 == 0:
            blocks.append(block("paragraph", [line(f"THIÊN {i + 3}. HỌC THUYẾT", 200, 300, h=64)]))
        blocks.append(block("paragraph", [line(text, 200, 480, h=h)]))
        blocks += _body(600)
        pages.append(page(i, blocks))
    heads = [(it.text, it.level) for it in _flow(pages) if isinstance(it, Heading)]
    assert [lv for t, lv in heads if t.startswith("THIÊN")] == [1, 1], heads
    assert [lv for t, lv in heads if not t.startswith("THIÊN")] == [2, 2, 2, 2], heads


def test_capitals_or_bold_in_small_type_make_no_heading() -> None:
    """Names under a chart (`NHÓM A NHÓM B`) or a speck read as capitals are set far smaller
    than the body: no title, whatever their case."""
    pages = [page(0, [*_body(300), block("paragraph", [line("NHÓM A NHÓM B", 300, 700, h=18)])])]
    flow = _flow(pages)
    assert not [it for it in flow if isinstance(it, Heading)], flow
    assert any("NHÓM A" in getattr(it, "text", "") for it in flow)


def test_a_drop_cap_joins_its_word_and_the_title_above_stays() -> None:
    """`H` dropped through three lines under a chapter title: OCR glues it to the second line
    (`H discussed…`). The letter goes back to `ow will…`, the lines beside it are no
    indented paragraph starts, and the title stays a heading."""
    from digitize.model import BBox, Line, Word

    title = block("paragraph", [line("Chương 1. Chọn lọc tự nhiên", 200, 300, h=60)])
    beside = [  # justified: they end where the body's lines end
        line("ow will the struggle for existence, briefly discussed in the last", 300, 500),
        line("discussed in the last chapter, act in regard to variation? Can the", 300, 545),
        line("principle of selection, which we have seen is so potent in the hand", 300, 590),
    ]
    cap = Word("H", BBox(200, 500, 270, 617), 0.9)  # from the first line's top to line 3's base
    glued = Line((cap, *beside[1].words), BBox.enclosing([cap.bbox, beside[1].bbox]))
    rest = para([BODY, BODY, "cuối đoạn."], 200, 635)
    body = block("paragraph", [beside[0], glued, beside[2], *rest.lines])
    flow = _flow([page(0, [title, body])])
    heads = [it.text for it in flow if isinstance(it, Heading)]
    paras = [it.text for it in flow if not isinstance(it, Heading) and hasattr(it, "text")]
    assert heads == ["Chương 1. Chọn lọc tự nhiên"], flow
    assert len(paras) == 1 and paras[0].startswith("How will the struggle"), paras
    assert "discussed in the last chapter" in paras[0] and " H " not in paras[0]


def test_a_speck_read_as_a_word_is_dropped() -> None:
    """`HIẾN` in a box 12 px high among 30 px lines: no print anyone could read, so neither a
    heading (capitals) nor a paragraph."""
    speck = block("paragraph", [line("HIẾN", 300, 700, h=9)])
    flow = _flow([page(0, [*_body(300), speck])])
    assert not any("HIẾN" in getattr(it, "text", "") for it in flow), flow


def test_a_numbered_title_in_body_size_and_three_larger_lines_is_one_heading() -> None:
    """The segmenter cuts `2.2. The term,` (measured just over body size: digits and commas)
    from the three larger lines under it, which go on in lower case: still one title (seen on
    eng_clean when its page was read at another scale)."""
    title = [
        line("2.2. The term,", 1080, 300, h=34),
        line("struggle for", 1080, 356, h=40),
        line("existence, used in a", 1080, 414, h=40),
        line("large sense", 1080, 472, h=40),
    ]
    pages = [page(0, [block("paragraph", title), *_body(650)])]
    heads = [it for it in _flow(pages) if isinstance(it, Heading)]
    assert [h.text for h in heads] == [
        "2.2. The term, struggle for existence, used in a large sense"
    ]
