"""Specks the OCR reads as words on a degraded scan, dropped before the layout looks at lines.

Scanner stripes and the gutter shadow at the image edge come out as `IIllLL`, `JÌlŸ`, `|`;
glued to a real line they move its left edge (no indent any more) or inflate its height (a
heading by size). A picture the OCR took for text comes out as two or three giant "letters".
"""

from __future__ import annotations

import re
from dataclasses import replace
from statistics import median

from digitize.model import BBox, Block, Line, Word


def edge_specks(block: Block, size: tuple[int, int]) -> Block | None:
    """Drop words touching the image edge that the engine doubts or that carry no letter or
    digit, and doubted words wholly in the outer margin strip. Text cut by the scan edge is
    unreadable anyway. A block left without words is dropped (None)."""
    w = size[0]
    if w <= 0 or not block.lines:
        return block
    lines = []
    changed = False
    for ln in block.lines:
        words = tuple(wd for wd in ln.words if not _edge_speck(wd, w, size[1]))
        if len(words) == len(ln.words):
            lines.append(ln)
            continue
        changed = True
        if words:
            lines.append(Line(words, BBox.enclosing([wd.bbox for wd in words])))
    if not changed:
        return block
    if not lines:
        return None
    return replace(block, lines=tuple(lines), bbox=BBox.enclosing([ln.bbox for ln in lines]))


def _edge_speck(word: Word, page_w: int, page_h: int) -> bool:
    b, t = word.bbox, word.text
    touches = b.x0 <= 0.01 * page_w or b.x1 >= 0.99 * page_w
    touches = touches or (page_h > 0 and (b.y0 <= 0.01 * page_h or b.y1 >= 0.99 * page_h))
    if touches:  # a speck on the top or bottom edge would pass for a page number
        return word.conf < 0.9 or not any(ch.isalnum() for ch in t)
    if b.x1 >= 0.06 * page_w and b.x0 <= 0.94 * page_w:
        return False
    # Wholly in the outer margin strip and doubted, or no letter at all (`|`); a page number
    # printed near a tightly cropped edge is kept.
    if not any(ch.isalnum() for ch in t):
        return True
    if t.isdigit() and len(t) <= 4:
        return False
    return word.conf < 0.6 or (len(t) <= 2 and word.conf < 0.9)


def giant_scraps(blocks: list[Block]) -> list[Block]:
    """Drop text lines five times the page's median line height holding at most three words:
    a picture (or a blot) read as letters (`cš Œ`, 340 px tall). The picture itself is found
    again from its caption (`_regions`)."""
    heights = [ln.bbox.height for b in blocks for ln in b.lines]
    if len(heights) < 5:
        return blocks
    limit = 5 * float(median(heights))
    out = []
    for b in blocks:
        keep = tuple(ln for ln in b.lines if ln.bbox.height <= limit or len(ln.words) > 3)
        if len(keep) == len(b.lines):
            out.append(b)
        elif keep:
            out.append(replace(b, lines=keep, bbox=BBox.enclosing([ln.bbox for ln in keep])))
    return out


_RUN2 = re.compile(r"[^\W\d_]{2}")


def garbage_word(w: Word) -> bool:
    """A word the engine gives (almost) no credit and that holds no two letters in a row:
    `x'.Ợ.`, `#++` (specks and blots read as signs; a blurred `‘to.` at conf 0 stays)."""
    return w.conf < 0.1 and not _RUN2.search(w.text)


def signs_only(words: tuple[Word, ...]) -> bool:
    """A line left with no letter or digit at all (`>`, `- .`), and not firmly read."""
    if any(ch.isalnum() for w in words for ch in w.text):
        return False
    return sum(w.conf for w in words) / max(1, len(words)) < 0.9
