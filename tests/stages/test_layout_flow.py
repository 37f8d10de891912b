from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers.layout_pages import block, book, figure, line, page, para
from PIL import Image

from digitize.model import (
    Book,
    BookMeta,
    Figure,
    Footnote,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
)
from digitize.stage import Context
from digitize.stages.layout.flow import FlowBuilder

FULL = "một dòng chữ đầy đủ chạy hết chiều rộng của cột văn bản này"


def run(b: Book, **kw) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    return FlowBuilder(FlowBuilder.Options(**kw)).process_book(b, Context()).flow


def paras(flow: tuple) -> list[str]:  # type: ignore[type-arg]
    return [i.text for i in flow if isinstance(i, Paragraph)]


def test_pages_give_breaks_paragraphs_headings_and_skip_furniture() -> None:
    p0 = page(
        0,
        [
            block("header", [line("Running head", 800, 50)]),
            block("heading", [line("Chương 1", 200, 200, h=60)], level=2),
            para(["Một đoạn văn", "hai dòng."], 200, 400),
            block("page_number", [line("7", 1000, 2900)]),
        ],
        label="7",
    )
    flow = run(book([p0]))
    assert flow[0] == PageBreak(0, "7")
    assert flow[1] == Heading("Chương 1", 1)
    assert paras(flow) == ["Một đoạn văn hai dòng."]
    assert len(flow) == 3


def test_figure_needs_an_image_and_is_cropped_with_its_caption(tmp_path: Path) -> None:
    Image.new("RGB", (400, 600), "white").save(tmp_path / "p0.png")
    blocks = [figure(50, 60, 250, 160), block("caption", [line("Hình 1. Con mèo", 60, 170, h=20)])]
    with_img = page(0, blocks, size=(400, 600), image="p0.png")
    no_img = page(1, blocks, size=(400, 600))
    flow = run(book([with_img, no_img], str(tmp_path)))
    figs = [i for i in flow if isinstance(i, Figure)]
    assert len(figs) == 1
    assert figs[0].caption == "Hình 1. Con mèo"
    assert figs[0].image.startswith("figures/") and (tmp_path / figs[0].image).is_file()
    with Image.open(tmp_path / figs[0].image) as im:
        assert im.size == (200, 100) == (figs[0].width, figs[0].height)
    assert "Hình 1. Con mèo" in paras(flow)  # no image: the caption text is not lost


def test_layout_blocks_crops_figures_in_the_worker_and_flow_finds_them(tmp_path: Path) -> None:
    """The crop is made by the page stage (in parallel, from the pixels in memory); the book
    stage, which runs after the last page, only finds it. Same file either way."""
    import dataclasses

    import numpy as np

    from digitize.images import PageImages
    from digitize.stages.layout.blocks import BlockLayout

    rel = "pages/p0001-0123456789abcdef.png"  # a content-derived name, as ingest writes
    (tmp_path / "pages").mkdir()
    pixels = np.full((600, 400), 255, np.uint8)
    pixels[70:150, 60:240] = 40
    Image.fromarray(pixels).save(tmp_path / rel)
    images = PageImages(defer=True)
    images.read(tmp_path / rel, rel)  # as OCR leaves it: the chain holds the pixels
    blocks = [figure(50, 60, 250, 160), block("caption", [line("Hình 1. Con mèo", 60, 170, h=20)])]
    pg = page(0, blocks, size=(400, 600), image=rel)
    ctx = dataclasses.replace(Context(work_dir=str(tmp_path)), images=images)
    laid = BlockLayout(BlockLayout.Options(resegment=False)).process_page(pg, ctx)
    crops = list((tmp_path / "figures").iterdir())
    assert len(crops) == 1
    stamp = crops[0].stat().st_mtime_ns
    flow = run(book([laid], str(tmp_path)))
    figs = [i for i in flow if isinstance(i, Figure)]
    assert [tmp_path / f.image for f in figs] == crops and crops[0].stat().st_mtime_ns == stamp
    with Image.open(crops[0]) as im:
        assert im.size == (200, 100) and np.array_equal(np.asarray(im), pixels[60:160, 50:250])
    crops[0].unlink()  # a layout from the cache whose crop is gone: flow makes it again
    again = [i for i in run(book([laid], str(tmp_path))) if isinstance(i, Figure)]
    assert again == figs and crops[0].is_file()


def test_dehyphenation_uses_the_book_and_keeps_real_compounds() -> None:
    p = page(
        0,
        [
            para(
                [
                    "the educa-",
                    "tion of a well-",
                    "known data-",
                    "base and COVID-",
                    "19 in the database",
                    "and the Mát-",
                    "xcơ-va trip.",
                ],
                200,
                200,
            ),
        ],
    )
    (text,) = paras(run(book([p])))
    assert "education of a well-known database and COVID-19" in text
    assert "Mát-xcơ-va" in text
    (raw,) = paras(run(book([p]), dehyphenate=False))
    assert "educa- tion" in raw


def test_paragraph_continued_over_a_page_break_is_one_paragraph() -> None:
    p0 = page(
        0, [para(["Đoạn đầu kết thúc.", FULL, FULL + " và tiếp"], 200, 200, indent=60)], label="12"
    )
    p1 = page(
        1,
        [
            para(["tục ở trang sau.", "Câu sau."], 200, 200),
            para(["Đoạn mới hẳn.", FULL], 200, 400, indent=60),
        ],
        label="13",
    )
    flow = run(book([p0, p1]))
    items = [i for i in flow if isinstance(i, Paragraph)]
    assert len(items) == 2
    first = items[0]
    assert first.text.startswith("Đoạn đầu") and "và tiếp tục ở trang sau." in first.text
    ((offset, index, label),) = first.breaks
    assert (index, label) == (1, "13") and first.text[offset:].startswith("tục")
    assert [i for i in flow if isinstance(i, PageBreak)] == [PageBreak(0, "12")]


def test_heading_levels_lists_and_footnotes() -> None:
    p = page(
        0,
        [
            block("heading", [line("Chương 1. Tập hợp", 200, 100, h=60)], level=2),
            block("heading", [line("1.1 Khái niệm", 200, 200, h=40)], level=4),
            block("heading", [line("Ghi nhớ", 200, 260, h=40)]),
            para(["Có hai loại¹ tập hợp:"], 200, 320),
            block("list_item", [line("• hữu hạn", 200, 370)]),
            block("list_item", [line("• vô hạn", 200, 410)]),
            block("list_item", [line("a) bài một", 200, 450)]),
            block("footnote", [line("¹ Theo định nghĩa.", 200, 2800, h=20)]),
        ],
    )
    flow = run(book([p]))
    heads = [(i.text, i.level) for i in flow if isinstance(i, Heading)]
    assert heads == [("Chương 1. Tập hợp", 1), ("1.1 Khái niệm", 2), ("Ghi nhớ", 2)]
    lists = [i for i in flow if isinstance(i, ListBlock)]
    assert lists == [ListBlock(("• hữu hạn", "• vô hạn"), False), ListBlock(("a) bài một",), True)]
    assert Footnote("¹", "Theo định nghĩa.") in flow


def test_a_note_mark_read_as_exclamation_mark_is_written_back() -> None:
    """A small raised `1` OCR read as `!` is put back as `¹`, so the EPUB can link it."""
    p = page(
        0,
        [
            para(["Writing changed the way! knowledge was kept", FULL], 200, 200),
            block("footnote", [line("1 A unit of length.", 200, 2800, h=20)]),
        ],
    )
    flow = run(book([p]))
    (para_,) = [i for i in flow if isinstance(i, Paragraph)]
    assert "the way¹ knowledge" in para_.text and "!" not in para_.text
    assert flow[flow.index(para_) + 1] == Footnote("1", "A unit of length.")


def test_a_vietnamese_paragraph_in_an_english_book_is_tagged() -> None:
    p = page(
        0,
        [
            para(["This paragraph is written in English."], 200, 200),
            para(["Đoạn này viết bằng tiếng Việt."], 200, 400),
            para(["Figure 12"], 200, 600),  # names and numbers prove nothing
        ],
    )
    en = replace(book([p]), meta=BookMeta(title="t", lang="en"))
    items = [i for i in run(en) if isinstance(i, Paragraph)]
    assert [i.lang for i in items] == [None, "vi", None]


def test_english_paragraph_in_a_vietnamese_book_is_tagged() -> None:
    p = page(
        0,
        [
            para(["This paragraph is written in English."], 200, 200),
            para(["Đoạn này viết bằng tiếng Việt."], 200, 400),
        ],
    )
    items = [i for i in run(book([p])) if isinstance(i, Paragraph)]
    assert [i.lang for i in items] == ["en", None]


def test_a_figure_inside_a_paragraph_does_not_cut_it() -> None:
    p = page(
        0,
        [
            para(["Đoạn văn bắt đầu ở đây.", FULL, FULL + " và"], 200, 200, indent=60),
            figure(200, 400, 1500, 900),
            para(["kết thúc sau hình.", "Dòng cuối."], 200, 950),
        ],
    )
    flow = run(book([p]))
    assert [i.kind for i in flow] == ["page_break", "paragraph"]  # no image: no figure item
    (text,) = paras(flow)
    assert "và kết thúc sau hình." in text


def test_a_capitals_line_ending_the_sentence_left_open_on_the_page_before_joins_it() -> None:
    """`... ON THE DESCENDANTS OF A` / (page break) / `COMMON ANCESTOR.`: alone at the top of
    the page, in capitals, the last line reads as a heading; it ends the open sentence."""
    title = ["THE PROBABLE EFFECTS OF THE ACTION OF NATURAL", "SELECTION ON THE DESCENDANTS OF A"]
    p0 = page(0, [para(title, 200, 2600)], label="25")
    p1 = page(1, [block("heading", [line("COMMON ANCESTOR.", 200, 200, h=34)], level=3),
                  para([FULL, "và hết."], 200, 400)], label="26")  # fmt: skip
    flow = run(book([p0, p1]))
    assert not [i for i in flow if isinstance(i, Heading)]
    assert paras(flow)[0].endswith("DESCENDANTS OF A COMMON ANCESTOR.")
    # A real heading does not end in a full stop, or differs in case: it stays a heading.
    for text in ("CHƯƠNG 2", "Chương hai."):
        p1 = page(1, [block("heading", [line(text, 200, 200, h=34)], level=3)], label="26")
        assert [i.text for i in run(book([p0, p1])) if isinstance(i, Heading)] == [text]


def test_a_word_in_capitals_split_at_a_line_end_is_joined() -> None:
    from digitize.stages.layout._hyphen import Dehyphenator

    d = Dehyphenator([])
    assert not d.keep_hyphen("CHARAC-", "TER")  # capitals say nothing about a name here
    assert d.keep_hyphen("WELL-", "KNOWN") and d.keep_hyphen("COVID-", "19")
    assert d.keep_hyphen("Jean-", "Paul")  # a capital after the hyphen: a name


def test_a_book_that_indents_only_after_a_paragraph_still_joins_a_full_line_over_pages() -> None:
    """Most blocks of an indenting book are flush (a page top continues a paragraph, the first
    paragraph after a heading is set flush), so the indent habit is read from the blocks
    standing under another paragraph: there a sentence ending a full last line at the foot
    of a page does not end the paragraph."""
    heading = block("heading", [line("Chương 2", 200, 100, h=60)], level=1)
    p0 = page(
        0,
        [
            heading,
            para(["Đoạn đầu không thụt.", FULL, FULL], 200, 200),
            para(["Đoạn thứ hai thụt vào.", FULL], 200, 400, indent=60),
            para(["Đoạn thứ ba thụt vào.", FULL, FULL + " câu xong."], 200, 520, indent=60),
        ],
        label="1",
    )
    p1 = page(
        1,
        [
            para(["Câu tiếp theo.", FULL, "ngắn."], 200, 200),
            para(["Đoạn mới thụt vào.", FULL], 200, 360, indent=60),
        ],
        label="2",
    )
    opening = [
        page(k, [heading, para(["Một đoạn.", FULL, "hết."], 200, 200)], label=str(k + 1))
        for k in (2, 3, 4)
    ]
    texts = paras(run(book([p0, p1, *opening])))
    assert any(t.endswith("câu xong. Câu tiếp theo. " + FULL + " ngắn.") for t in texts)
    assert any(t.startswith("Đoạn mới thụt vào.") for t in texts)
    assert len(texts) == 7


def test_note_marks_read_as_question_mark_or_degree_sign_are_written_back() -> None:
    """A small raised `2` reads `?`, any raised digit may read `°`: glued to a word inside a
    running sentence, on a page whose foot holds notes with those numbers, they are marks."""
    p = page(
        0,
        [
            para(["It is well worth? while to study", "the old plants° and their kinds"], 200, 200),
            block("footnote", [line("2 A note.", 200, 2700, h=20)]),
            block("footnote", [line("3 Another note.", 200, 2800, h=20)]),
        ],
    )
    flow = run(book([p]))
    (para_,) = [i for i in flow if isinstance(i, Paragraph)]
    assert "worth² while" in para_.text and "plants³ and" in para_.text
    assert [i.mark for i in flow if isinstance(i, Footnote)] == ["2", "3"]
    alone = run(book([page(0, [para(["Why? because it is so"], 200, 200)])]))
    assert paras(alone) == ["Why? because it is so"]  # no note: a question stays a question


def test_a_question_mark_is_only_the_note_mark_two() -> None:
    """`?` is how a raised `2` reads, never a `1`: note 1 takes the `!`, note 2 the `?`,
    whichever paragraph comes first."""
    p = page(
        0,
        [
            para(["Đã nói ở trên! rằng Mạnh Tử nói", FULL], 200, 200),
            para(["Những nhà tâm lý? học nay xét", FULL], 200, 400),
            block("footnote", [line("1 Một ghi chú.", 200, 2700, h=20)]),
            block("footnote", [line("2 Ghi chú khác.", 200, 2800, h=20)]),
        ],
    )
    texts = paras(run(book([p])))
    assert "trên¹ rằng" in texts[0] and "lý² học" in texts[1]
