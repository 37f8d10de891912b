from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitize import bookjson, model
from digitize.model import (
    BBox,
    Block,
    Book,
    BookMeta,
    Correction,
    Figure,
    Footnote,
    Heading,
    Line,
    ListBlock,
    Page,
    PageBreak,
    Paragraph,
    Step,
    Table,
    Word,
)

texts = st.text(max_size=30)
floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
boxes = st.builds(BBox, floats, floats, floats, floats)
words = st.builds(Word, texts, boxes, st.floats(0, 1))
lines = st.builds(Line, st.lists(words, max_size=4).map(tuple), boxes)
blocks = st.builds(
    Block,
    st.sampled_from(model.BLOCK_KINDS),
    st.lists(lines, max_size=3).map(tuple),
    boxes,
    st.none() | st.integers(1, 6),
    st.booleans(),
)
pages = st.builds(
    Page,
    index=st.integers(0, 1000),
    size=st.tuples(st.integers(1, 10000), st.integers(1, 10000)),
    dpi=st.integers(50, 1200),
    image=st.none() | texts,
    label=st.none() | texts,
    blocks=st.lists(blocks, max_size=3).map(tuple),
    skew=floats,
    steps=st.lists(st.builds(Step, texts, texts, texts), max_size=2).map(tuple),
    warnings=st.lists(texts, max_size=2).map(tuple),
    failed=st.none() | texts,
)
flow_items = st.one_of(
    st.builds(PageBreak, st.integers(0, 999), st.none() | texts),
    st.builds(Heading, texts, st.integers(1, 6)),
    st.builds(
        Paragraph,
        texts,
        st.lists(
            st.tuples(st.integers(0, 30), st.integers(0, 99), st.none() | texts), max_size=2
        ).map(tuple),
    ),
    st.builds(Figure, texts, texts),
    st.builds(ListBlock, st.lists(texts, max_size=3).map(tuple), st.booleans()),
    st.builds(Table, st.lists(st.lists(texts, max_size=3).map(tuple), max_size=3).map(tuple)),
    st.builds(Footnote, texts, texts),
)
corrections = st.builds(
    Correction,
    op=st.sampled_from(("word", "text", "kind", "join", "split", "reviewed")),
    page=st.integers(0, 999),
    block=st.integers(-1, 50),
    anchor=texts,
    box=st.none() | st.tuples(floats, floats, floats, floats),
    value=texts,
    level=st.none() | st.integers(1, 3),
    who=texts,
)
books = st.builds(
    Book,
    st.builds(BookMeta, title=texts, authors=st.lists(texts, max_size=2).map(tuple)),
    st.lists(pages, max_size=3).map(tuple),
    st.lists(flow_items, max_size=6).map(tuple),
    corrections=st.lists(corrections, max_size=3).map(tuple),
)


@given(books)
def test_book_json_round_trip_is_lossless(book: Book) -> None:
    assert bookjson.book_from_json(bookjson.book_to_json(book)) == book


@given(books)
def test_book_pickles(book: Book) -> None:
    assert pickle.loads(pickle.dumps(book)) == book


def test_book_json_is_versioned_and_rejects_others() -> None:
    text = bookjson.book_to_json(Book(BookMeta(title="Tiếng Việt")))
    assert '"schema": "digitize.book"' in text and "Tiếng Việt" in text  # not \\u-escaped
    with pytest.raises(ValueError, match="schema"):
        bookjson.book_from_json('{"book": {}}')
    with pytest.raises(ValueError, match="version"):
        bookjson.book_from_json('{"schema": "digitize.book", "version": 99, "book": {}}')


def test_nfc_composes_vietnamese() -> None:
    decomposed = "Vie\u0323\u0302t"  # V i e + dot below + circumflex + t
    assert model.nfc(decomposed) == "Việt"
    assert len(model.nfc(decomposed)) == 4


def test_page_mean_confidence_ignores_blank_words() -> None:
    b = BBox(0, 0, 1, 1)
    line = Line((Word("a", b, 0.5), Word(" ", b, 0.0), Word("b", b, 1.0)), b)
    page = Page(index=0, size=(10, 10), dpi=300, blocks=(Block("paragraph", (line,), b),))
    assert page.mean_conf == pytest.approx(0.75)
    assert Page(index=0, size=(1, 1), dpi=300).mean_conf is None


def test_bbox_overlaps_only_when_sharing_area() -> None:
    a = BBox(0, 0, 10, 10)
    assert a.overlaps(BBox(9, 9, 20, 20)) and BBox(9, 9, 20, 20).overlaps(a)
    assert not a.overlaps(BBox(10, 0, 20, 10))  # touching edges share no area
    assert not a.overlaps(BBox(0, 11, 10, 20))
