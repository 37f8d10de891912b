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
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from statistics import median

from rapidfuzz import fuzz

from digitize.model import BBox, Block, Book, Line, Page
from digitize.stage import BookStage, Context, opt
from digitize.stages.layout import _text
from digitize.stages.layout._labels import infer_labels
from digitize.stages.layout._size import line_height


@dataclass(frozen=True, slots=True)
class FurnitureOptions:
    window: int = opt(6, "pages either side searched for a repeated running head")
    rows: int = opt(2, "text rows at the top and at the bottom of a page that may be furniture")
    similarity: float = opt(0.8, "text similarity (0..1) for two running heads to match")
    infer_labels: bool = opt(True, "give pages without a visible number one from neighbours")


@dataclass(slots=True)
class _Cand:
    page: int  # position in book.pages
    zone: str  # top | bottom
    extreme: bool  # first (top) or last (bottom) row of the page
    line: Line
    ry: float  # centre y / page height
    key: str  # letters of the text, lowercased, edge numbers removed
    digits: str  # inner digits (chapter numbers must match exactly)
    all_digits: str
    inner_digits: str  # digits without a 2-4 digit number at either edge, however punctuated
    number: tuple[int, bool, str] | None  # bare page number: value, roman, printed
    edge: tuple[int, str] | None  # a page number at the edge of a running-head line
    kind: str | None = None
    label: str | None = None
    apart: bool = True  # a wider gap than body leading separates it from the body


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
        cands = [c for i, p in enumerate(pages) for c in _candidates(i, p, self.options.rows)]
        by_page: dict[int, list[_Cand]] = defaultdict(list)
        for c in cands:
            by_page[c.page].append(c)
        self._page_numbers(cands, by_page, len(pages))
        self._running(cands, by_page, body_h, _heading_keys(pages))
        self._same_place(cands, by_page, body_h)
        _misread_numbers(cands, by_page)
        for c in cands:  # a running head is outermost: under a title line it is the title's
            if c.kind in ("header", "footer") and not _outermost(c, by_page[c.page]):
                c.kind = None
        out = []
        for i, p in enumerate(pages):
            found = [c for c in by_page.get(i, []) if c.kind is not None]
            out.append(_apply(p, found))
        if self.options.infer_labels:
            out = infer_labels(out)
        return book.with_pages(out)

    def _page_numbers(
        self, cands: list[_Cand], by_page: dict[int, list[_Cand]], npages: int
    ) -> None:
        offsets: dict[tuple[bool, int], list[_Cand]] = defaultdict(list)
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
            numberish = _numberish(c.line.text)
            if (
                not numberish
                and not _scrap_at_number(c, by_page.get(c.page + 2, []))
                and not (_scrap_at_number(c, by_page.get(c.page - 2, [])))
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
        cands: list[_Cand],
        by_page: dict[int, list[_Cand]],
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
            if c.zone == "top" and c.extreme and _shares_row_with_number(c, by_page[c.page]):
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
        self, cands: list[_Cand], by_page: dict[int, list[_Cand]], body_h: float
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


def _same_head(a: _Cand, b: _Cand, similarity: float) -> bool:
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
                out.append((id(b.lines[0]), _letters(text), digits, size))
                m = _NUMBERING.match(text)
                title = _letters(text[m.end() :]) if m else ""
                if len(title) >= 6:
                    out.append((id(b.lines[0]), title, "", size))
    return out


# `Chapter 3. `, `THIÊN IV. `, `1.2 `: what a running head may leave out of the title it repeats
_NUMBERING = re.compile(r"^\s*(?:\w+\s+)?(?:\d+|[IVXLC]+)(?:\.\d+)*[.:\-–—]?\s+")


_LETTERS = re.compile(r"[^\w]|[\d_]")


def _letters(text: str) -> str:
    """Base letters only, lowercased: OCR drops or swaps Vietnamese diacritics on display type."""
    base = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return _LETTERS.sub("", "".join(ch for ch in base if not unicodedata.combining(ch)))


def _candidates(i: int, page: Page, nrows: int) -> list[_Cand]:
    lines = [ln for b in page.blocks if b.kind not in ("figure", "table") for ln in b.lines]
    if not lines or page.failed:
        return []
    # A footnote's leading number is its mark, not the page's number at a running head's
    # edge (`2 Những cái…` at the foot of page 2 is no garbled running foot).
    notes = {id(ln) for b in page.blocks if b.kind == "footnote" for ln in b.lines}
    lh = float(median(line_height(ln) for ln in lines)) or 1.0
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.bbox.cy):
        if rows and abs(ln.bbox.cy - rows[-1][0].bbox.cy) < 0.5 * lh:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    height = page.size[1] or max(ln.bbox.y1 for ln in lines) or 1.0
    tops = [min(ln.bbox.y0 for ln in r) for r in rows]
    bots = [max(ln.bbox.y1 for ln in r) for r in rows]
    gaps = [tops[k + 1] - bots[k] for k in range(len(rows) - 1)]
    body_gaps = [g for g in gaps if g < 2 * lh]
    min_gap = (float(median(body_gaps)) if body_gaps else 0.5 * lh) + 0.5 * lh

    def apart(r: int, zone: str) -> bool:
        """Furniture stands apart from the body: a wider gap than between body lines somewhere
        between this row and the body (a footer may sit close under the page number)."""
        span = range(r, nrows) if zone == "top" else range(len(rows) - 1 - nrows, r)
        ks = [k for k in span if 0 <= k < len(gaps)]
        return not ks or any(gaps[k] >= min_gap for k in ks)

    out = []
    picks = [(r, "top") for r in range(min(nrows, len(rows)))]
    picks += [(len(rows) - 1 - r, "bottom") for r in range(min(nrows, len(rows)))]
    seen: set[int] = set()
    both = {r for r, z in picks if z == "top"} & {r for r, z in picks if z == "bottom"}
    for r, zone in picks:
        if r in both:  # a short page: the position decides
            zone = "top" if rows[r][0].bbox.cy < height / 2 else "bottom"
        extreme = r == 0 if zone == "top" else r == len(rows) - 1
        if r in seen:
            continue
        # The row at the very edge may sit at the body's leading (or OCR boxes swollen by
        # noise hide the gap): still a candidate, but only repetition can make it furniture.
        set_apart = apart(r, zone)
        if not set_apart and not extreme:
            continue
        seen.add(r)
        for ln in rows[r]:
            # A lone sign at either end (`… KHỔNG TỬ 105 -`: a speck read as a dash) hides the
            # page number at the edge: only tokens with a letter or digit count.
            text = " ".join(t for t in ln.text.split() if any(ch.isalnum() for ch in t))
            if len(text.split()) > 15:
                continue
            edge = _text.edge_number(text) if id(ln) not in notes else None
            core = text
            if edge is not None:
                toks = text.split()
                core = " ".join(toks[1:] if toks[0].strip("-–—|·•()[]").isdigit() else toks[:-1])
            out.append(
                _Cand(
                    page=i,
                    zone=zone,
                    extreme=extreme,
                    line=ln,
                    ry=ln.bbox.cy / height,
                    key=_letters(core),
                    digits="".join(ch for ch in core if ch.isdigit()),
                    all_digits="".join(ch for ch in text if ch.isdigit()),
                    inner_digits=_inner_digits(text),
                    number=_text.page_number_value(text),
                    edge=edge,
                    apart=set_apart,
                )
            )
    return out


_EDGE_NUMBER = re.compile(r"\W*\d{2,4}\W*")


def _inner_digits(text: str) -> str:
    """Digits of a running-head line without the page number at its edge: the number may end
    in a speck read as a dot (`403.`), which `_text.edge_number` refuses (`Chương 3.`)."""
    toks = text.split()
    if len(toks) >= 2 and _EDGE_NUMBER.fullmatch(toks[-1]):
        toks = toks[:-1]
    elif len(toks) >= 2 and _EDGE_NUMBER.fullmatch(toks[0]):
        toks = toks[1:]
    return "".join(ch for ch in " ".join(toks) if ch.isdigit())


def _misread_numbers(cands: list[_Cand], by_page: dict[int, list[_Cand]]) -> None:
    """A bare number at the top or bottom edge that differs by one OCR slip from the number
    the book's count says this page prints (`417` for 17: a speck read as a digit) is that
    page number; so is a scrap of at most four capitals or digits (`HH` for a blurred `11`)
    alone in the margin of a page that shows no number. The count must be backed by two
    pages that agree. Only furniture may stand between it and the page edge."""
    known: dict[int, int] = {}
    for c in cands:
        if c.label is not None and c.label.isdigit():
            known.setdefault(c.page, int(c.label))
    numbered = {c.page for c in cands if c.kind == "page_number"}
    for c in cands:
        if c.kind is not None or not _outermost(c, by_page[c.page]):
            continue
        got = "".join(c.line.text.split())
        numberish = _numberish(c.line.text)
        scrap = not numberish and len(got) <= 4 and not any(ch.islower() for ch in got)
        scrap = scrap and c.page not in numbered and not 0.1 < c.ry < 0.9
        if not (numberish or scrap):
            continue
        near = sorted((j for j in known if j != c.page), key=lambda j: abs(j - c.page))[:2]
        guesses = {known[j] + c.page - j for j in near}
        if len(near) < 2 or len(guesses) != 1 or abs(near[0] - c.page) > 4:
            continue
        want = str(guesses.pop())
        got = "".join(ch for ch in got if ch.isalnum())
        if want != got and (scrap or _one_slip(want, got)):
            c.kind, c.label = "page_number", want
            numbered.add(c.page)


def _shares_row_with_number(c: _Cand, page: list[_Cand]) -> bool:
    """A page number found by the book's count stands beside `c`, on its row."""
    b = c.line.bbox
    for d in page:
        o = d.line.bbox
        if d is c or d.kind != "page_number" or d.zone != c.zone:
            continue
        apart = o.x1 <= b.x0 or o.x0 >= b.x1
        if apart and abs(o.cy - b.cy) < 0.5 * min(o.height, b.height):
            return True
    return False


def _scrap_at_number(c: _Cand, same_side: list[_Cand]) -> bool:
    """`c` is one short token standing where a page of the same parity prints its number."""
    t = c.line.text.strip()
    if len(t) > 3 or " " in t:
        return False
    for d in same_side:
        h = line_height(d.line)
        if (
            d.kind == "page_number"
            and d.zone == c.zone
            and abs(d.ry - c.ry) < 0.01
            and abs(d.line.bbox.cx - c.line.bbox.cx) < 2 * h
        ):
            return True
    return False


def _outermost(c: _Cand, page: list[_Cand]) -> bool:
    """Nothing but furniture lies between `c` and its edge of the page."""
    if c.extreme:
        return True
    out = [d for d in page if d.zone == c.zone and (d.ry > c.ry) == (c.zone == "bottom")]
    return all(d.kind is not None for d in out if d is not c)


def _one_slip(want: str, got: str) -> bool:
    """`got` is `want` with one character added, dropped or changed."""
    if abs(len(want) - len(got)) > 1:
        return False
    return difflib.SequenceMatcher(None, want, got, autojunk=False).ratio() >= (
        2 * (max(len(want), len(got)) - 1) / (len(want) + len(got))
    )


def _numberish(text: str) -> bool:
    """A bare number as OCR may misread it: `l2`, `1O`, `- 7 -`."""
    t = "".join(text.split()).strip("-–—|·•()[]")
    return 0 < len(t) <= 5 and sum(ch.isdigit() for ch in t) >= max(1, len(t) - 1)


def _apply(page: Page, found: list[_Cand]) -> Page:
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
