"""Lists in the exporters: numbered by the reader where the print numbers them regularly.

A `ListBlock`'s items keep the marks printed on the page (`1.`, `a)`, `A.`, `•`). Where an
ordered list's marks count on without a gap in one style and end in a full stop (`1. 2. 3.`,
`A. B. C. D.` for answer options, `i. ii. iii.`), HTML's own numbering prints exactly them:
the list becomes `<ol type="A">` (and `start` when it does not begin at the first), its items
lose the printed mark, and a screen reader announces the letters as the list's numbering
instead of reading "A full stop" inside each item. Markdown can number only in digits, so it
numbers `1.` lists itself and keeps other marks as text. Any other list (bullets, `a)`,
skipped or misread numbers) keeps its printed marks, with no second, generated one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from digitize.model import ListBlock
from digitize.text import roman_value

# A list item that starts with its own printed marker.
PRINTED_MARKER = re.compile(
    r"^\s*(?:[•·▪●○◦‣∙*–—-]|\(?(?:\d{1,3}|[a-zđ]|[ivxlc]{1,5})[.)])\s", re.IGNORECASE
)
_NUMBERED = re.compile(r"^\s*([0-9]{1,3}|[A-Za-z]{1,6})\.\s+(\S.*)$", re.DOTALL)

# HTML `type` -> the value of a mark in that style, or None.
_STYLES: dict[str, Callable[[str], int | None]] = {
    "1": lambda m: int(m) if m.isdigit() else None,
    "a": lambda m: ord(m) - 96 if len(m) == 1 and "a" <= m <= "z" else None,
    "A": lambda m: ord(m) - 64 if len(m) == 1 and "A" <= m <= "Z" else None,
    "i": lambda m: roman_value(m) if m.islower() else None,
    "I": lambda m: roman_value(m) if m.isupper() else None,
}


def numbering(item: ListBlock) -> tuple[str, int, list[str]] | None:
    """(HTML list type, first number, the items' texts without their marks) when the list is
    ordered and its printed marks count on from some number in one style; else None. `i.`
    alone or after `h.` is a letter; `i. ii.` Roman: the style that counts on wins, Roman
    first only where both do (`i.` alone: the first Roman number, not the ninth letter)."""
    if not item.ordered or not item.items:
        return None
    parsed = [_NUMBERED.match(t) for t in item.items]
    if not all(parsed):
        return None
    marks = [m.group(1) for m in parsed if m]
    texts = [m.group(2).strip() for m in parsed if m]
    for style in ("1", "i", "I", "a", "A"):
        values = [_STYLES[style](m) for m in marks]
        if any(v is None for v in values):
            continue
        start = values[0]
        assert start is not None
        if values == list(range(start, start + len(values))) and start >= 1:
            return style, start, texts
    return None


def list_html(item: ListBlock, esc: Callable[[str], str]) -> str:
    """The list as (X)HTML, its items' text escaped by `esc`."""
    counted = numbering(item)
    if counted is not None:
        style, start, texts = counted
        attrs = "" if style == "1" else f' type="{style}"'
        attrs += "" if start == 1 else f' start="{start}"'
        return f"<ol{attrs}>" + "".join(f"<li>{esc(t)}</li>" for t in texts) + "</ol>"
    tag = "ol" if item.ordered else "ul"
    lis = "".join(f"<li>{esc(it)}</li>" for it in item.items)
    # Items keep their printed markers ("a)", "1.", "•"): no second, generated one.
    marked = all(PRINTED_MARKER.match(it) for it in item.items)
    attr = ' class="marked"' if marked else ""
    return f"<{tag}{attr}>{lis}</{tag}>"


def list_lines(item: ListBlock, line: Callable[[str], str]) -> list[str]:
    """The list as Markdown lines, each item's text made safe by `line`: `1.` lists numbered
    by Markdown from their first number, others with their printed marks as text."""
    counted = numbering(item)
    if counted is not None and counted[0] == "1":
        _, start, texts = counted
        return [f"{start + n}. {line(t)}" for n, t in enumerate(texts)]
    return [
        ("- " if PRINTED_MARKER.match(t) or not item.ordered else f"{n + 1}. ") + line(t)
        for n, t in enumerate(item.items)
    ]
