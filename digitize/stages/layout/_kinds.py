"""Naming a group of lines: heading, caption, footnote, list item or paragraph.

The evidence is the group's own type size against the body's, its first words (a heading's
numbering, a caption's `Hình 1.2`, a list mark, a note's number), its weight, and what lies
around it on the page (a figure near a caption, no body text below a footnote).
"""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

from digitize.model import FURNITURE_KINDS, BBox, Block, Line
from digitize.stages.layout import _text
from digitize.stages.layout._items import Item
from digitize.stages.layout._size import line_height
from digitize.stages.layout._weight import InkWeight

if TYPE_CHECKING:
    from digitize.stages.layout.blocks import BlockLayoutOptions

MIN_TITLE_SIZE = 0.7  # a heading is not set in type this much smaller than the body's


def size_class(line: Line, body_h: float, o: BlockLayoutOptions) -> int:
    r = line_height(line) / body_h
    return 1 if r >= o.heading_ratio else (-1 if r <= o.small_ratio else 0)


def _junk(text: str) -> bool:
    """Too few letters to be a title: `, `4Ð.`, `an` are specks read as type."""
    return sum(ch.isalpha() for ch in text) < 4


def classify(
    group: list[Item],
    groups: list[list[Item]],
    cols: dict[tuple[int, int], tuple[float, float]],
    body_h: float,
    weight: InkWeight,
    o: BlockLayoutOptions,
    original: dict[int, Line],
) -> Block:
    """Name a group of lines. Decisions use the (straightened) geometry of the group; the block
    keeps the lines as the OCR gave them."""
    head = group[0]
    if head.line is None:
        assert head.block is not None
        return head.block
    straight = tuple(it.line for it in group if it.line is not None)
    lines = tuple(original.get(id(ln), ln) for ln in straight)
    bbox = BBox.enclosing([ln.bbox for ln in lines])
    if head.kind in FURNITURE_KINDS:
        return Block(head.kind, lines, bbox)
    text = " ".join(ln.text for ln in lines)
    first = lines[0].text
    size = median(line_height(ln) for ln in lines) / body_h
    nwords = len(text.split())
    rank = _text.heading_rank(first)
    if _junk(text):
        return Block("paragraph", lines, bbox)
    if (
        rank is not None
        and len(lines) <= 3
        and nwords <= 20
        and not text.rstrip().endswith(".")
        and not _asks(text, size, lines, weight, o)
    ):
        return Block("heading", lines, bbox, int(rank) + 1)
    if rank is not None and len(lines) == 1 and nwords <= 8 and size >= 1.08:
        return Block("heading", lines, bbox, int(rank) + 1)  # `1.1 Title.`: a speck read as `.`
    if size >= o.heading_ratio and len(lines) <= 4 and _title_like(text, nwords, size):
        return Block("heading", lines, bbox, None)
    if size <= o.small_ratio and _footnote_mark(first) and _below_body(group, groups, body_h, o):
        return Block("footnote", lines, bbox)  # before the caps test: `4 OF THE SPECIES…`
    # Capitals or bold type alone do not make a title set clearly smaller than the body: a
    # label in a picture (`Nhóm A Nhóm B` in bold sans) or a speck read as letters (`HIẾN`).
    titled = size >= MIN_TITLE_SIZE
    if len(lines) <= 2 and nwords <= 12 and _text.is_upper_title(text) and titled:
        return Block("heading", lines, bbox, None)
    numbered = _text.single_number_heading(first) and len(lines) == 1 and size >= 1.08
    if numbered and not text.rstrip().endswith((".", ",", ";")):  # `2. Đắc của mình mà;`
        return Block("heading", lines, bbox, None)
    cap = _text.caption_match(first)
    sbox = BBox.enclosing([ln.bbox for ln in straight])
    if cap is not None and _is_caption(cap.end(), first, sbox, groups, body_h, len(lines)):
        return Block("caption", lines, bbox)
    if size <= o.small_ratio and _footnote_mark(first) and _below_body(group, groups, body_h, o):
        return Block("footnote", lines, bbox)
    if _text.list_mark(first) is not None:
        return Block("list_item", lines, bbox)
    short = len(lines) <= 2 and nwords <= 12 and not text.rstrip().endswith((".", ",", ";"))
    if short and titled and o.bold_ratio > 0 and weight.bold(lines, o.bold_ratio):
        return Block("heading", lines, bbox, None)
    return Block("paragraph", lines, bbox)


def _asks(
    text: str, size: float, lines: tuple[Line, ...], weight: InkWeight, o: BlockLayoutOptions
) -> bool:
    """`Bài 1. … ?` in body type and weight asks an exercise question; a lesson titled by a
    question is set larger or bolder than the body."""
    if not text.rstrip().endswith("?") or size >= 1.08:
        return False
    return not (o.bold_ratio > 0 and weight.bold(lines, o.bold_ratio))


def _title_like(text: str, nwords: int, size: float) -> bool:
    """Large type alone is weak evidence on a noisy scan: a title does not start in lower case
    or end with a hyphen or comma, and a long one needs clearly larger type."""
    t = text.strip()
    first = next((c for c in t if c.isalpha()), "")
    if first.islower() or t.endswith(("-", ",", ";")):
        return False
    return nwords <= 12 or (size >= 1.5 and nwords <= 30)


def _is_caption(
    end: int, first: str, bbox: BBox, groups: list[list[Item]], body_h: float, nlines: int
) -> bool:
    """A `Hình 1.2` line is a caption when a figure is close, or it is short and not a sentence
    that merely mentions the figure (`Hình 1.2 cho thấy…`)."""
    for g in groups:
        it = g[0]
        if it.line is None and it.kind in ("figure", "table"):
            fb = it.bbox
            near = min(abs(bbox.y0 - fb.y1), abs(fb.y0 - bbox.y1)) < 4 * body_h
            overlap = min(bbox.x1, fb.x1) - max(bbox.x0, fb.x0) > 0
            if near and overlap:
                return True
    rest = first.strip()[end:].lstrip(" .:-–—)")
    return nlines <= 3 and (not rest or not rest[0].islower())


def _footnote_mark(text: str) -> bool:
    return _text.footnote_mark(text) is not None


def _below_body(
    group: list[Item], groups: list[list[Item]], body_h: float, o: BlockLayoutOptions
) -> bool:
    """True when no body-size text sits below this group in its column."""
    top = group[0].bbox.y0
    for g in groups:
        for it in g:
            if it.line is None or it.column[1] not in (0, group[0].column[1]):
                continue
            t = it.line.text
            if _text.page_number_value(t) is not None or len(t.split()) <= 3:
                continue  # a page number or a short foot line is furniture, not body
            if it.bbox.y0 > top and size_class(it.line, body_h, o) >= 0:
                return False
    return True
