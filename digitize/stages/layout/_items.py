"""The layout's working unit (one text line or one non-text block) and the repairs made to
OCR lines before reading order: a line run across the column gutter is cut, pieces of one
widely spaced line are joined."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from digitize.model import BBox, Block, Line, Word
from digitize.stages.layout._order import find_gutters


@dataclass(slots=True)
class Item:
    bbox: BBox
    line: Line | None = None  # None: a non-text block
    block: Block | None = None
    kind: str = "paragraph"  # a kind fixed upstream (figure, table, furniture)
    column: tuple[int, int] = (0, 0)


def split_at_gutters(items: list[Item], body_h: float, original: dict[int, Line]) -> list[Item]:
    """A line the OCR ran across the column gutter (`…eliminating   Bảng 2.2. Thì…`) is cut
    where a gap between its words spans the gutter, so each column reads its own half."""
    gutters = find_gutters([it.bbox for it in items], body_h)
    if not gutters:
        return items
    out: list[Item] = []
    for it in items:
        ln = it.line
        if (
            ln is None
            or len(ln.words) < 2
            or not any(ln.bbox.x0 < g0 and ln.bbox.x1 > g1 for g0, g1 in gutters)
        ):
            out.append(it)
            continue
        parts: list[list[Word]] = [[ln.words[0]]]
        for a, b in itertools.pairwise(ln.words):
            wide = b.bbox.x0 - a.bbox.x1 >= body_h  # wider than a justified space
            if wide and any(a.bbox.x1 <= g1 and b.bbox.x0 >= g0 for g0, g1 in gutters):
                parts.append([])
            parts[-1].append(b)
        if len(parts) == 1:
            out.append(it)
            continue
        src = original.get(id(ln), ln)
        for ws in parts:
            piece = Line(tuple(ws), BBox.enclosing([w.bbox for w in ws]))
            keep = {id(w) for w in ws}
            owords = tuple(w for w, s in zip(src.words, ln.words, strict=True) if id(s) in keep)
            original[id(piece)] = Line(owords, BBox.enclosing([w.bbox for w in owords]))
            out.append(Item(piece.bbox, piece, None, it.kind))
    return out


def join_row_pieces(items: list[Item], body_h: float, original: dict[int, Line]) -> list[Item]:
    """Pieces of one printed line the OCR reported as separate lines (a justified narrow
    column spaces words widely: `to the domestic      duck`) are joined again, never across
    a column gutter."""
    gutters = find_gutters([it.bbox for it in items], body_h)
    text = sorted(
        (it for it in items if it.line is not None and it.kind == "paragraph"),
        key=lambda it: it.bbox.x0,
    )
    gone: set[int] = set()
    merged: dict[int, Item] = {}
    for i, a in enumerate(text):
        if id(a) in gone:
            continue
        cur = a
        for b in text[i + 1 :]:
            if id(b) in gone:
                continue
            assert cur.line is not None and b.line is not None
            lo, hi = max(cur.bbox.y0, b.bbox.y0), min(cur.bbox.y1, b.bbox.y1)
            same_row = hi - lo > 0.6 * min(cur.bbox.height, b.bbox.height)
            gap = b.bbox.x0 - cur.bbox.x1
            across = any(cur.bbox.x1 <= g1 and b.bbox.x0 >= g0 for g0, g1 in gutters)
            if not same_row or not (-0.2 * body_h < gap < 4 * body_h) or across:
                continue
            words = cur.line.words + b.line.words
            line = Line(words, BBox.enclosing([w.bbox for w in words]))
            oa = original.get(id(cur.line), cur.line)
            ob = original.get(id(b.line), b.line)
            ow = oa.words + ob.words
            original[id(line)] = Line(ow, BBox.enclosing([w.bbox for w in ow]))
            gone.add(id(b))
            cur = Item(line.bbox, line, None, cur.kind)
        if cur is not a:
            merged[id(a)] = cur
    return [merged.get(id(it), it) for it in items if id(it) not in gone]
