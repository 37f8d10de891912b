"""Page numbers the OCR misread or that stand beside a running head, judged by the count the
book's other pages keep."""

from __future__ import annotations

import difflib

from digitize.stages.layout._edges import Candidate
from digitize.stages.layout._size import line_height


def misread_numbers(cands: list[Candidate], by_page: dict[int, list[Candidate]]) -> None:
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
        if c.kind is not None or not outermost(c, by_page[c.page]):
            continue
        got = "".join(c.line.text.split())
        numberish = looks_like_number(c.line.text)
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


def shares_row_with_number(c: Candidate, page: list[Candidate]) -> bool:
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


def scrap_at_number(c: Candidate, same_side: list[Candidate]) -> bool:
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


def outermost(c: Candidate, page: list[Candidate]) -> bool:
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


def looks_like_number(text: str) -> bool:
    """A bare number as OCR may misread it: `l2`, `1O`, `- 7 -`."""
    t = "".join(text.split()).strip("-–—|·•()[]")
    return 0 < len(t) <= 5 and sum(ch.isdigit() for ch in t) >= max(1, len(t) - 1)
