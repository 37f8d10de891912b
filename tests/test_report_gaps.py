"""Pages with unread text (`Page.gaps`, from the coverage check) in report.json and report.html."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from report_book import report_book
from test_report_html import CHROMIUM, Dom, chromium, make_report

from digitize.model import BBox
from digitize.report.html import write_report_html
from digitize.report.pages import FlowIndex, page_data, review_order

GAP = BBox(80.0, 300.0, 900.0, 330.0)


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("gaps")
    book = report_book(tmp)
    pages = list(book.pages)
    pages[3] = dataclasses.replace(pages[3], gaps=(GAP,))  # the nearly blank page lost a line
    pages[0] = dataclasses.replace(pages[0], gaps=(GAP, BBox(80.0, 400.0, 700.0, 430.0)))
    book = book.with_pages(pages)
    report = make_report(book)
    return book, report, write_report_html(book, report, tmp / "gaps.report.html")


def test_a_page_with_a_gap_is_flagged_for_review_worst_first(gapped) -> None:  # type: ignore[no-untyped-def]
    book, report, _ = gapped
    p0 = report["pages"][0]
    assert p0["flags"] == ["unread_text"] and p0["gaps"] == [
        [80, 300, 900, 330],
        [80, 400, 700, 430],
    ]
    assert report["pages"][3]["flags"] == ["unread_text", "few_words"]
    assert report["pages"][2]["flags"] == ["failed"]  # a failed page has no gaps to speak of
    # failed first, then pages that lost text (by confidence), then the rest
    assert report["flagged_pages"] == [2, 3, 0, 1]
    flow = FlowIndex.of(book)
    views = [page_data(book, i, flow, report["pages"][i]) for i in range(len(book.pages))]
    assert [v["i"] for v in review_order(views)][:3] == [2, 3, 0]
    assert views[0]["gaps"] == [[80, 300, 900, 330], [80, 400, 700, 430]]
    assert views[1]["gaps"] == []


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_gaps_are_drawn_on_the_page_view(gapped, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _book, _report, path = gapped
    dom = Dom(chromium(path.as_uri() + "#p1", tmp_path, "--dump-dom"))
    gaps = dom.find("rect", "gap")
    assert [(g["x"], g["y"], g["width"], g["height"]) for g in gaps] == [
        ("80", "300", "820", "30"),
        ("80", "400", "620", "30"),
    ]
    assert "unread text" in dom.text["pv-head"]
    rows = [a["data-i"] for t, a in dom.elements if t == "tr" and "data-i" in a]
    assert rows[:3] == ["2", "3", "0"]
    assert "2 lines of text not read" in dom.text["flagged"]
    other = Dom(chromium(path.as_uri() + "#p2", tmp_path, "--dump-dom"))
    assert other.find("rect", "gap") == []


def test_structure_doubts_flag_a_heading_in_mid_sentence_and_a_broken_sentence() -> None:
    from digitize.model import Book, BookMeta, Figure, Heading, Page, PageBreak, Paragraph
    from digitize.report.structure import structure_doubts
    from digitize.report.summary import build_report

    flow = (
        PageBreak(0),
        Paragraph("The ship sailed at dawn."),
        Heading("Chapter II"),  # a real heading: the sentence before it ended
        Paragraph("It was a cold morning and the"),
        PageBreak(1),
        Heading("Fig. 3 The harbour"),  # a caption promoted to a heading, mid-sentence
        Paragraph("sailors were already at work on the"),
        Figure("figures/a.png"),
        Paragraph("deck, coiling ropes."),
    )
    pages = tuple(Page(i, (100, 100), 300) for i in range(2))
    book = Book(BookMeta(title="t"), pages, flow)
    doubts = structure_doubts(book)
    assert list(doubts) == [1]
    assert doubts[1] == [
        "heading in mid-sentence: “Fig. 3 The harbour”",
        "sentence broken by a figure: “…sailors were already at work on the”",
    ]
    report = build_report(
        book,
        source="x.pdf",
        pipeline={},
        stage_seconds={},
        wall_seconds=1.0,
        cached_pages=0,
        outputs=[],
        warnings=[],
    )
    assert "structure" in report["pages"][1]["flags"]
    assert "structure" not in report["pages"][0]["flags"]
    assert report["pages"][1]["structure"] == doubts[1]
