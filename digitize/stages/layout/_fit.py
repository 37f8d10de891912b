"""A figure's box fitted to the picture's own ink, nothing of the text around it.

The box a figure arrives with is the OCR's image region or the band `_regions` found under a
caption: either may take in the rule under a running head, letters of the words beside it, a
drop cap, the streaks a scanner leaves at the page edge, or cut off an edge of the picture's
frame. The picture is what is left when the page's ink is stripped of what the page explains
otherwise: the boxes of the words that belong to text blocks and of drop caps, a rule about as
wide as the text block lying outermost (running heads are ruled off the text, pictures are not
ruled off their own ink), and thin streaks running in from the page's edge. The box becomes the
outline of the ink pieces that remain and touch the old box (a frame cut short is taken in
whole, up to a body line height beyond the old box); a figure with no such ink is no picture.
"""

from __future__ import annotations

from dataclasses import replace
from statistics import median
from typing import Any

from digitize.model import BBox, Block
from digitize.stages._grids import ink_threshold
from digitize.stages.layout._size import line_height

RULE_HEIGHT = 0.35  # body line heights: a rule is a stroke this thin at most...
RULE_WIDTH = 0.8  # ...running this share of the text block's width at least
REACH = 1.0  # body line heights the box may grow by to take in a piece it cuts
SPECK = 0.05  # a piece smaller than this many body line heights squared is a speck
EDGE = 4.0  # body line heights: a piece off the page's edge narrower than this is a streak
INK = 200  # grey level of ink on clean paper: light enough for a photo's pale tones


def fit_figures(blocks: list[Block], gray: Any, caps: list[BBox] | None = None) -> list[Block]:
    """`blocks` with each picture's box fitted to its ink; a picture of streaks is dropped."""
    figs = [k for k, b in enumerate(blocks) if b.kind == "figure" and not b.lines]
    heights = [line_height(ln) for b in blocks for ln in b.lines]
    if gray is None or not figs or not heights:
        return blocks
    body_h = float(median(heights)) or 1.0
    words = [w.bbox for b in blocks for ln in b.lines for w in ln.words]
    lines = [ln.bbox for b in blocks for ln in b.lines if len(ln.words) >= 3]
    text_w = (max(b.x1 for b in lines) - min(b.x0 for b in lines)) if lines else gray.shape[1]
    dark = ink_threshold(gray, INK)
    out: list[Block | None] = list(blocks)
    for k in figs:
        box = fit_box(gray, blocks[k].bbox, [*words, *(caps or [])], text_w, body_h, dark)
        out[k] = None if box is None else replace(blocks[k], bbox=box)
    return [b for b in out if b is not None]


def fit_box(
    gray: Any, box: BBox, text: list[BBox], text_w: float, body_h: float, dark: float
) -> BBox | None:
    """The outline of the picture's ink pieces that touch `box` (see the module doc); None
    when all its ink is streaks or rules; `box` itself when it holds no ink to judge by."""
    import cv2
    import numpy as np

    h, w = gray.shape[:2]
    reach = REACH * body_h
    x0, y0 = max(0, int(box.x0 - reach)), max(0, int(box.y0 - reach))
    x1, y1 = min(w, int(box.x1 + reach) + 1), min(h, int(box.y1 + reach) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return box
    ink = np.asarray(gray[y0:y1, x0:x1] < dark, dtype=np.uint8)
    if not ink.any():
        return box
    for t in text:  # words of the text (and drop caps) explain their own ink
        if t.x1 < x0 or t.x0 > x1 or t.y1 < y0 or t.y0 > y1:
            continue
        ink[
            max(0, int(t.y0) - y0 - 2) : max(0, int(t.y1) - y0 + 3),
            max(0, int(t.x0) - x0 - 2) : max(0, int(t.x1) - x0 + 3),
        ] = 0
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    pieces, noise = [], 0
    for i in range(1, n):
        px, py, pw, ph, area = (int(v) for v in stats[i])
        p = BBox(float(x0 + px), float(y0 + py), float(x0 + px + pw), float(y0 + py + ph))
        if area < SPECK * body_h * body_h or not p.overlaps(box):
            continue
        if _edge_streak(p, w, h, body_h):
            noise += 1
            continue
        pieces.append(p)
    kept = _without_outer_rules(pieces, text_w, body_h)
    noise += len(pieces) - len(kept)
    if not kept:  # streaks or a rule alone: no picture; no ink at all: nothing to judge by
        return None if noise else box
    return BBox.enclosing(kept)


def _edge_streak(p: BBox, w: int, h: int, body_h: float) -> bool:
    """A narrow piece running in from the page's edge: the scanner's streaks and the gutter's
    shadow, not a picture (a picture bled off the page is large both ways)."""
    at_edge = p.x0 <= 1 or p.y0 <= 1 or p.x1 >= w - 1 or p.y1 >= h - 1
    return at_edge and min(p.width, p.height) < EDGE * body_h


def _without_outer_rules(pieces: list[BBox], text_w: float, body_h: float) -> list[BBox]:
    """The pieces less thin rules about as wide as the text block with all the rest of the ink
    on one side of them: the rule under a running head or over the footnotes. A chart's axis
    has bars over it and names under it; a frame is a piece as tall as the picture."""
    kept = list(pieces)
    changed = True
    while changed:
        changed = False
        for p in kept:
            if p.height > RULE_HEIGHT * body_h or p.width < RULE_WIDTH * text_w:
                continue
            rest = [q for q in kept if q is not p]
            if all(q.cy > p.cy for q in rest) or all(q.cy < p.cy for q in rest):
                kept.remove(p)
                changed = True
                break
    return kept
