from __future__ import annotations

from helpers.layout_pages import block, book, line, page, para

from digitize.model import Page
from digitize.stage import Context
from digitize.stages.layout.furniture import RunningFurniture

BODY = "Nội dung của trang sách này là một đoạn văn khá dài để làm thân trang"


def body_page(
    i: int, head: str | None, number: str | None, first: str = BODY, big_title: str | None = None
) -> Page:
    blocks = []
    if head is not None:
        x = 200 if i % 2 else 1300
        blocks.append(block("paragraph", [line(head, x, 80, h=26)]))
    if big_title is not None:
        blocks.append(block("heading", [line(big_title, 500, 300, h=70)]))
    blocks.append(para([first, BODY, BODY, "cuối đoạn."], 200, 500))
    if number is not None:
        blocks.append(block("paragraph", [line(number, 980, 2900)]))
    return page(i, blocks)


def kinds(p: Page) -> list[str]:
    return [b.kind for b in p.blocks]


def test_alternating_running_heads_and_counting_page_numbers() -> None:
    heads = ["TOÁN 10", "Chương 1. Mệnh đề và tập hợp"]
    pages = [body_page(i, heads[i % 2], str(i + 11)) for i in range(6)]
    out = RunningFurniture().process_book(book(pages), Context())
    for i, p in enumerate(out.pages):
        assert kinds(p)[0] == "header" and kinds(p)[-1] == "page_number", kinds(p)
        assert p.label == str(i + 11)
        assert sum(k == "paragraph" for k in kinds(p)) == 1


def test_chapter_titles_and_body_lines_are_not_running_heads() -> None:
    pages = [
        body_page(
            i,
            None,
            str(i + 1),
            first=f"Câu mở đầu số {i} khác nhau hoàn toàn",
            big_title=f"CHƯƠNG {i + 1}",
        )
        for i in range(4)
    ]
    out = RunningFurniture().process_book(book(pages), Context())
    for p in out.pages:
        assert kinds(p) == ["heading", "paragraph", "page_number"]


def test_roman_front_matter_and_labels_inferred_for_unnumbered_pages() -> None:
    numbers = ["i", "ii", None, "iv", "1", None, "3", "4"]
    pages = [body_page(i, None, n) for i, n in enumerate(numbers)]
    out = RunningFurniture().process_book(book(pages), Context())
    assert [p.label for p in out.pages] == ["i", "ii", "iii", "iv", "1", "2", "3", "4"]
    assert kinds(out.pages[2])[-1] == "paragraph"  # nothing invented on the page


def test_misread_number_among_numbered_neighbours_is_still_furniture() -> None:
    numbers = ["5", "6", "l7", "8", "9"]
    pages = [body_page(i, None, n) for i, n in enumerate(numbers)]
    out = RunningFurniture().process_book(book(pages), Context())
    assert kinds(out.pages[2])[-1] == "page_number"
    assert out.pages[2].label == "7"  # inferred from the neighbours


def test_header_with_page_number_inside_gives_the_label() -> None:
    pages = [
        body_page(i, f"{i + 20}   NGỮ VĂN 11" if i % 2 == 0 else f"BÀI 2   {i + 20}", None)
        for i in range(4)
    ]
    out = RunningFurniture().process_book(book(pages), Context())
    assert [p.label for p in out.pages] == ["20", "21", "22", "23"]
    assert all(kinds(p)[0] == "header" for p in out.pages)


def test_a_footnote_whose_mark_is_the_page_number_is_not_a_running_foot() -> None:
    """Running heads print the page number (`2 Nho giáo yếu lược` at the top); on page 2 a
    footnote at the foot happens to start with mark 2. It is not a garbled running foot."""
    pages = []
    for i in range(5):
        p = body_page(i, f"{i + 1} Nho giáo yếu lược", None)
        if i == 1:
            note = block(
                "footnote", [line("2 Những cái học thuyết tà tịch thôi hết, nhiên.", 200, 2900)]
            )
            p = page(i, [*p.blocks, note])
        pages.append(p)
    out = RunningFurniture().process_book(book(pages), Context())
    assert [p.label for p in out.pages] == ["1", "2", "3", "4", "5"]
    assert kinds(out.pages[1]) == ["header", "paragraph", "footnote"]


def test_running_head_repeating_the_chapter_title_with_a_misread_page_number() -> None:
    """Chapter titles open verso pages (no running head there); each recto repeats its
    chapter's title in small capitals at the body's leading, the page number at the outer
    edge. On a heavy scan a speck ends the number (`405.`) and a digit is misread: the line
    still repeats the title, and its number is no chapter number of its own."""
    titles = ["Chapter 3. Early Civilisations of the River", "Chapter 4. Variation under it"]
    pages: list[Page] = []
    for k, title in enumerate(titles):
        opening = [block("paragraph", [line(str(102 + 2 * k), 200, 80, h=26)])]
        opening += [block("heading", [line(title, 200, 300, h=60)])]
        opening += [para([f"Mở đầu chương {k}", BODY, BODY, "cuối đoạn."], 200, 500)]
        pages.append(page(2 * k, opening))
        number = "403." if k == 0 else "405."  # 103 and 105, misread
        head = line(f"{title.upper()} {number}", 200, 455, h=26)
        pages.append(page(2 * k + 1, [block("paragraph", [head]), para([BODY] * 4, 200, 500)]))
    out = RunningFurniture().process_book(book(pages), Context())
    for p in out.pages[1::2]:
        assert kinds(p) == ["header", "paragraph"], [b.lines[0].text for b in p.blocks]
    for p in out.pages[::2]:
        assert kinds(p) == ["page_number", "heading", "paragraph"]


def test_running_head_repeating_a_chapter_title_without_its_number() -> None:
    """`LỜI PHÁT ĐOAN` over the page after `Chương 2. Lời phát đoan`: once in the book, so
    only the title it repeats (without `Chương 2.`) tells it from a short first line."""
    opening = [block("heading", [line("Chương 2. Lời phát đoan", 300, 300, h=60)])]
    opening += [para(["Mở đầu chương", BODY, BODY, "cuối đoạn."], 200, 500)]
    follow = [block("paragraph", [line("LỜI PHÁT ĐOAN", 200, 80, h=26)])]
    follow += [para([BODY] * 4, 200, 500)]
    out = RunningFurniture().process_book(book([page(0, opening), page(1, follow)]), Context())
    assert kinds(out.pages[1]) == ["header", "paragraph"]
    assert kinds(out.pages[0]) == ["heading", "paragraph"]


def test_a_line_on_the_page_numbers_row_is_a_running_head() -> None:
    """The book's title in large capitals at the body's leading, printed on two versos only
    (a short book): no repetition proves it, but it shares its row with the page number."""
    pages = []
    for i in range(4):
        blocks = []
        if i % 2 == 1:  # versos: number left, title right, close above the text
            blocks.append(block("paragraph", [line(str(i + 11), 200, 445, h=26)]))
            blocks.append(block("paragraph", [line("NHO GIÁO YẾU LƯỢC", 700, 440, h=40)]))
        else:
            blocks.append(block("paragraph", [line(str(i + 11), 980, 2900)]))
        blocks.append(para([f"Câu mở đầu {i} khác", BODY, BODY, "cuối đoạn."], 200, 500))
        pages.append(page(i, blocks))
    out = RunningFurniture().process_book(book(pages), Context())
    for p in out.pages[1::2]:
        assert sorted(kinds(p)[:2]) == ["header", "page_number"], kinds(p)
