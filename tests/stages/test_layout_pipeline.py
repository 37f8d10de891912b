"""The three layout stages on real Tesseract output of a rendered textbook with exact truth."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers.render_book import boundary_f1, make_book, truth_paragraphs
from helpers.tess import ocr_page

from digitize.model import Book, BookMeta, Figure, Footnote, Heading, ListBlock, Paragraph
from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder
from digitize.stages.layout.furniture import RunningFurniture

pytestmark = [
    pytest.mark.tesseract,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed"),
]


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Book, object]:
    out = tmp_path_factory.mktemp("book")
    truth = make_book(out, pages=4, two_col=(2,))
    with ThreadPoolExecutor(2) as ex:
        pages = list(
            ex.map(
                lambda i: ocr_page(out / f"p{i:03d}.png", i, out, figures=truth.figures[i]),
                range(4),
            )
        )
    ctx = Context(work_dir=str(out))
    book = Book(BookMeta(lang="vi"), tuple(pages), (), str(out))
    book = book.with_pages([BlockLayout().process_page(p, ctx) for p in book.pages])
    book = RunningFurniture().process_book(book, ctx)
    return FlowBuilder().process_book(book, ctx), truth


def test_labels_and_no_furniture_in_the_flow(laid_out) -> None:  # type: ignore[no-untyped-def]
    book, truth = laid_out
    assert [p.label for p in book.pages] == truth.labels
    body = " ".join(i.text for i in book.flow if isinstance(i, (Paragraph, Heading)))
    assert "SÁCH THỬ" not in body and "SÁCH THU" not in body
    assert not any(i.text.strip() in truth.labels for i in book.flow if isinstance(i, Paragraph))


def test_paragraphs_hyphens_headings_and_captions(laid_out) -> None:  # type: ignore[no-untyped-def]
    book, truth = laid_out
    pred = [i.text for i in book.flow if isinstance(i, Paragraph)]
    assert boundary_f1(pred, truth_paragraphs(truth)) >= 0.95
    words = " ".join(pred).split()
    assert [w for w in words if w.endswith("-")] == []
    levels = [i.level for i in book.flow if isinstance(i, Heading)]
    assert levels == [lvl for k, _, lvl in truth.flow if k == "heading"]
    caps = [i.caption for i in book.flow if isinstance(i, Figure)]
    assert len(caps) == sum(1 for k, _, _ in truth.flow if k == "figure")
    assert all(c.startswith("Hình") for c in caps)
    for f in book.flow:
        if isinstance(f, Figure):
            assert (Path(book.work_dir) / f.image).is_file()


def test_lists_and_footnotes(laid_out) -> None:  # type: ignore[no-untyped-def]
    book, truth = laid_out
    lists = [i for i in book.flow if isinstance(i, ListBlock)]
    truth_items = [t for k, t, _ in truth.flow if k == "list"]
    assert sum(len(x.items) for x in lists) == len(truth_items)
    assert {x.ordered for x in lists} == {True, False}
    # Items keep their printed marker (model.ListBlock); a misread bullet (`s`, `e`) reads `•`.
    assert all(it.startswith("• ") for x in lists if not x.ordered for it in x.items)
    notes = [i for i in book.flow if isinstance(i, Footnote)]
    assert [n.text for n in notes] == [t for k, t, _ in truth.flow if k == "footnote"]
