"""The layout's working unit (one text line or one non-text block) and the repairs made to
OCR lines before reading order: a line run across the column gutter is cut, pieces of one
widely spaced line are joined."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from digitize.model import BBox, Block, Line, Word
from digitize.stages.layout._order import crosses_gutter, find_gutters
from digitize.stages.layout._stacks import MIN_GAP, side_by_side


@dataclass(slots=True)
class Item:
    bbox: BBox
    line: Line | None = None  # None: a non-text block
    block: Block | None = None
    kind: str = "paragraph"  # a kind fixed upstream (figure, table, furniture)
    column: tuple[int, int] = (0, 0)
    edges: tuple[float, float] | None = None  # text edges where a picture narrows the column


# White kept between a picture (or a caption set into the columns) and the text wrapped around
# it, in line heights: indents and short lines are measured from there.
STANDOFF = 2.0


def wrap_edges(
    items: list[Item],
    cols: dict[tuple[int, int], tuple[float, float]],
    obstacles: list[BBox],
    body_h: float,
) -> None:
    """Set `edges` on lines wrapped around an obstacle: the column's left or right text edge
    moved to the obstacle, so a line beside a photo is not taken for a short or indented one."""
    for it in items:
        if it.line is None or it.column not in cols:
            continue
        left, right = cols[it.column]
        lo, hi = left, right
        b = it.bbox
        for ob in obstacles:
            if min(b.y1, ob.y1) - max(b.y0, ob.y0) <= 0.3 * min(b.height, ob.height):
                continue
            if left < ob.x1 <= b.x0 + 0.5 * body_h:
                lo = max(lo, ob.x1 + STANDOFF * body_h)
            if b.x1 - 0.5 * body_h <= ob.x0 < right:
                hi = min(hi, ob.x0 - STANDOFF * body_h)
        if (lo, hi) != (left, right):
            it.edges = (lo, hi)


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
        out.extend(_pieces(it, parts, original))
    return out


def _pieces(it: Item, parts: list[list[Word]], original: dict[int, Line]) -> list[Item]:
    """One item per run of words, each remembering its words as the OCR gave them."""
    ln = it.line
    assert ln is not None
    src = original.get(id(ln), ln)
    out = []
    for ws in parts:
        piece = Line(tuple(ws), BBox.enclosing([w.bbox for w in ws]))
        keep = {id(w) for w in ws}
        owords = tuple(w for w, s in zip(src.words, ln.words, strict=True) if id(s) in keep)
        original[id(piece)] = Line(owords, BBox.enclosing([w.bbox for w in owords]))
        out.append(Item(piece.bbox, piece, None, it.kind))
    return out


def split_stacks(items: list[Item], body_h: float, original: dict[int, Line]) -> list[Item]:
    """A row of side-by-side blocks the OCR read as one line (`ỦY BAN NHÂN DÂN    CỘNG HÒA…`)
    is cut at its widest gap when its two pieces fall on the two sides of side-by-side blocks
    (`_stacks`). A justified line's wide space (`conditions      during several`) beside a
    centred caption in the next column stays whole: both its pieces are on one side."""
    cuts: dict[int, int] = {}  # item index -> index of the first word after the widest gap
    boxes: list[BBox] = []
    pieces: dict[int, tuple[int, int]] = {}  # item index -> its two pieces' indices in `boxes`
    for k, it in enumerate(items):
        ws = it.line.words if it.line is not None else ()
        gaps = [(b.bbox.x0 - a.bbox.x1, i + 1) for i, (a, b) in enumerate(itertools.pairwise(ws))]
        gap, at = max(gaps, default=(0.0, 0))
        if it.kind == "paragraph" and gap >= MIN_GAP * body_h:
            cuts[k] = at
            pieces[k] = (len(boxes), len(boxes) + 1)
            boxes += [BBox.enclosing([w.bbox for w in ws[:at]])]
            boxes += [BBox.enclosing([w.bbox for w in ws[at:]])]
        else:
            boxes.append(it.bbox)
    pairs = [(set(left), set(right)) for left, right in side_by_side(boxes, body_h)]
    apart = {
        k
        for k, (a, b) in pieces.items()
        if any((a in left and b in right) or (a in right and b in left) for left, right in pairs)
    }
    out: list[Item] = []
    for k, it in enumerate(items):
        if k in cuts and k in apart and it.line is not None:
            cut = list(it.line.words)
            out.extend(_pieces(it, [cut[: cuts[k]], cut[cuts[k] :]], original))
        else:
            out.append(it)
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
            if not same_row or not (-0.2 * body_h < gap < 4 * body_h):
                continue  # the common case, decided before the gutter tests
            across = any(cur.bbox.x1 <= g1 and b.bbox.x0 >= g0 for g0, g1 in gutters)
            # A caption or pull quote set between the columns is not part of a column line.
            across = across or crosses_gutter(cur.bbox, gutters, body_h) != crosses_gutter(
                b.bbox, gutters, body_h
            )
            if across:
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
