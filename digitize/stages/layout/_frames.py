"""Figure regions against the text: a ruled frame around running text is no picture, and text
read inside a real picture (diagram labels, noise from line art) belongs to the picture."""

from __future__ import annotations

from dataclasses import replace

from digitize.model import BBox, Block

# A "figure" holding this much text is a frame or a shaded box around text, not a picture.
FRAME_MIN_LINES = 4
FRAME_MIN_WORDS = 25


def drop_frames(blocks: list[Block]) -> list[Block]:
    """Forget text-less figure blocks that enclose running text: the OCR reports a ruled box
    (a transcript frame, a side box) as an image region, and dropping the text inside it as
    picture labels would lose the page (seen on a real deposition scan: 99 % of its words)."""
    lines = [ln for b in blocks for ln in b.lines]

    def is_frame(box: BBox) -> bool:
        inside = [ln for ln in lines if _mostly_in(ln.bbox, box)]
        return (
            len(inside) >= FRAME_MIN_LINES
            and sum(len(ln.words) for ln in inside) >= FRAME_MIN_WORDS
        )

    return [b for b in blocks if b.lines or b.kind != "figure" or not is_frame(b.bbox)]


def drop_inside(block: Block, figures: list[BBox]) -> Block:
    """Text read inside a figure (labels of a diagram, noise from line art) belongs to the
    picture, which is kept as an image: drop lines lying mostly inside a figure region."""
    if not figures or not block.lines:
        return block
    keep = tuple(ln for ln in block.lines if not any(_mostly_in(ln.bbox, f) for f in figures))
    return replace(block, lines=keep)


def _mostly_in(a: BBox, f: BBox) -> bool:
    w = min(a.x1, f.x1) - max(a.x0, f.x0)
    h = min(a.y1, f.y1) - max(a.y0, f.y0)
    area = max(a.width * a.height, 1.0)
    return w > 0 and h > 0 and w * h >= 0.6 * area
