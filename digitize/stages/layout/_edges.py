"""The lines at the top and bottom edges of a page: the candidates for running heads, running
feet and page numbers that `layout.furniture` compares across the book."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from statistics import median

from digitize.model import Line, Page
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height


@dataclass(slots=True)
class Candidate:
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


_LETTERS = re.compile(r"[^\w]|[\d_]")


def letters(text: str) -> str:
    """Base letters only, lowercased: OCR drops or swaps Vietnamese diacritics on display type."""
    base = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return _LETTERS.sub("", "".join(ch for ch in base if not unicodedata.combining(ch)))


def candidates(i: int, page: Page, nrows: int) -> list[Candidate]:
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
                Candidate(
                    page=i,
                    zone=zone,
                    extreme=extreme,
                    line=ln,
                    ry=ln.bbox.cy / height,
                    key=letters(core),
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
