"""Drop caps: a chapter's first letter set large through the first two or three lines.

OCR reads the letter as a word of its own, glued to whichever line its baseline meets (`H
discussed in the last…` for `How will…` / `discussed…`) or as a block of one tall letter; its
size then makes it a heading or a paragraph of its own, and the lines beside it look indented.
The geometry says what it is: one capital far taller than the body's type, its top level with
the top of the first line to its right, two or more lines standing beside it. The letter goes
back to the front of the first word of that line, and its box is returned so the lines beside
it are measured from its right edge (not taken for indented paragraph starts).
"""

from __future__ import annotations

from dataclasses import replace

from digitize.model import BBox, Block, Line, Word
from digitize.text import lone_capital

TALL = 1.8  # a drop cap spans two lines or more: its ink is this many body ems high at least


def join_drop_caps(blocks: list[Block], em: float) -> tuple[list[Block], list[BBox]]:
    """Move each drop cap into the first word beside it; return the blocks and the caps' boxes."""
    caps: list[BBox] = []
    for _ in range(4):  # a page has very few; each pass moves one
        found = _find(blocks, em)
        if found is None:
            break
        bi, li, wi, target = found
        cap = blocks[bi].lines[li].words[wi]
        blocks = _without(blocks, bi, li, wi)
        blocks = _prefixed(blocks, target, cap.text)
        caps.append(cap.bbox)
    return blocks, caps


def _is_cap(w: Word, em: float) -> bool:
    return lone_capital(w.text) and w.bbox.height >= TALL * em


def _find(blocks: list[Block], em: float) -> tuple[int, int, int, int] | None:
    """(block, line, word) of a drop cap and the id of the first word beside it, or None."""
    for bi, b in enumerate(blocks):
        if b.kind in ("figure", "table"):
            continue
        for li, ln in enumerate(b.lines):
            for wi, w in enumerate(ln.words):
                if wi > 0 or not _is_cap(w, em):
                    continue  # a drop cap stands first on its line: the column edge
                beside = _beside(blocks, w.bbox, ln, em)
                if len(beside) >= 2 and abs(beside[0].bbox.y0 - w.bbox.y0) < 0.7 * em:
                    return bi, li, wi, id(beside[0].words[0])
    return None


def _beside(blocks: list[Block], cap: BBox, own: Line, em: float) -> list[Line]:
    """Lines starting just right of the letter, with their middle within its height, top first
    (the letter's own line counts with its remaining words)."""
    out = []
    for b in blocks:
        for ln in b.lines:
            words = ln.words[1:] if ln is own else ln.words
            if not words:
                continue
            x0 = words[0].bbox.x0
            y0 = min(w.bbox.y0 for w in words)
            cy = (y0 + max(w.bbox.y1 for w in words)) / 2
            if cap.x1 <= x0 < cap.x1 + 2.5 * em and cap.y0 - 0.5 * em < cy < cap.y1 + 0.5 * em:
                out.append(ln if ln is not own else replace(ln, words=words))
    out.sort(key=lambda ln: min(w.bbox.y0 for w in ln.words))
    return out


def _without(blocks: list[Block], bi: int, li: int, wi: int) -> list[Block]:
    """The blocks with word `wi` of line `li` of block `bi` removed (and an emptied line or
    block with it)."""
    b = blocks[bi]
    ln = b.lines[li]
    words = ln.words[:wi] + ln.words[wi + 1 :]
    lines = list(b.lines)
    if words:
        lines[li] = Line(words, BBox.enclosing([w.bbox for w in words]))
    else:
        del lines[li]
    out = list(blocks)
    if lines:
        out[bi] = replace(b, lines=tuple(lines), bbox=BBox.enclosing([x.bbox for x in lines]))
    else:
        del out[bi]
    return out


def _prefixed(blocks: list[Block], target: int, letter: str) -> list[Block]:
    """The blocks with `letter` put in front of the word `target` (an id)."""
    out = []
    for b in blocks:
        lines = []
        for ln in b.lines:
            if ln.words and id(ln.words[0]) == target:
                w = ln.words[0]
                ln = replace(ln, words=(replace(w, text=letter + w.text), *ln.words[1:]))
            lines.append(ln)
        out.append(replace(b, lines=tuple(lines)))
    return out
