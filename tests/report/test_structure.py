"""Structure doubts read off the flow: a heading in mid-sentence, a sentence broken by a figure."""

from __future__ import annotations


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
