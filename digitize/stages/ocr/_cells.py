"""Ruled tables re-read cell by cell, for `ocr.tesseract`.

Tesseract reads a ruled table as lines running across its cells: a vertical rule becomes `|` or
is fused into the next word, and on a degraded scan the specks near the rules turn short cells
(`23,5`, `Lào Cai`) into junk (`logs 7...`, `(IASCMI`). Each cell alone is easy to read: inside
its rules the ink that is neither a rule remnant nor a speck is the cell's text. So where the
page has a ruled grid (`stages._grids`) whose cells mostly hold words, the cells' text is wiped
clean, stacked on a strip and read in one engine call; a cell takes the new reading when the
engine is at least as sure of it as of the page reading.

Helper module of the `ocr.tesseract` stage; nothing else should import it.
"""

from __future__ import annotations

import dataclasses
from statistics import fmean
from typing import TYPE_CHECKING

from digitize.lazy import lazy_module
from digitize.model import BBox, Block, Line, Word
from digitize.stages._grids import Grid, find_grids, horizontal_rules
from digitize.stages._opentables import open_grids
from digitize.stages.ocr._coverage import Reader, _credible, stack

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported by the parent, which never runs it

MIN_FILLED = 0.5  # share of a grid's cells that must hold page words (else: a framed drawing)


def reread_cells(
    grey: np.ndarray, blocks: tuple[Block, ...], dpi: int, read: Reader
) -> tuple[tuple[Block, ...], int]:
    """The page's blocks with the cells of its ruled tables re-read; and how many cells changed."""
    words = [w for b in blocks for w in b.words]
    ruled = find_grids(grey)
    grids = [(g, True) for g in ruled]
    grids += [
        (g, False) for g in open_grids(horizontal_rules(grey), words, [g.bbox for g in ruled])
    ]
    if not grids:
        return blocks, 0
    ch = max(6.0, float(np.median([w.bbox.height for w in words]))) if words else dpi / 8
    taken: set[int] = set()  # id() of page words a cell's new reading replaces
    new_lines: list[Line] = []
    for g, has_rules in grids:
        cells = _cells(g)
        old = [[w for w in words if _holds(c, w.bbox)] for c in cells]
        if sum(1 for ws in old if ws) < MIN_FILLED * len(cells):
            continue
        clean, boxes = _wipe(grey, cells, dpi, has_rules)
        texts = [k for k, b in enumerate(boxes) if b is not None]
        if not texts:
            continue
        pad = max(4, int(ch * 0.5))
        strip, places = _stack(clean, [b for b in boxes if b is not None], pad)
        found: dict[int, list[Word]] = {}
        for text, (x0, y0, x1, y1), conf in read(strip):
            cy = (y0 + y1) / 2
            for j, (top, origin) in enumerate(places):
                if top - pad / 2 <= cy < top + origin.height + pad / 2:
                    dx, dy = origin.x0 - pad, origin.y0 - top
                    box = BBox(x0 + dx, y0 + dy, x1 + dx, y1 + dy)
                    found.setdefault(texts[j], []).append(Word(text.strip(), box, conf))
                    break
        for k, ws in found.items():
            ws = [w for w in ws if w.text]
            if not ws or not any(_credible(w.text, w.conf) for w in ws):
                continue
            before = fmean(w.conf for w in old[k]) if old[k] else 0.0
            if fmean(w.conf for w in ws) < before:
                continue
            taken.update(id(w) for w in old[k])
            ws.sort(key=lambda w: (round(w.bbox.cy / ch), w.bbox.x0))
            new_lines.append(Line(tuple(ws), BBox.enclosing([w.bbox for w in ws])))
    if not new_lines:
        return blocks, 0
    out = [b for b in (_without(b, taken) for b in blocks) if b is not None]
    out.append(Block("paragraph", tuple(new_lines), BBox.enclosing([ln.bbox for ln in new_lines])))
    return tuple(out), len(new_lines)


def _cells(g: Grid) -> list[BBox]:
    return [
        BBox(g.xs[c], g.ys[r], g.xs[c + 1], g.ys[r + 1])
        for r in range(len(g.ys) - 1)
        for c in range(len(g.xs) - 1)
    ]


def _holds(cell: BBox, b: BBox) -> bool:
    return cell.x0 <= b.cx < cell.x1 and cell.y0 <= b.cy < cell.y1


def _wipe(
    grey: np.ndarray, cells: list[BBox], dpi: int, has_rules: bool
) -> tuple[np.ndarray, list[BBox | None]]:
    """A copy of the page where each cell keeps only its text (rules, rule remnants and specks
    turned white) and, per cell, the box of that text (None: an empty cell). An open table's
    cells between rows have no rule to skip: their edges run between the lines of text."""
    import cv2

    from digitize.stages._grids import ink_threshold

    clean = grey.copy()
    dark = ink_threshold(grey, 160)
    speck = max(4, round(12 * (dpi / 300) ** 2))  # area: smaller than a dot below a Vietnamese ạ
    margin = max(3, round(dpi / 60)) if has_rules else 1  # a rule's width and its ragged edge
    boxes: list[BBox | None] = []
    for c in cells:
        x0, y0 = round(c.x0) + margin, round(c.y0) + margin
        x1, y1 = round(c.x1) - margin, round(c.y1) - margin
        if x1 - x0 < 4 or y1 - y0 < 4:
            boxes.append(None)
            continue
        crop = grey[y0:y1, x0:x1]
        ink = (crop < dark).astype(np.uint8)
        n, lab, st, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        h, w = ink.shape
        keep = np.zeros(n, dtype=bool)
        for i in range(1, n):
            bx, by, bw, bh, area = st[i]
            if area < speck or bw > 0.8 * w or bh > 0.9 * h:
                continue
            edge = bx == 0 or by == 0 or bx + bw == w or by + bh == h
            if edge and max(bw, bh) > 3 * max(1, min(bw, bh)):
                continue  # a sliver of a slanted rule along the cell's side
            keep[i] = True
        region = clean[round(c.y0) : round(c.y1), round(c.x0) : round(c.x1)]
        region[:] = 255
        kept = keep[lab]
        clean[y0:y1, x0:x1][kept] = crop[kept]
        ys, xs = np.nonzero(kept)
        if len(xs) == 0:
            boxes.append(None)
            continue
        boxes.append(
            BBox(
                float(x0 + xs.min()),
                float(y0 + ys.min()),
                float(x0 + xs.max() + 1),
                float(y0 + ys.max() + 1),
            )
        )
    return clean, boxes


def _stack(
    clean: np.ndarray, boxes: list[BBox], pad: int
) -> tuple[np.ndarray, list[tuple[int, BBox]]]:
    """The cells' text crops (exactly their boxes: no neighbour's ink) stacked on a white strip,
    one above the other; per crop its top in the strip and its page box."""
    crops = []
    for b in boxes:
        x0, y0, x1, y1 = int(b.x0), int(b.y0), int(np.ceil(b.x1)), int(np.ceil(b.y1))
        crops.append((clean[y0:y1, x0:x1], BBox(float(x0), float(y0), float(x1), float(y1))))
    return stack(crops, pad)


def _without(b: Block, taken: set[int]) -> Block | None:
    """`b` without the words in `taken`; None when nothing is left of it."""
    if not any(id(w) in taken for w in b.words):
        return b
    lines = []
    for ln in b.lines:
        keep = tuple(w for w in ln.words if id(w) not in taken)
        if keep:
            lines.append(Line(keep, BBox.enclosing([w.bbox for w in keep])))
    if not lines:
        return None
    return dataclasses.replace(
        b, lines=tuple(lines), bbox=BBox.enclosing([ln.bbox for ln in lines])
    )
