"""A small English book for exporter tests: notes all marked `1`, labelled, unlabelled and
uncaptioned figures, tables, skipped heading levels."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from digitize.model import Book, Figure, Footnote, Heading, PageBreak, Paragraph, Table
from digitize.testing import sample_book


def english_book(tmp_path: Path) -> Book:
    """An English book: three notes all marked `1` in one chapter (one per page, as printed),
    a labelled and an unlabelled caption, an uncaptioned figure, a table, skipped levels."""
    base = sample_book(tmp_path)
    fig = "figures/fig1.png"
    flow = (
        PageBreak(0, "1"),
        Heading("Chapter 1. Forces", 1),
        Heading("Deep section", 3),
        Paragraph("Newton described the way¹ bodies move."),
        Footnote("1", "A unit of length equal to about two metres."),
        Figure(fig, "Figure 2.3. A falling apple", 160, 120),
        PageBreak(1, "2"),
        Paragraph("Changed habits produce an¹ inherited effect, see Figure 2.3."),
        Footnote("1", "The spelling follows the original edition."),
        Figure(fig, "An apple tree in flower", 160, 120),
        Heading("Deeper still", 5),
        PageBreak(2, "3"),
        Paragraph("Any variation which is¹ not inherited is unimportant."),
        Footnote("1", "Figures are rounded."),
        Figure(fig, "", 160, 120),
        Table(
            (("Body", "Mass (kg)", "Speed"), ("Apple", "0.2", "3.1"), ("Moon", "7.3e22", "1022"))
        ),
        Table((("Name", "Role"), ("Newton", "physicist"))),
        Heading("Chapter 2. Light", 1),
        Paragraph("Đây là một đoạn văn tiếng Việt trong sách tiếng Anh.", lang="vi"),
    )
    meta = replace(base.meta, title="General Science", lang="en")
    return replace(base, meta=meta, flow=flow)
