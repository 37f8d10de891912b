"""Property tests: random boxes and text never crash the layout stages and lose no text
(except furniture, which the flow leaves out on purpose)."""

from __future__ import annotations

from collections import Counter

from helpers.layout_pages import block, book, figure, line, page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitize.model import FURNITURE_KINDS, Book, Figure, Footnote, Heading, ListBlock, Paragraph
from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder
from digitize.stages.layout.furniture import RunningFurniture

WORDS = st.sampled_from(
    [
        "Tập",
        "hợp",
        "đề",
        "educa-",
        "tion",
        "well-",
        "known",
        "1.2",
        "Chương",
        "Hình",
        "•",
        "a)",
        "12",
        "xiv",
        "COVID-",
        "19",
        "the",
        "Việt",
        "Nam.",
        "*",
        "ấy",
        "Bài",
        "3",
    ]
)
LINE = st.tuples(
    st.lists(WORDS, min_size=1, max_size=8),
    st.integers(0, 1800),  # x
    st.integers(0, 2900),  # y
    st.sampled_from([20, 30, 30, 30, 45]),  # type size
)
PAGE = st.tuples(
    st.lists(st.lists(LINE, min_size=1, max_size=6), min_size=0, max_size=6),
    st.lists(st.tuples(st.integers(0, 1500), st.integers(0, 2500)), max_size=2),
)


def _chars(texts: list[str]) -> Counter[str]:
    return Counter(c for t in texts for c in t if c.isalnum())


def _flow_texts(b: Book) -> list[str]:
    out: list[str] = []
    for it in b.flow:
        if isinstance(it, (Paragraph, Heading)):
            out.append(it.text)
        elif isinstance(it, ListBlock):
            out.extend(it.items)
        elif isinstance(it, Footnote):
            out += [it.mark, it.text]
        elif isinstance(it, Figure):
            out.append(it.caption)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAGE, min_size=1, max_size=4))
def test_random_pages_lose_no_body_text(pages_spec: list) -> None:  # type: ignore[type-arg]
    pages = []
    for i, (blocks_spec, figs) in enumerate(pages_spec):
        blocks = [
            block("paragraph", [line(" ".join(ws), x, y, h) for ws, x, y, h in lines])
            for lines in blocks_spec
        ]
        blocks += [figure(x, y, x + 300, y + 200) for x, y in figs]
        pages.append(page(i, blocks))
    ctx = Context()
    laid = [BlockLayout().process_page(p, ctx) for p in pages]
    for before, after in zip(pages, laid, strict=True):
        if not any(b.kind == "figure" for b in before.blocks):  # text inside figures is dropped
            assert _chars([b.text for b in before.blocks]) == _chars([b.text for b in after.blocks])
    b = RunningFurniture().process_book(book(laid), ctx)
    body = [blk.text for p in b.pages for blk in p.blocks if blk.kind not in FURNITURE_KINDS]
    flow = FlowBuilder().process_book(b, ctx)
    assert not _chars(body) - _chars(_flow_texts(flow))
    assert sum(1 for it in flow.flow if it.kind == "page_break") + sum(
        len(it.breaks) for it in flow.flow if isinstance(it, Paragraph)
    ) == len(pages)
