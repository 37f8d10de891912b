"""Lines that continue a caption or a title although their geometry says otherwise."""

from __future__ import annotations

from digitize.model import BBox
from digitize.stages.layout import _text
from digitize.stages.layout._items import Item


def caption_continues(prev: BBox, cur: BBox, body_h: float, column: float = 0.0) -> bool:
    """A caption's next line shares its centre (centred captions) or its left edge, and is no
    wider than it: the body text after a caption is a full-width line. A centred caption's
    second line may be wider by the word that did not fit on the first (`Figure 1.1. Of the
    same` / `species, and which cannot`), while still short of the column's width."""
    flush = abs(cur.x0 - prev.x0) < 0.5 * body_h
    centred = abs(cur.cx - prev.cx) < 1.5 * body_h
    if not (flush or centred):
        return False
    if cur.width <= prev.width + body_h:
        return True
    short = column <= 0 or cur.width < column - 2 * body_h
    return centred and not flush and short and cur.width <= prev.width + 3 * body_h


def title_tail(group: list[Item], it: Item, body_h: float) -> bool:
    """The last words of a numbered title wrapped onto a line of their own (`2.3 Cái thần minh
    của` / `Trời`): tight under it, flush with it or centred under it, a few words, and the
    title had not ended. On a noisy scan a speck glued to the short line makes it measure a
    bigger type size, which alone would cut the title and make the tail a heading of its own."""
    prev = group[-1]
    if len(group) != 1 or prev.line is None or it.line is None or len(it.line.words) > 3:
        return False
    ptext = prev.line.text
    if _text.heading_rank(ptext) is None or _text.ends_sentence(ptext):
        return False
    if _text.heading_rank(it.line.text) is not None:
        return False
    tight = it.bbox.y0 - prev.bbox.y1 < 0.4 * body_h
    flush = abs(it.bbox.x0 - prev.bbox.x0) < body_h or abs(it.bbox.cx - prev.bbox.cx) < body_h
    return tight and flush


def leaves_open(text: str) -> bool:
    """The line stops inside a sentence: on a letter, a comma or a split word (`orga-`), once
    a trailing speck read as a sign (`We see -`, `hoa |`) is set aside."""
    words = text.split()
    while words and not any(ch.isalnum() for ch in words[-1]):
        words.pop()
    if not words:
        return False
    last = words[-1]
    return last[-1].isalpha() or last[-1] == "," or (last[-1] in "-­" and last[-2:-1].isalpha())


def runs_on(
    prev: BBox, ptext: str, cur: BBox, text: str, right: float, lead: float, body_h: float
) -> bool:
    """A full line that leaves its sentence open, followed at the usual leading (`lead`, the
    typical gap between lines) by a line going on in lower case: one paragraph, whatever
    a speck makes one of them measure (type size, indent, a `-` read as a list mark). The
    typesetter wrapped there because the next word did not fit."""
    full = prev.x1 >= right - body_h
    close = cur.y0 - prev.y1 <= lead + 0.5 * body_h
    first = next((ch for ch in text if ch.isalnum()), "")
    mark = _text.list_mark(text)
    if mark is not None and mark[0] != "-":  # `a)`, `•`: a list starts; a lone `-` may be dust
        return False
    return full and close and first.islower() and leaves_open(ptext)
