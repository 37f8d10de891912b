"""Boxed notes and sidebars: running text inside a ruled frame is read apart from the page's text.

Textbooks box their reminders and asides ("Ghi nhớ", "Em có biết?"). The OCR reads the box's
lines as ordinary lines, so they were joined into the paragraph around them. The frame is plain
in the pixels (`stages._grids.find_frames`: a rectangle of rules with nothing ruled inside); a
frame holding lines of text that start at one left edge (a drawing's labels scatter) becomes one
`Block("aside")` with those lines; the flow builder makes it an `Aside`, its first line the title
when that line is short, the exporters an `aside` element.
"""

from __future__ import annotations

from statistics import median

from digitize.model import BBox, Block, Line
from digitize.stages.layout._tables import cut_region

MIN_WORDS = 6  # fewer words in a frame: a framed label or a picture's caption, not a note
TITLE_MAX_WORDS = 6


def take_asides(blocks: list[Block], frames: list[BBox]) -> tuple[list[Block], list[Block]]:
    """Move the text lines inside each frame that holds running text into an aside block."""
    asides = []
    for f in frames:
        taken, out = cut_region(blocks, f)
        if not _running_text(taken):
            continue
        lines = tuple(sorted(taken, key=lambda ln: (ln.bbox.cy, ln.bbox.x0)))
        asides.append(Block("aside", lines, f))
        blocks = out
    return blocks, asides


def _running_text(lines: list[Line]) -> bool:
    """Lines of text, most starting at one left edge: a note, not a diagram's scattered words."""
    if sum(len(ln.words) for ln in lines) < MIN_WORDS or len(lines) < 2:
        return False
    em = median(ln.bbox.height for ln in lines)
    left = min(ln.bbox.x0 for ln in lines)
    flush = sum(1 for ln in lines if ln.bbox.x0 - left <= 2 * em)
    return flush >= 0.6 * len(lines)


def split_title(lines: tuple[Line, ...]) -> tuple[str, tuple[Line, ...]]:
    """(title, body lines) of an aside: the first line is its title when it is short (a few
    words, well short of the box's longest line) and more lines follow."""
    if len(lines) < 2:
        return "", lines
    first = lines[0]
    widest = max(ln.bbox.width for ln in lines[1:])
    if len(first.words) <= TITLE_MAX_WORDS and first.bbox.width < 0.6 * widest:
        return first.text, lines[1:]
    return "", lines
