"""A title wrapped over two or three lines is one heading, whatever cut it into pieces.

Line by line a wrapped title looks like several: a centred second line stops short, a line of
display type measures just over or under the heading threshold, a continuation starts in lower
case. The geometry of the type says otherwise: the next line is set at the title's own leading
(baselines closer than a new heading's), in the same type size, in the same column, and does
not carry numbering of its own.
"""

from __future__ import annotations

from dataclasses import replace
from statistics import median

from digitize.model import BBox, Block, Line
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height

MAX_LINES = 4  # a title longer than this is a paragraph set large


def join_wrapped_titles(blocks: list[Block], body_h: float) -> list[Block]:
    """Merge each heading with the following heading-size pieces of the same title."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if prev is not None and _continues_title(prev, b, body_h):
            out[-1] = _with_lines(prev, prev.lines + b.lines)
            continue
        tail = _title_tail(prev, b, body_h) if prev is not None else None
        if prev is not None and tail is not None:
            # The title's last line, glued by the segmenter to the body under it (`đoan`).
            out[-1] = _with_lines(prev, (*prev.lines, tail))
            b = _with_lines(b, b.lines[1:])
        out.append(b)
    return out


def _with_lines(b: Block, lines: tuple[Line, ...]) -> Block:
    return replace(b, lines=lines, bbox=BBox.enclosing([ln.bbox for ln in lines]))


def _title_tail(head: Block, b: Block, body_h: float) -> Line | None:
    """The first line of paragraph `b` when it is in the title's type, not the body's."""
    if b.kind != "paragraph" or len(b.lines) < 3:
        return None
    first, rest = b.lines[0], b.lines[1:]
    if line_height(first) < 1.15 * median(line_height(ln) for ln in rest):
        return None
    piece = Block("paragraph", (first,), first.bbox)
    return first if _continues_title(head, piece, body_h) else None


def _continues_title(head: Block, b: Block, body_h: float) -> bool:
    if head.kind != "heading" or not head.lines or not b.lines:
        return False
    if len(head.lines) + len(b.lines) > MAX_LINES:
        return False
    first = b.lines[0].text.strip()
    if b.kind == "paragraph":
        # A piece the classifier refused (it starts in lower case, `struggle for`): short, and
        # every line of it clearly larger than body type (however the segmenter cut the title:
        # one line and three, or two and two).
        if len(" ".join(ln.text for ln in b.lines).split()) > 10:
            return False
        if any(line_height(ln) < 1.1 * body_h for ln in b.lines):
            return False
    elif b.kind != "heading":
        return False
    if b.level is not None or _text.heading_rank(first) is not None:
        return False  # numbered: a heading of its own (`1.1 …` under `Chương 1 …`)
    if _text.list_mark(first) is not None or _text.caption_match(first):
        return False
    last = head.lines[-1]
    ha, hb = line_height(last), line_height(b.lines[0])
    if min(ha, hb) < 0.75 * max(ha, hb):
        return False  # another type size: a subtitle or the next heading level
    h = max(ha, hb)
    top = b.lines[0].bbox
    pitch = top.cy - last.bbox.cy  # a title's own leading is at most ~1.5 em
    if not 0.5 * h < pitch < 1.6 * h:
        return False  # set apart: a new heading, not the next line of this one
    a = head.bbox
    overlap = min(a.x1, top.x1) - max(a.x0, top.x0)
    return overlap > 0.5 * min(a.width, top.width)
