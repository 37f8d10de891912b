"""Lists in EPUB, HTML, Markdown and text: answer options `A. B. C. D.` are an ordered list in
letter order (`<ol type="A">`, the letters the list's own numbering), a numbered list going on
from the page before starts where it does, any other list keeps its printed marks once.
EPUBCheck passes such lists (test_export_epub's edge book holds them)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from digitize.model import Book, BookMeta, Heading, ListBlock, Paragraph
from digitize.stage import Context
from digitize.stages.export._lists import numbering
from digitize.stages.export.epub import EpubExporter
from digitize.stages.export.html import HtmlExporter
from digitize.stages.export.md import MarkdownExporter
from digitize.stages.export.txt import TextExporter

OPTIONS = ListBlock(("A. 10", "B. <12>", "C. Hà Nội", "D. 35"), ordered=True)
GOING_ON = ListBlock(("3. Ba", "4. Bốn"), ordered=True)
BRACKETED = ListBlock(("a) một", "b) hai"), ordered=True)
SKIPPED = ListBlock(("1. Một", "3. Ba"), ordered=True)
BULLETS = ListBlock(("• táo", "• lê"))


def _book() -> Book:
    flow = (
        Heading("Bài tập", 1),
        Paragraph("Câu 1. Thủ đô của Việt Nam là gì?"),
        OPTIONS,
        Paragraph("Tiếp theo."),
        GOING_ON,
        Paragraph("Và."),
        BRACKETED,
        Paragraph("Rồi."),
        SKIPPED,
        Paragraph("Cuối."),
        BULLETS,
    )
    return Book(BookMeta(title="Lists", lang="vi", source="t.pdf"), flow=flow)


def test_regular_marks_become_the_list_s_numbering() -> None:
    assert numbering(OPTIONS) == ("A", 1, ["10", "<12>", "Hà Nội", "35"])
    assert numbering(GOING_ON) == ("1", 3, ["Ba", "Bốn"])
    assert numbering(ListBlock(("i. x", "ii. y", "iii. z"), ordered=True))[:2] == ("i", 1)  # type: ignore[index]
    assert numbering(ListBlock(("h. x", "i. y"), ordered=True))[:2] == ("a", 8)  # type: ignore[index]
    for kept in (BRACKETED, SKIPPED, BULLETS, ListBlock(("A. x", "C. y"), ordered=True)):
        assert numbering(kept) is None
    assert numbering(ListBlock(("A. x", "B. y"), ordered=False)) is None


def test_every_format_numbers_the_options_in_letter_order(tmp_path: Path) -> None:
    book, ctx = _book(), Context(work_dir=str(tmp_path))
    (epub,) = EpubExporter().export(book, tmp_path / "e", ctx)
    with zipfile.ZipFile(epub) as z:
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    html = HtmlExporter().export(book, tmp_path / "h", ctx)[0].read_text()
    for doc in (xhtml, html):
        assert '<ol type="A"><li>10</li><li>&lt;12&gt;</li><li>Hà Nội</li><li>35</li></ol>' in doc
        assert '<ol start="3"><li>Ba</li><li>Bốn</li></ol>' in doc
        assert '<ol class="marked"><li>a) một</li><li>b) hai</li></ol>' in doc
        assert '<ol class="marked"><li>1. Một</li><li>3. Ba</li></ol>' in doc
        assert '<ul class="marked"><li>• táo</li><li>• lê</li></ul>' in doc
    md = MarkdownExporter().export(book, tmp_path / "m", ctx)[0].read_text()
    assert "3. Ba\n4. Bốn" in md  # Markdown numbers from the first item's number
    assert "- A\\. 10\n- B\\. " in md or "- A. 10\n- B. " in md  # letters stay printed
    txt = TextExporter().export(book, tmp_path / "t", ctx)[0].read_text()
    assert "A. 10\nB. <12>\nC. Hà Nội\nD. 35" in txt
    assert "3. Ba\n4. Bốn" in txt
