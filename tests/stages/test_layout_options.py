"""Answer options side by side (`A. 12  B. 15` / `C. 18  D. 20`): one list, in letter order."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.layout_pages import block, book, line, page
from helpers.synthbooks import convert_synth

from digitize.model import BBox, Line, ListBlock, Paragraph
from digitize.stage import Context
from digitize.stages.layout._options import split_options
from digitize.stages.layout.flow import FlowBuilder


def _texts(blocks: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(b.kind, b.text) for b in blocks]


def test_two_by_two_options_become_four_items_in_letter_order() -> None:
    q = block("paragraph", [line("Câu 3. Tổng của 7 và 5 là bao nhiêu?", 100, 100)])
    rows = block("paragraph", [line("A. 10 B.12", 130, 150), line("C. 14 D. 35", 130, 200)])
    after = block("paragraph", [line("Một đoạn văn sau câu hỏi.", 100, 260)])
    out = split_options([q, rows, after])
    assert _texts(out) == [
        ("paragraph", "Câu 3. Tổng của 7 và 5 là bao nhiêu?"),
        ("list_item", "A. 10"),
        ("list_item", "B. 12"),
        ("list_item", "C. 14"),
        ("list_item", "D. 35"),
        ("paragraph", "Một đoạn văn sau câu hỏi."),
    ]


def test_options_across_blocks_and_four_on_a_line() -> None:
    one = block("paragraph", [line("A. Hà Nội B. Huế C. Đà Nẵng D. Cần Thơ", 130, 150)])
    assert [t for _, t in _texts(split_options([one]))] == [
        "A. Hà Nội",
        "B. Huế",
        "C. Đà Nẵng",
        "D. Cần Thơ",
    ]
    a = block("paragraph", [line("A. một B. hai", 130, 150)])
    c = block("list_item", [line("C. ba D. bốn", 130, 200)])
    assert len(split_options([a, c])) == 4
    # a row of options spaced wide reads like a heading: still options
    wide = block("heading", [line("A. 594 B. 775 C. 163 D. 153", 130, 150)], level=2)
    assert [b.kind for b in split_options([wide])] == ["list_item"] * 4


def test_sentences_with_letters_are_not_options() -> None:
    kept = [
        block("paragraph", [line("A. Smith met B. Jones in the town.", 100, 100)]),
        block("paragraph", [line("B. The letters do not start at A.", 100, 150)]),
        block(
            "paragraph",
            [line("A. first line of a paragraph", 100, 200), line("that wraps on.", 100, 240)],
        ),
    ]
    assert split_options(kept) == kept


def test_the_flow_makes_the_options_one_list(tmp_path: Path) -> None:
    q = block("paragraph", [line("Câu 1. Chọn đáp án đúng.", 100, 100)])
    rows = block("paragraph", [line("A. 10 B. 12", 130, 150), line("C. 14 D. 35", 130, 200)])
    p = page(0, split_options([q, rows]), size=(1200, 1600))
    flow = FlowBuilder().process_book(book([p], str(tmp_path)), Context(str(tmp_path))).flow
    lists = [i for i in flow if isinstance(i, ListBlock)]
    assert [i.items for i in lists] == [("A. 10", "B. 12", "C. 14", "D. 35")]
    assert lists[0].ordered  # lettered options: exporters number them A, B, C, D
    assert [i.text for i in flow if isinstance(i, Paragraph)] == ["Câu 1. Chọn đáp án đúng."]


@pytest.mark.slow
@pytest.mark.tesseract
def test_a_question_in_body_type_is_not_a_lesson_heading(tmp_path: Path) -> None:
    """`Bài 1. … ?` numbers an exercise with the Lesson keyword: in body type and weight it is a
    question, not a heading, and its options are one ordered list (a synthetic Vietnamese book
    whose design sets exercises)."""
    from digitize.lab.synth.book import BookSpec

    design = (("emphasis", 1.0), ("bullet", "–"), ("chart_labels", False), ("exercises", 0.15))
    spec = BookSpec(lang="vi", pages=6, level="light", seed=3, design=design)
    truth, flow, scores = convert_synth(tmp_path, spec)
    assert any(it.get("text", "").startswith(("Bài", "Câu")) for it in truth["flow"])
    headings = [it["text"] for it in flow if it["kind"] == "heading"]
    assert not any(h.rstrip().endswith("?") for h in headings), headings
    assert scores["heading_precision"] == 1.0, headings
    # every question's options come out as one ordered list, in letter order
    options = [it for it in flow if it["kind"] == "list" and it["items"][0].startswith("A.")]
    assert options and all(it["ordered"] for it in options), options
    assert scores["list_recall"] == 1.0, [it["items"] for it in flow if it["kind"] == "list"]


def _row(options: list[str], x: float, y: float, step: float = 300) -> Line:
    """Options set in columns `step` apart, read as one line."""
    words = [w for k, t in enumerate(options) for w in line(t, x + k * step, y).words]
    return Line(tuple(words), BBox.enclosing([w.bbox for w in words]))


def test_marks_a_noisy_scan_misread_still_count_the_options() -> None:
    """`B:`, `Be`, `Cc.`, `.__D.`: the next letter and a sign or two, after a gap far wider
    than a space (options stand in columns). No row loses an option to a misread mark."""
    row = block("paragraph", [_row(["A, 348", "Be 527", "Cc. 514", ".__D. 66"], 130, 150)])
    assert [t for _, t in _texts(split_options([row]))] == ["A. 348", "B. 527", "C. 514", "D. 66"]
    # ...but a word of the option's text is no mark: `Be` after a plain space stays text
    kept = block("paragraph", [line("A. To Be or not C. so D. it", 130, 150)])
    assert split_options([kept]) == [kept]


def test_an_option_that_wraps_stays_one_option() -> None:
    """One option a line, the second too long for its line: its wrapped rest hangs under its
    text and joins it; the next mark opens the next option."""
    rows = block(
        "paragraph",
        [
            line("A. Nước bốc hơi.", 130, 150),
            line("B. Hơi nước bay lên cao, gặp lạnh thì", 130, 200),
            line("ngưng tụ thành mây.", 175, 250),
            line("C. Mưa rơi xuống.", 130, 300),
            line("D. Cả ba ý trên.", 130, 350),
        ],
    )
    out = split_options([rows])
    assert [t.replace("\n", " ") for _, t in _texts(out)] == [
        "A. Nước bốc hơi.",
        "B. Hơi nước bay lên cao, gặp lạnh thì ngưng tụ thành mây.",
        "C. Mưa rơi xuống.",
        "D. Cả ba ý trên.",
    ]


def test_a_row_of_options_glued_to_its_question_is_taken_out() -> None:
    q = block(
        "paragraph",
        [
            line("Câu 3. Giữ lấy cái tâm, biết rõ lẽ trời?", 100, 100),
            line("A. một B. hai", 130, 150),
        ],
    )
    rest = block("paragraph", [line("C. ba D. bốn", 130, 200)])
    assert _texts(split_options([q, rest])) == [
        ("paragraph", "Câu 3. Giữ lấy cái tâm, biết rõ lẽ trời?"),
        ("list_item", "A. một"),
        ("list_item", "B. hai"),
        ("list_item", "C. ba"),
        ("list_item", "D. bốn"),
    ]


def test_an_option_cleaning_dropped_comes_back_from_the_ocr_words() -> None:
    """The engine read `C. 79` as `C7` at confidence 0 and cleaning dropped it as a scrap: the
    row skips from B to D, and the word the OCR gave in that gap is option C."""
    full = _row(["A. 229", "B.410", "C7", "D. 346"], 130, 150)
    cleaned = Line(tuple(w for w in full.words if w.text != "C7"), full.bbox)
    row = block("paragraph", [cleaned])
    assert [t for _, t in _texts(split_options([row], full.words))] == [
        "A. 229",
        "B. 410",
        "C. 7",
        "D. 346",
    ]
    # without the OCR's words the letters do not run on (A, B, D): no options, the row stays
    assert split_options([row]) == [row]


def test_options_and_the_list_after_them_are_two_lists(tmp_path: Path) -> None:
    """Options, then a lettered list (`a)`), then the next question's options: three lists."""
    rows = [
        block("paragraph", [line("A. 229 B. 410", 130, 150), line("C. 79 D. 346", 130, 200)]),
        block("list_item", [line("a) Cây ở trên;", 100, 260)]),
        block("list_item", [line("b) Ở vào cõi.", 100, 305)]),
        block("paragraph", [line("A. một B. hai C. ba D. bốn", 130, 370)]),
    ]
    p = page(0, split_options(rows), size=(1200, 1600))
    flow = FlowBuilder().process_book(book([p], str(tmp_path)), Context(str(tmp_path))).flow
    assert [i.items for i in flow if isinstance(i, ListBlock)] == [
        ("A. 229", "B. 410", "C. 79", "D. 346"),
        ("a) Cây ở trên;", "b) Ở vào cõi."),
        ("A. một", "B. hai", "C. ba", "D. bốn"),
    ]
