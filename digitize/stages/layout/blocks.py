"""Per-page layout: rebuild blocks from OCR lines, classify them, put them in reading order.

OCR engines group lines into paragraphs unreliably (headings glued to body text, one paragraph
split in two, columns mixed), so we pool every text line of the page, order lines by columns
(`_order`), cut them into blocks where the geometry says a new paragraph starts (vertical gap,
first-line indent, short last line, a change of type size, a list or caption mark), then name
each block (`_kinds`): heading, caption, list_item, footnote or paragraph. When the page has an
image we also read ruled tables cell by cell (`_tables`), find the picture of a caption the OCR
missed (`_regions`) and spot bold body-size headings by ink density (`_weight`).
Running heads and page numbers need the whole book: `layout.furniture` finds them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import median
from typing import Any

from digitize.model import FURNITURE_KINDS, BBox, Block, Line, Page
from digitize.stage import Context, PageStage, opt
from digitize.stages._grids import find_frames
from digitize.stages.layout import _text
from digitize.stages.layout._asides import take_asides
from digitize.stages.layout._clean import clean_block
from digitize.stages.layout._dropcap import join_drop_caps
from digitize.stages.layout._figures import crop_figure
from digitize.stages.layout._fit import fit_figures
from digitize.stages.layout._formulas import take_formulas
from digitize.stages.layout._frames import (
    absorb_labels,
    drop_frames,
    drop_inside,
    drop_labels_inside,
    drop_nested_figures,
)
from digitize.stages.layout._items import (
    Item,
    join_row_pieces,
    split_at_gutters,
    split_stacks,
    wrap_edges,
)
from digitize.stages.layout._joins import caption_continues, runs_on, title_tail
from digitize.stages.layout._kinds import classify, size_class
from digitize.stages.layout._lists import dropped_marks, hang, list_blocks
from digitize.stages.layout._noise import edge_specks, giant_scraps
from digitize.stages.layout._notes import note_runs, raised_marks
from digitize.stages.layout._options import split_options
from digitize.stages.layout._order import reading_order
from digitize.stages.layout._pairs import split_side_by_side
from digitize.stages.layout._regions import missing_figures
from digitize.stages.layout._size import line_height
from digitize.stages.layout._skew import edge_noise, line_slope, rectify, rectify_box
from digitize.stages.layout._tables import find_tables, take_tables
from digitize.stages.layout._titles import join_wrapped_titles
from digitize.stages.layout._weight import InkWeight

TEXT_KINDS_KEPT = FURNITURE_KINDS
__all__ = ["BlockLayout"]


SPECK_SIZE = 0.35  # a lone word this much smaller than the body is a speck read as letters


@dataclass(frozen=True, slots=True)
class BlockLayoutOptions:
    heading_ratio: float = opt(1.2, "a line this many times the body glyph height is a heading")
    small_ratio: float = opt(0.86, "a line this many times the body height or less is small type")
    para_gap: float = opt(0.6, "extra vertical gap (in body line heights) that starts a paragraph")
    indent: float = opt(0.8, "first-line indent (in body line heights) that starts a paragraph")
    resegment: bool = opt(True, "rebuild paragraphs from lines instead of trusting the OCR's")
    tables: bool = opt(True, "read ruled tables (grid lines in the page image) cell by cell")
    asides: bool = opt(True, "read the text in a ruled frame (a boxed note, a sidebar) apart")
    formulas: bool = opt(True, "keep a display formula (a centred line of symbols) as a picture")
    find_figures: bool = opt(True, "find the picture of a caption the OCR reported no figure for")
    bold_ratio: float = opt(
        1.35, "a short line this many times as dark as body text is a bold heading (0: off)"
    )
    edge_noise: bool = opt(True, "drop the gutter shadow: tall narrow junk at the page edge")
    rectify: bool = opt(True, "lay out a skewed page on straightened line geometry")


class BlockLayout(PageStage[BlockLayoutOptions]):
    kind = "layout"
    name = "layout.blocks"
    version = "32"
    Options = BlockLayoutOptions
    summary = "Rebuild and classify a page's blocks (heading, caption, list, footnote) in order"

    def process_page(self, page: Page, ctx: Context) -> Page:
        if page.source == "textlayer":  # the PDF's own words: no specks, shadows or blots
            blocks = list(page.blocks)
        else:
            blocks = [b for b in (clean_block(b) for b in page.blocks) if b is not None]
            if self.options.edge_noise:
                kept = (edge_specks(b, page.size) for b in blocks if not edge_noise(b, page.size))
                blocks = giant_scraps([b for b in kept if b is not None])
        if self.options.resegment:
            blocks = _layout(page, blocks, self.options, ctx)
        # The figures' crops, made here in parallel (and from memory) rather than by
        # layout.flow in the parent after the last page.
        for b in blocks:
            if (b.kind in ("figure", "table") and not b.lines) or b.kind == "formula":
                crop_figure(Path(ctx.work_dir), page, b.bbox, gray=_held_gray(page, ctx))
        return replace(page, blocks=tuple(blocks))


def _held_gray(page: Page, ctx: Context) -> Any:
    """The page's grey pixels if the chain holds them (OCR just read them), else None. Colour
    is left to the helpers' own decoding, so their grey conversion stays what it was. Either
    way the image is on disk first: figure crops and ink weights read the file otherwise."""
    if not page.image:
        return None
    held = ctx.images.held(ctx.image_file(page))
    return held if held is not None and held.ndim == 2 else None


def _layout(page: Page, blocks: list[Block], o: BlockLayoutOptions, ctx: Context) -> list[Block]:
    items: list[Item] = []
    weight = InkWeight(ctx.work_dir, page.image, _held_gray(page, ctx))
    tables: list[Block] = []
    if o.tables and weight.pixels() is not None:
        blocks, tables = take_tables(blocks, find_tables(weight.pixels(), blocks))
    if o.asides and weight.pixels() is not None:
        blocks, asides = take_asides(blocks, find_frames(weight.pixels()))
        tables += asides  # placed like tables: whole blocks in the reading order
    if o.find_figures and weight.pixels() is not None:
        all_lines = [ln for b in blocks for ln in b.lines]
        if all_lines:
            em = float(median(line_height(ln) for ln in all_lines)) or 1.0
            blocks = blocks + missing_figures(weight.pixels(), blocks + tables, em)
    if o.formulas:
        text = [ln for b in blocks for ln in b.lines]
        if text:
            em = float(median(line_height(ln) for ln in text)) or 1.0
            boxes = [t.bbox for t in tables]  # ruled tables and frames: no formulas there
            blocks, formulas = take_formulas(blocks, em, weight.pixels(), boxes)
            tables += formulas
    blocks = drop_nested_figures(drop_frames(blocks))
    figures = [b.bbox for b in blocks if b.kind in ("figure", "table") and not b.lines]
    blocks = [drop_inside(b, figures) for b in blocks]
    label_lines = [ln for b in blocks for ln in b.lines]
    if figures and label_lines:
        em = float(median(line_height(ln) for ln in label_lines)) or 1.0
        blocks = absorb_labels(blocks, em, page.size)
        figures = [b.bbox for b in blocks if b.kind in ("figure", "table") and not b.lines]
    caps: list[BBox] = []
    if label_lines:
        blocks, caps = join_drop_caps(blocks, float(median(line_height(ln) for ln in label_lines)))
    blocks = fit_figures(blocks, weight.pixels(), caps)
    if label_lines:  # fitting may take in a label the OCR's picture box had cut off
        em = float(median(line_height(ln) for ln in label_lines))
        blocks = drop_labels_inside(blocks, em, page.size)
    slope = line_slope([ln for b in blocks for ln in b.lines]) if o.rectify else 0.0
    if abs(slope) < 0.002:  # ~0.1 degree: nothing to straighten
        slope = 0.0
    original: dict[int, Line] = {}

    def straight(ln: Line) -> Line:
        if not slope:
            return ln
        r = rectify(ln, slope)
        original[id(r)] = ln
        return r

    def box(b: BBox) -> BBox:
        return rectify_box(b, slope) if slope else b

    items.extend(Item(box(t.bbox), None, t, t.kind) for t in tables)
    for b in blocks:
        if b.kind in ("figure", "table") and not b.lines:
            items.append(Item(box(b.bbox), None, b, b.kind))
        else:
            kind = b.kind if b.kind in TEXT_KINDS_KEPT else "paragraph"
            for ln in b.lines:
                r = straight(ln)
                items.append(Item(r.bbox, r, None, kind))
    text_lines = [it.line for it in items if it.line is not None]
    if not text_lines:
        return [*tables, *blocks]
    body_h = float(median(line_height(ln) for ln in text_lines)) or 1.0
    # One `word` in type a third of the body's or less is no print anyone could read: a speck
    # the OCR took for letters (`HIẾN` 12 px high among 70 px lines).
    items = [it for it in items if it.line is None or not _speck(it.line, body_h)]
    items = split_at_gutters(items, body_h, original)
    items = join_row_pieces(items, body_h, original)
    items = split_stacks(items, body_h, original)
    placed = reading_order([it.bbox for it in items], body_h)
    ordered = []
    for p in placed:
        it = items[p.index]
        it.column = (p.section, p.column)
        ordered.append(it)
    cols = _column_extents(ordered)
    floating = {p.index for p in placed if p.floating}
    obstacles = [it.bbox for k, it in enumerate(items) if it.line is None or k in floating]
    obstacles += [box(c) for c in caps]  # the lines beside a drop cap start at its edge
    wrap_edges(ordered, cols, obstacles, body_h)
    dropped_marks(ordered, weight.pixels(), body_h, original)
    gap = _typical_gap(ordered, body_h)
    groups = _segment(ordered, cols, gap, body_h, o)
    weight.set_body([original.get(id(ln), ln) for ln in text_lines])
    out = [classify(g, groups, cols, body_h, weight, o, original) for g in groups]
    out = split_side_by_side(join_wrapped_titles(out, body_h), body_h)
    spare = [w for b in page.blocks for ln in b.lines for w in ln.words]  # as the OCR read them
    return split_options(raised_marks(note_runs(list_blocks(out, body_h), body_h)), spare)


def _speck(line: Line, body_h: float) -> bool:
    return len(line.words) == 1 and 0 < line_height(line) < SPECK_SIZE * body_h  # 0: no box


def _column_extents(items: list[Item]) -> dict[tuple[int, int], tuple[float, float]]:
    """Left and right text edge per column: low/high percentiles resist indents and short lines."""
    by_col: dict[tuple[int, int], list[BBox]] = {}
    for it in items:
        if it.line is not None:
            by_col.setdefault(it.column, []).append(it.bbox)
    out = {}
    for c, boxes in by_col.items():
        x0s = sorted(b.x0 for b in boxes)
        x1s = sorted(b.x1 for b in boxes)
        out[c] = (x0s[len(x0s) // 5], x1s[(len(x1s) * 4) // 5])
    return out


def _typical_gap(items: list[Item], body_h: float) -> float:
    gaps = [
        b.bbox.y0 - a.bbox.y1
        for a, b in itertools.pairwise(items)
        if a.line is not None
        and b.line is not None
        and a.column == b.column
        and b.bbox.y0 > a.bbox.y0
    ]
    gaps = [g for g in gaps if -0.5 * body_h < g < 3 * body_h]
    return float(median(gaps)) if gaps else 0.4 * body_h


def _segment(
    items: list[Item],
    cols: dict[tuple[int, int], tuple[float, float]],
    gap: float,
    body_h: float,
    o: BlockLayoutOptions,
) -> list[list[Item]]:
    groups: list[list[Item]] = []
    for it in items:
        if groups and _continues(groups[-1], it, cols, gap, body_h, o):
            groups[-1].append(it)
        else:
            groups.append([it])
    return groups


def _continues(
    group: list[Item],
    it: Item,
    cols: dict[tuple[int, int], tuple[float, float]],
    gap: float,
    body_h: float,
    o: BlockLayoutOptions,
) -> bool:
    prev = group[-1]
    if it.line is None or prev.line is None or it.kind != prev.kind:
        return False
    if it.column != prev.column or it.bbox.y0 < prev.bbox.y0 + 0.3 * body_h:
        return False
    if it.bbox.x1 < prev.bbox.x0 or it.bbox.x0 > prev.bbox.x1:
        return False
    if it.kind in FURNITURE_KINDS:
        return True
    if it.bbox.y0 - prev.bbox.y1 > gap + o.para_gap * body_h:
        return False
    first = group[0].line
    assert first is not None
    cap = _text.caption_match(first.text)
    if cap and not first.text.strip()[cap.end() :].lstrip(" .:-–—)")[:1].islower():
        # Caption type is often smaller or italic, and a short last word ("species") measures
        # smaller still: alignment decides.
        left, right = cols.get(it.column, (it.bbox.x0, it.bbox.x1))
        return caption_continues(
            prev.bbox, it.bbox, body_h, right - left
        ) and not _text.caption_match(it.line.text)
    left, right = cols.get(it.column, (it.bbox.x0, it.bbox.x1))
    pleft, pright = prev.edges or (left, right)
    if runs_on(prev.bbox, prev.line.text, it.bbox, it.line.text, pright, gap, body_h):
        return True
    if size_class(it.line, body_h, o) != size_class(prev.line, body_h, o):
        # Specks inflate the boxes of whole lines on a noisy scan. A real change of type size
        # comes with space around it; a full line followed at the usual leading is still body.
        running = it.bbox.y0 - prev.bbox.y1 <= gap + 0.3 * body_h
        running = running and prev.bbox.x1 >= pright - body_h and len(group) >= 2
        cut = not running or _text.heading_rank(it.line.text) is not None
        if cut and not title_tail(group, it, body_h):
            return False
    width = max(right - left, body_h)
    text, ptext = it.line.text, prev.line.text
    in_list = _text.list_mark(first.text) is not None
    # Marks that open a new block.
    marked = _text.list_mark(text) or _text.heading_rank(text) is not None
    if (marked or _text.caption_match(text)) and it.bbox.x0 <= prev.bbox.x0 + 0.5 * body_h:
        return False
    # A list item's wrapped lines hang under its text; a line left of that after a finished
    # item starts the paragraph that follows the list. Not a line going on in lower case
    # under a full one of a numbered item: it runs flush, and its `.` was a `-` misread. (A
    # dash may be a speck before a paragraph: its lines stay apart from the rest, as before.)
    numbered_item = in_list and (_text.list_mark(first.text) or ("", False))[1]
    goes_on = numbered_item and prev.bbox.x1 >= pright - body_h
    goes_on = goes_on and text.lstrip()[:1].islower()
    left_of_hang = it.bbox.x0 < hang(first) - 0.5 * body_h
    if in_list and _text.ends_sentence(ptext) and left_of_hang and not goes_on:
        return False
    # A heading-like line closes its block.
    titled = _text.heading_rank(ptext) is not None or _text.is_upper_title(ptext)
    real = [w for w in it.line.words if any(ch.isalnum() for ch in w.text)] or it.line.words
    next_word = real[0].bbox.width
    room = pright - prev.bbox.x1
    # ...unless it stopped short only because the next word did not fit: a title wrapped in a
    # narrow column (`2.1 Mình đã sùng` / `thượng hơn`).
    wrapped = room < next_word + 0.8 * body_h
    closes = len(group) == 1 and titled and prev.bbox.x1 < right - 2 * body_h and not wrapped
    closes = closes and size_class(prev.line, body_h, o) == 0
    # A body-size numbered heading (`1.1 …`) running the full width is closed by a full line
    # of body text under it; a short line under it is the rest of a wrapped title.
    numbered = _text.heading_rank(ptext) is not None and not _text.ends_sentence(ptext)
    numbered = numbered and size_class(prev.line, body_h, o) == 0 and it.bbox.x1 > right - body_h
    # ...but not a line going on in lower case: the title wrapped (`1.1 The term, struggle` /
    # `for existence, used in`), body text after a title starts a sentence.
    numbered = numbered and not text.lstrip()[:1].islower()
    closes = closes or (len(group) == 1 and numbered)
    if closes and not _text.is_upper_title(text):
        return False
    indent = it.bbox.x0 - (it.edges or (left, right))[0]
    pindent = prev.bbox.x0 - pleft
    if not in_list and indent > o.indent * body_h and pindent < 0.5 * o.indent * body_h:
        return False
    # The previous line stopped early although the next word would have fitted there:
    # the typesetter ended the paragraph (works for ragged-right text too).
    hanging = in_list and it.bbox.x0 > first.bbox.x0 + 0.5 * body_h
    return not (room > next_word + 0.8 * body_h and not hanging and room > 0.05 * width)
