"""Running heads, running feet and page numbers, found by repetition across the book.

A single page cannot tell a running head from a short first line; the book can: the same text
at the same place on nearby pages (odd and even pages alternate, chapter titles change every few
pages), and numbers that count up with the page index (roman in the front matter). Found lines
become `header` / `footer` / `page_number` blocks, and the printed number becomes `Page.label`;
pages without a visible number get one inferred from their neighbours.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from statistics import median

from rapidfuzz import fuzz

from digitize.model import BBox, Block, Book, Page
from digitize.stage import BookStage, Context, opt
from digitize.stages.layout._edges import Candidate, candidates, letters
from digitize.stages.layout._labels import infer_labels
from digitize.stages.layout._pagenumbers import (
    looks_like_number,
    misread_numbers,
    outermost,
    scrap_at_number,
    shares_row_with_number,
)
from digitize.stages.layout._size import line_height


@dataclass(frozen=True, slots=True)
class FurnitureOptions:
    window: int = opt(6, "pages either side searched for a repeated running head")
    rows: int = opt(2, "text rows at the top and at the bottom of a page that may be furniture")
    similarity: float = opt(0.8, "text similarity (0..1) for two running heads to match")
    infer_labels: bool = opt(True, "give pages without a visible number one from neighbours")


class RunningFurniture(BookStage[FurnitureOptions]):
    kind = "layout"
    name = "layout.furniture"
    version = "8"
    Options = FurnitureOptions
    summary = "Find running heads/feet and page numbers by repetition; set printed page labels"

    def process_book(self, book: Book, ctx: Context) -> Book:
        pages = list(book.pages)
        heights = [line_height(ln) for p in pages for b in p.blocks for ln in b.lines]
        body_h = float(median(heights)) if heights else 1.0
        cands = [c for i, p in enumerate(pages) for c in candidates(i, p, self.options.rows)]
        by_page: dict[int, list[Candidate]] = defaultdict(list)
        for c in cands:
            by_page[c.page].append(c)
        self._page_numbers(cands, by_page, len(pages))
        self._running(cands, by_page, body_h, _heading_keys(pages))
        self._same_place(cands, by_page, body_h)
        misread_numbers(cands, by_page)
        for c in cands:  # a running head is outermost: under a title line it is the title's
            if c.kind in ("header", "footer") and not outermost(c, by_page[c.page]):
                c.kind = None
        out = []
        for i, p in enumerate(pages):
            found = [c for c in by_page.get(i, []) if c.kind is not None]
            out.append(_apply(p, found))
        if self.options.infer_labels:
            out = infer_labels(out)
        return book.with_pages(out)

    def _page_numbers(
        self, cands: list[Candidate], by_page: dict[int, list[Candidate]], npages: int
    ) -> None:
        offsets: dict[tuple[bool, int], list[Candidate]] = defaultdict(list)
        for c in cands:
            if c.number is not None:
                offsets[(c.number[1], c.number[0] - c.page)].append(c)
            elif c.edge is not None:
                offsets[(False, c.edge[0] - c.page)].append(c)
        support = {k: len({c.page for c in g}) for k, g in offsets.items()}
        for key, group in offsets.items():
            pages_in = sorted({c.page for c in group})
            # A short run (OCR dropped a digit on two pages: "1", "2" among "13", "14") loses
            # to a longer run of the same kind nearby.
            stronger = any(
                k[0] == key[0]
                and k != key
                and n > support[key]
                and n >= 3
                and any(abs(d.page - j) <= 10 for d in offsets[k] for j in pages_in)
                for k, n in support.items()
            )
            if stronger and support[key] < 3:
                continue
            for c in group:
                near = [j for j in pages_in if j != c.page and abs(j - c.page) <= 10]
                alone_ok = npages <= 2 and c.number is not None and c.extreme
                if c.number is None and (len(near) < 2 or not c.extreme):
                    continue  # a number ending a title needs more support than a bare one
                if near or alone_ok:
                    if c.number is not None:
                        c.kind, c.label = "page_number", c.number[2]
                    elif c.edge is not None:
                        c.label = c.edge[1]  # the line itself is a running head
        # A bare number where the neighbours print theirs is a page number even if misread;
        # so is a scrap of a few signs (`is` for a blurred `2`) on the very spot where the page
        # two on prints its number.
        for c in cands:
            if c.kind is not None or not c.extreme:
                continue
            numberish = looks_like_number(c.line.text)
            if (
                not numberish
                and not scrap_at_number(c, by_page.get(c.page + 2, []))
                and not (scrap_at_number(c, by_page.get(c.page - 2, [])))
            ):
                continue
            for j in (c.page - 2, c.page - 1, c.page + 1, c.page + 2):
                if any(
                    d.kind == "page_number" and d.zone == c.zone and abs(d.ry - c.ry) < 0.03
                    for d in by_page.get(j, [])
                ):
                    c.kind = "page_number"
                    break

    def _running(
        self,
        cands: list[Candidate],
        by_page: dict[int, list[Candidate]],
        body_h: float,
        headings: list[tuple[int, str, str, float]],
    ) -> None:
        o = self.options
        for c in cands:
            if c.kind == "page_number" or len(c.key) < 3:
                continue
            h = line_height(c.line)
            big = h > 1.3 * body_h  # a chapter title, unless it repeats a larger one
            if c.extreme and any(
                id(c.line) != lid
                and _similar(c.key, key, o.similarity)
                # `Struggle for existence` / `Chapter 3. …`; a page number at its edge aside
                and (
                    (c.digits if c.edge else c.all_digits) in (digits, "")
                    # `… RIVER VALLEYS 403.`: a page number misread, with a speck for a dot
                    or c.inner_digits == digits
                )
                # Large or set at the body's leading: only smaller type than the title it
                # repeats tells a running head from that title.
                and ((c.apart and not big) or h < 0.85 * height)
                for lid, key, digits, height in headings
            ):
                c.kind = "header" if c.zone == "top" else "footer"  # repeats a chapter title
                continue
            # Large type, or a line not set apart from the body, repeated at the same place:
            # furniture when it recurs at the edge of two other pages (a chapter title never
            # does; a book title in capitals on each verso does). A number ending a large line
            # is the chapter's, not the page's (`CHƯƠNG 2` on page 2).
            if big and c.edge is not None:
                continue
            if c.zone == "top" and c.extreme and shares_row_with_number(c, by_page[c.page]):
                # `12 … NHO GIÁO YẾU LƯỢC`: the page number's own row at the page's head holds
                # the running head, whatever its size or how close it sits to the text. (At
                # the foot a number may stand in the margin beside the last line of text.)
                c.kind = "header"
                continue
            strict = big or not c.apart
            seen = 0
            for j in range(c.page - o.window, c.page + o.window + 1):
                if j == c.page:
                    continue
                if any(
                    _same_head(c, d, o.similarity)
                    and (not strict or d.extreme)
                    and (not big or abs(line_height(d.line) - h) < 0.2 * h)
                    for d in by_page.get(j, [])
                ):
                    seen += 1
                if seen >= (2 if strict else 1):
                    c.kind = "header" if c.zone == "top" else "footer"
                    break
        for c in cands:
            if c.label is not None and c.kind is None and line_height(c.line) > 1.3 * body_h:
                c.label = None  # `CHƯƠNG 2` on page 2: a chapter title, not a running head
            elif c.label is not None and c.kind is None:
                # The top/bottom line starts or ends with the number this page should print
                # (its neighbours agree): a running head OCR garbled past recognition.
                c.kind = "header" if c.zone == "top" else "footer"

    def _same_place(
        self, cands: list[Candidate], by_page: dict[int, list[Candidate]], body_h: float
    ) -> None:
        """A running head whose text changes (a new chapter each page in a short book) is still
        found where its neighbours' running heads are: same row, same size, set apart."""
        found = [c for c in cands if c.kind in ("header", "footer")]
        while found:  # a head found this way vouches for the next one along
            new = []
            for c in cands:
                if c.kind is not None or not c.extreme or not c.apart or len(c.key) < 3:
                    continue
                h = line_height(c.line)
                if h > 1.3 * body_h:
                    continue
                for d in found:
                    if (
                        d.zone == c.zone
                        and 0 < abs(d.page - c.page) <= 2
                        and abs(d.ry - c.ry) < 0.01
                        and abs(line_height(d.line) - h) < 0.2 * h
                    ):
                        c.kind = d.kind
                        new.append(c)
                        break
            found = new


def _similar(a: str, b: str, similarity: float) -> bool:
    if a == b:
        return True
    # rapidfuzz's ratio (2·LCS / total) bounds difflib's from above: a cheap exact reject.
    if fuzz.ratio(a, b) < 100 * similarity:
        return False
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return m.quick_ratio() >= similarity and m.ratio() >= similarity


def _same_head(a: Candidate, b: Candidate, similarity: float) -> bool:
    if (
        a.zone != b.zone
        or abs(a.ry - b.ry) > 0.04
        or (a.digits and b.digits and a.digits != b.digits)
    ):
        return False
    return _similar(a.key, b.key, similarity)


def _heading_keys(pages: list[Page]) -> list[tuple[int, str, str, float]]:
    """(first line's id, letters, digits, type size) of every heading: running heads repeat
    them, whole or (`LỜI PHÁT ĐOAN` for `Chương 2. Lời phát đoan`) without their number."""
    out = []
    for p in pages:
        for b in p.blocks:
            if b.kind == "heading" and b.lines:
                text = " ".join(ln.text for ln in b.lines)
                digits = "".join(ch for ch in text if ch.isdigit())
                size = float(median(line_height(ln) for ln in b.lines))
                out.append((id(b.lines[0]), letters(text), digits, size))
                m = _NUMBERING.match(text)
                title = letters(text[m.end() :]) if m else ""
                if len(title) >= 6:
                    out.append((id(b.lines[0]), title, "", size))
    return out


# `Chapter 3. `, `THIÊN IV. `, `1.2 `: what a running head may leave out of the title it repeats
_NUMBERING = re.compile(r"^\s*(?:\w+\s+)?(?:\d+|[IVXLC]+)(?:\.\d+)*[.:\-–—]?\s+")


def _apply(page: Page, found: list[Candidate]) -> Page:
    """Move furniture lines out of their blocks into blocks of their own; set the label."""
    if not found:
        return page
    ids = {id(c.line): c for c in found}
    heads: list[Block] = []
    feet: list[Block] = []
    blocks: list[Block] = []
    for b in page.blocks:
        keep = tuple(ln for ln in b.lines if id(ln) not in ids)
        for ln in b.lines:
            c = ids.get(id(ln))
            if c is not None:
                assert c.kind is not None
                (heads if c.zone == "top" else feet).append(Block(c.kind, (ln,), ln.bbox))
        if len(keep) == len(b.lines):
            blocks.append(b)
        elif keep:
            blocks.append(replace(b, lines=keep, bbox=BBox.enclosing([ln.bbox for ln in keep])))
    label = page.label
    if label is None:
        labels = [c.label for c in found if c.label is not None and c.kind == "page_number"]
        labels += [c.label for c in found if c.label is not None]
        if labels:
            label = labels[0]
    return replace(page, blocks=(*heads, *blocks, *feet), label=label)
