"""Property-based fuzzing of the layout stages (blocks → furniture → flow) on random pages.

OCR hands layout arbitrary boxes (overlapping, zero-sized, out of the page, inverted) and text
(hyphens, bullets, digits, Vietnamese, lone punctuation). Whatever comes in: no crash, and no
text lost: every letter and digit of every word that is not running furniture (header, footer,
page number) must reach the book's flow, once per occurrence.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitize.model import (
    FURNITURE_KINDS,
    BBox,
    Block,
    Book,
    BookMeta,
    Figure,
    Footnote,
    Heading,
    Line,
    ListBlock,
    Page,
    Paragraph,
    Table,
    Word,
)
from digitize.stage import Context
from digitize.stages.layout._text import list_mark
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder
from digitize.stages.layout.furniture import RunningFurniture

W, H = 1000, 1400
_SAMPLES = (
    "Bài học sinh đọc Chương 1 12 iv educa- tion well- known • - – a) 1. (1) * Hình "
    "Bảng Mục lục COVID-19 x² ... “Trích” Mát-xcơ-va ¬ ﬁ Nguyễn Trãi"
)
SAMPLE_TOKENS = _SAMPLES.split()
TOKENS = st.one_of(
    st.sampled_from(SAMPLE_TOKENS),
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Nd", "Pd", "Po", "Ps", "Pe", "Mn"),
            max_codepoint=0x1EFF,
        ),
        min_size=1,
        max_size=8,
    ),
)


@st.composite
def words_in(draw: st.DrawFn, x: float, y: float, h: float) -> tuple[Word, ...]:
    n = draw(st.integers(1, 7))
    out = []
    for _ in range(n):
        w = draw(st.floats(1, 160))
        text = draw(TOKENS)
        out.append(Word(text, BBox(x, y, x + w, y + h), draw(st.floats(0, 1))))
        x += w + draw(st.floats(-5, 30))  # may overlap the previous word
    return tuple(out)


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    x = draw(st.floats(-50, W))
    y = draw(st.floats(-50, H))
    h = draw(st.floats(0, 80))
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        ws = draw(words_in(x + draw(st.floats(-20, 40)), y, h))
        lines.append(Line(ws, BBox.enclosing([w.bbox for w in ws])))
        y += h + draw(st.floats(-10, 60))
    kind = draw(st.sampled_from(["paragraph"] * 6 + ["heading", "caption", "list_item", "figure"]))
    bbox = BBox.enclosing([ln.bbox for ln in lines]) if lines else BBox(x, y, x + 100, y + 100)
    return Block(kind, tuple(lines), bbox, level=1 if kind == "heading" else None)


@st.composite
def books(draw: st.DrawFn) -> Book:
    pages = []
    for i in range(draw(st.integers(1, 5))):
        bs = draw(st.lists(blocks(), max_size=6))
        label = draw(st.one_of(st.none(), st.sampled_from(["1", "2", "iv", "x"])))
        pages.append(Page(index=i, size=(W, H), dpi=300, blocks=tuple(bs), label=label))
    return Book(BookMeta(title="Fuzz"), tuple(pages))


def _chars(text: str) -> Counter[str]:
    """Letters and digits only, NFC and case-folded: hyphens, bullets and spacing may change."""
    text = unicodedata.normalize("NFC", text)
    return Counter(ch for ch in text.casefold() if ch.isalnum())


def flow_text(book: Book) -> str:
    parts: list[str] = []
    for item in book.flow:
        if isinstance(item, Heading | Paragraph):
            parts.append(item.text)
        elif isinstance(item, Figure):
            parts.append(item.caption)
        elif isinstance(item, ListBlock):
            parts.extend(item.items)
        elif isinstance(item, Table):
            parts.extend(c for row in item.rows for c in row)
            parts.append(item.caption)
        elif isinstance(item, Footnote):
            parts.append(f"{item.mark} {item.text}")
    return "\n".join(parts)


def kept_words(book: Book) -> list[str]:
    """The words the flow must hold: everything but furniture (and text inside figures), and
    a list item's bullet mark, which may be normalised (`o Bài` is a misread `• Bài`)."""
    out = []
    for p in book.pages:
        for b in p.blocks:
            if b.kind in FURNITURE_KINDS or b.kind == "figure":
                continue
            words = [w.text for ln in b.lines for w in ln.words]
            mark = list_mark(" ".join(words)) if b.kind == "list_item" and words else None
            if mark is not None and not mark[1] and words[0] == mark[0]:
                words = words[1:]
            out.extend(words)
    return out


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(book=books())
def test_layout_never_crashes_or_loses_text(book: Book, tmp_path: Path) -> None:
    ctx = Context(work_dir=str(tmp_path))
    blocks_stage = BlockLayout()
    book = book.with_pages([blocks_stage.process_page(p, ctx) for p in book.pages])
    for p in book.pages:
        assert all(b.kind for b in p.blocks)
    book = RunningFurniture().process_book(book, ctx)
    words = kept_words(book)
    out = FlowBuilder().process_book(book, ctx)
    have = _chars(flow_text(out))
    missing = _chars(" ".join(words)) - have
    assert not missing, f"lost {dict(missing)} of {words}"
    assert out.pages == book.pages or len(out.pages) == len(book.pages)


def test_zero_height_lines_do_not_divide_by_zero(tmp_path: Path) -> None:
    """Found by the fuzzer: every line 0 px high made the flow's body height 0."""
    # Away from the image edge, where a doubted word is taken for a scanner stripe (_noise).
    flat, thin = (
        Word("Bài", BBox(500, 500, 501, 500), 0.0),
        Word("Bài", BBox(500, 500, 501, 501), 0.0),
    )
    blocks = tuple(Block("paragraph", (Line((w,), w.bbox),), w.bbox) for w in (flat, thin))
    page = Page(index=0, size=(W, H), dpi=300, blocks=blocks)
    ctx = Context(work_dir=str(tmp_path))
    book = Book(BookMeta(title="Fuzz"), (BlockLayout().process_page(page, ctx),))
    out = FlowBuilder().process_book(RunningFurniture().process_book(book, ctx), ctx)
    assert _chars(flow_text(out)) == _chars("Bài Bài")


def test_footnote_mark_glued_to_its_first_word_keeps_the_word(tmp_path: Path) -> None:
    """Found by the fuzzer: `*%ÞEċ` became Footnote(mark="*", text="")."""
    blocks = []
    for i, text in enumerate(["*Xem thêm trang 5", "(1) Theo sách cũ", "¹Nguyễn Du"]):
        ws = tuple(
            Word(t, BBox(100 + 60 * k, 1200 + 30 * i, 150 + 60 * k, 1220 + 30 * i))
            for k, t in enumerate(text.split())
        )
        blocks.append(
            Block("footnote", (Line(ws, BBox.enclosing([w.bbox for w in ws])),), ws[0].bbox)
        )
    page = Page(index=0, size=(W, H), dpi=300, blocks=tuple(blocks))
    out = FlowBuilder().process_book(Book(BookMeta(), (page,)), Context(work_dir=str(tmp_path)))
    notes = [(f.mark, f.text) for f in out.flow if isinstance(f, Footnote)]
    assert notes == [("*", "Xem thêm trang 5"), ("1", "Theo sách cũ"), ("¹", "Nguyễn Du")]
