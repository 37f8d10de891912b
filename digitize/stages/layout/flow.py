"""Build `book.flow`, the reading-order document exporters read.

Walks the pages' blocks (already in reading order, furniture already marked) and emits
PageBreak, Heading, Paragraph, Figure (cropped, with its caption), ListBlock and Footnote items.
A paragraph cut by a column or page break is joined back into one Paragraph, with the page break
recorded inside it; words split by a line-end hyphen are joined unless the book says the hyphen
is real. Figures and footnotes met inside such a paragraph are emitted right after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import median

from digitize.language import guess
from digitize.model import (
    FURNITURE_KINDS,
    Aside,
    Block,
    Book,
    Figure,
    FlowItem,
    Footnote,
    Heading,
    ListBlock,
    Page,
    PageBreak,
    Paragraph,
    Table,
    nfc,
)
from digitize.stage import BookStage, Context, opt
from digitize.stages.layout import _text
from digitize.stages.layout._asides import split_title
from digitize.stages.layout._figures import crop_figure
from digitize.stages.layout._hyphen import Dehyphenator
from digitize.stages.layout._levels import heading_levels
from digitize.stages.layout._notes import cites, footnote_body, restore_mark
from digitize.stages.layout._options import option_mark, other_options
from digitize.stages.layout._paragraphs import (
    column_right,
    first_line_indented,
    full_last_line,
    uses_indent,
)
from digitize.stages.layout._size import line_height
from digitize.stages.layout._tables import table_rows


@dataclass(frozen=True, slots=True)
class FlowOptions:
    dehyphenate: bool = opt(True, "join words split by a hyphen at a line end")
    join_pages: bool = opt(True, "join a paragraph continued over a page or column break")
    figures: bool = opt(True, "crop figure regions into figures/<hash>.png under the work dir")
    max_level: int = opt(6, "deepest heading level")
    tag_lang: bool = opt(True, "mark English paragraphs in a Vietnamese book (and vice versa)")


@dataclass(slots=True)
class _Open:
    """The paragraph being built, and what waits for it to end."""

    text: str
    breaks: list[tuple[int, int, str | None]] = field(default_factory=list)
    last: Block | None = None
    page: int = 0
    floats: list[FlowItem] = field(default_factory=list)
    pending_break: PageBreak | None = None
    late: list[FlowItem] = field(default_factory=list)  # floats met after the pending break
    interrupted: bool = False  # a figure came between this paragraph and the next block


class FlowBuilder(BookStage[FlowOptions]):
    kind = "layout"
    name = "layout.flow"
    version = "16"
    Options = FlowOptions
    summary = "Join lines and pages into the reading-order flow (paragraphs, headings, figures)"

    def process_book(self, book: Book, ctx: Context) -> Book:
        return replace(book, flow=tuple(_Builder(book, ctx, self.options).run()))


class _Builder:
    def __init__(self, book: Book, ctx: Context, o: FlowOptions) -> None:
        self.book, self.o = book, o
        self.work = Path(book.work_dir or ctx.work_dir)
        all_lines = [ln for p in book.pages for b in p.blocks for ln in b.lines]
        self.hyph = Dehyphenator(ln.text for ln in all_lines)
        body = [
            line_height(ln)
            for p in book.pages
            for b in p.blocks
            if b.kind == "paragraph"
            for ln in b.lines
        ]
        body = body or [line_height(ln) for ln in all_lines]
        body_h = float(median(body)) if body else 0.0
        self.body_h = body_h if body_h > 0 else 1.0  # zero-height OCR boxes happen
        self.levels = heading_levels(book.pages, self.body_h, o.max_level)
        self.uses_indent = uses_indent(book.pages, self.body_h)
        self.lang = book.meta.lang[:2].lower()
        self.out: list[FlowItem] = []
        self.open: _Open | None = None
        self.items: list[str] = []
        self.ordered = False
        self.page_start = 0

    # ---------------------------------------------------------------- output helpers

    def emit(self, item: FlowItem) -> None:
        """Emit a non-paragraph item: inside an open paragraph it waits for its end."""
        if self.open is not None:
            (self.open.late if self.open.pending_break else self.open.floats).append(item)
        else:
            self.flush_list()
            self.out.append(item)

    def close(self) -> None:
        op, self.open = self.open, None
        if op is None:
            return
        self.flush_list()
        text = nfc(op.text)
        if text:
            self.out.append(Paragraph(text, tuple(op.breaks), self._lang(text)))
        self.out.extend(op.floats)
        if op.pending_break is not None:
            self.out.append(op.pending_break)
        self.out.extend(op.late)

    def flush_list(self) -> None:
        if self.items:
            self.out.append(ListBlock(tuple(self.items), self.ordered))
            self.items = []

    def _lang(self, text: str) -> str | None:
        """The paragraph's language when it is not the book's (by `language.guess`)."""
        if not self.o.tag_lang:
            return None
        lang = guess(text)
        return lang if lang is not None and lang != self.lang else None

    def block_text(self, block: Block) -> str:
        text = ""
        for ln in block.lines:
            text = self._join(text, ln.text)[0]
        return text

    def _join(self, left: str, right: str) -> tuple[str, int]:
        if self.o.dehyphenate:
            return self.hyph.join(left, right)
        left, right = left.rstrip(), right.lstrip()
        if not left or not right:
            return left + right, len(left)
        return f"{left} {right}", len(left) + 1

    # ---------------------------------------------------------------- the walk

    def run(self) -> list[FlowItem]:
        for pi, page in enumerate(self.book.pages):
            brk = PageBreak(page.index, page.label)
            if self.open is not None and self.o.join_pages and self.open.pending_break is None:
                self.open.pending_break = brk
            else:
                self.close()
                self.flush_list()
                self.out.append(brk)
            self.page_start = len(self.out)
            captions = _pair_captions(page, self.body_h)
            used = set(captions.values())
            for bi, block in enumerate(page.blocks):
                if block.kind in FURNITURE_KINDS or bi in used:
                    continue
                self.block(pi, page, bi, block, captions)
        self.close()
        self.flush_list()
        return self.out

    def block(self, pi: int, page: Page, bi: int, block: Block, captions: dict[int, int]) -> None:
        kind = block.kind
        if kind == "table" and block.lines:
            if self.open is not None:
                self.open.interrupted = True
            cap = page.blocks[captions[bi]] if bi in captions else None
            rows = tuple(tuple(nfc(c) for c in row) for row in table_rows(block))
            self.emit(Table(rows, nfc(self.block_text(cap)) if cap is not None else ""))
            return
        if kind == "aside":  # a boxed note: apart from the paragraph it interrupts
            if self.open is not None:
                self.open.interrupted = True
            title, rest = split_title(block.lines)
            text = self.block_text(replace(block, lines=rest))
            if text or title:
                self.emit(Aside(nfc(text), nfc(title)))
            return
        if kind == "formula":  # a display formula: its picture in the flow, its text the alt
            if self.open is not None:
                self.open.interrupted = True
            alt = nfc(" ".join(ln.text for ln in block.lines))
            fig = crop_figure(self.work, page, block.bbox) if self.o.figures else None
            if fig is not None:
                self.emit(replace(fig, role="formula", alt=alt))
            elif alt:
                self.emit(Paragraph(alt))
            return
        if kind in ("figure", "table") and not block.lines:
            if self.open is not None:
                self.open.interrupted = True
            cap = page.blocks[captions[bi]] if bi in captions else None
            cap_text = self.block_text(cap) if cap is not None else ""
            fig = None
            if self.o.figures and block.image:  # cropped by ingest (a born-digital page)
                w, h = int(block.bbox.width), int(block.bbox.height)
                fig = Figure(block.image, nfc(cap_text), w, h)
            elif self.o.figures:
                fig = crop_figure(self.work, page, block.bbox, cap_text)
            if fig is not None:
                self.emit(fig)
            elif cap_text:
                self.emit(Paragraph(nfc(cap_text)))
            return
        text = self.block_text(block)
        if not text:
            return
        if kind == "footnote":
            mark = _text.footnote_mark(text) or ""
            body = footnote_body(text, mark)
            note = Footnote(mark, nfc(body))
            at = self._referrer(mark)
            if at is None:
                self.emit(note)
            else:  # right after the paragraph that cites it, as a reader meets it
                while at + 1 < len(self.out) and isinstance(self.out[at + 1], Footnote):
                    at += 1
                self.out.insert(at + 1, note)
            return
        if kind == "paragraph" and self.open is not None and self._continues(pi, block, text):
            self._append(pi, page, block, text)
            return
        if (
            kind == "heading"
            and self.open is not None
            and not block.confirmed  # a proofreader said heading: it is one
            and self._finishes_open(block, text)
        ):
            self._append(pi, page, block, text)
            return
        if kind == "list_item":
            self.close()
            lmark = _text.list_mark(text) or option_mark(text)
            ordered = bool(lmark and lmark[1])
            if self.items and (ordered != self.ordered or other_options(self.items[-1], text)):
                self.flush_list()
            self.ordered = ordered
            item = _text.strip_lead_speck(text)  # `-2. Item`: a speck before the number
            if lmark is None and self.items and self.items[-1].startswith("• "):
                item = "• " + item  # the OCR lost this item's bullet, not its neighbours'
            mark = lmark[0] if lmark else ""
            if mark and not ordered and mark.strip("•–—-"):
                item = "• " + item[len(mark) :].strip()  # `e`, `©`, `°Ö` are how OCR reads `•`
            self.items.append(nfc(item))
            return
        self.close()
        self.flush_list()
        if kind == "heading":
            text = _text.strip_lead_speck(text)
            self.out.append(Heading(nfc(text), self.levels.get((pi, bi), 1), self._lang(text)))
        else:
            self.open = _Open(text, last=block, page=pi)

    def _referrer(self, mark: str) -> int | None:
        """Index in the output of the closed paragraph of this page citing footnote `mark`
        (`word¹`, `word1`), or None: the open paragraph, or no citation found. A mark OCR read
        as `!` is written back as the mark, so exporters can link it to its note."""
        if not mark:
            return None
        for loose in (False, True):
            if self.open is not None and (span := cites(self.open.text, mark, loose)):
                self.open.text, self.open.breaks = restore_mark(
                    self.open.text, self.open.breaks, span, mark
                )
                return None
            for k in range(len(self.out) - 1, self.page_start - 1, -1):
                item = self.out[k]
                if isinstance(item, Paragraph) and (span := cites(item.text, mark, loose)):
                    text, breaks = restore_mark(item.text, list(item.breaks), span, mark)
                    self.out[k] = replace(item, text=text, breaks=tuple(breaks))
                    return k
        return None

    def _append(self, pi: int, page: Page, block: Block, text: str) -> None:
        op = self.open
        assert op is not None
        joined, offset = self._join(op.text, text)
        if op.pending_break is not None:
            b = op.pending_break
            op.breaks.append((offset, b.index, b.label))
            op.pending_break = None
            op.floats.extend(op.late)
            op.late = []
        op.text, op.last, op.page, op.interrupted = joined, block, pi, False

    def _finishes_open(self, block: Block, text: str) -> bool:
        """Is this one-line "heading", the first thing on a new page, the end of the sentence
        the page before left open? (`... ON THE DESCENDANTS OF A` / `COMMON ANCESTOR.`: alone
        at the top, in capitals, it looks like a heading.) It must close the sentence and be
        in the same case as the open paragraph's last words; a heading rarely ends in a full
        stop."""
        op = self.open
        assert op is not None
        if not self.o.join_pages or op.pending_break is None or len(block.lines) != 1:
            return False
        if _text.ends_sentence(op.text) or not _text.ends_sentence(text):
            return False
        tail = [w for w in op.text.split()[-3:] if any(c.isalpha() for c in w)]
        return bool(tail) and all(w.isupper() for w in tail) == text.isupper()

    def _continues(self, pi: int, block: Block, text: str) -> bool:
        """Does `block` continue the open paragraph across a column or page break?"""
        op = self.open
        assert op is not None and op.last is not None
        if not self.o.join_pages:
            return False
        prev = op.last
        same_page = pi == op.page
        if not same_page and op.pending_break is None:
            return False
        if self.hyph.split_word(op.text) and text[:1].islower():
            return True  # `educa-` / `tion`: nothing else ends a block like that
        a, b = prev.bbox, block.bbox
        same_column = min(a.x1, b.x1) - max(a.x0, b.x0) > 0  # not the top of the next column
        if same_page and same_column and b.y0 >= a.y0 and not op.interrupted:
            # Below it in the same column with nothing between: the blocks stage split them on
            # purpose. A figure between them may have cut one paragraph in two, though.
            return False
        first = text.lstrip()[:1]
        if first.islower() and not op.text.rstrip().endswith((".", "!", "?", "…")):
            return True
        indented = first_line_indented(block, self.body_h)
        if not _text.ends_sentence(op.text):
            return not (indented and self.uses_indent) and not first.isdigit()
        right = column_right(self.book.pages[op.page], prev)
        full = full_last_line(prev, block, self.body_h, right)
        if first.islower() and not indented and full:
            return True  # a speck read as a full stop at the foot of the page
        return self.uses_indent and not indented and full


def _pair_captions(page: Page, body_h: float) -> dict[int, int]:
    """figure block index → caption block index: the nearest caption above or below it."""
    figs = [
        i
        for i, b in enumerate(page.blocks)
        if b.kind == "table" or (b.kind == "figure" and not b.lines)
    ]
    caps = [i for i, b in enumerate(page.blocks) if b.kind == "caption"]
    pairs: list[tuple[float, int, int]] = []
    for f in figs:
        fb = page.blocks[f].bbox
        for c in caps:
            cb = page.blocks[c].bbox
            if min(cb.x1, fb.x1) - max(cb.x0, fb.x0) <= 0:
                continue
            dist = max(cb.y0 - fb.y1, fb.y0 - cb.y1, 0.0)
            if dist < 6 * body_h:
                pairs.append((dist, f, c))
    out: dict[int, int] = {}
    taken: set[int] = set()
    for _, f, c in sorted(pairs):
        if f not in out and c not in taken:
            out[f] = c
            taken.add(c)
    return out
