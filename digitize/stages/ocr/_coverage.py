"""The coverage check of `ocr.tesseract`: ink that no recognised word or figure covers.

Tesseract's layout analysis sometimes drops a whole text line or a word (seen with the bundled
libtesseract 5.5.4 on a clean book scan); nothing downstream can know, so the book silently loses
text. After recognition the page's ink is split into connected components; the text-like ones
(sized like the page's characters) that no word box or figure box covers are grouped into lines.
Those lines are re-read in one engine call (the crops stacked on a white strip, psm 6) and the
credible words go back into the page: into the line or paragraph they belong to, or as a new
paragraph. What still reads as nothing credible is a *gap*: its box is kept on the page
(`Page.gaps`) and the report flags the page for review.

Helper module of the `ocr.tesseract` stage; nothing else should import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from digitize.lazy import lazy_module
from digitize.model import BBox, Block, Line, Word

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported by the parent, which never runs it

# A stacked strip of crops is read by the engine; it returns (text, box in strip px, conf 0..1).
Reader = Callable[["np.ndarray"], list[tuple[str, tuple[int, int, int, int], float]]]

MIN_CONF = 0.6  # re-read words below this confidence are not credible
MAX_LINES = 60  # candidate lines re-read per page (more is a picture or noise, not lost text)
DOUBT_CONF = 0.4  # a long word below this confidence is re-read alone (glued words)
MAX_DOUBTS = 20  # doubtful words re-read per page (the worst first)


@dataclasses.dataclass(frozen=True, slots=True)
class Coverage:
    """What the check did to one page."""

    blocks: tuple[Block, ...]
    gaps: tuple[BBox, ...]
    reread: int  # words added from re-reading
    candidates: int  # uncovered text-like lines found
    mended: int = 0  # doubtful glued words replaced by a surer re-reading


def _ink(grey: np.ndarray) -> np.ndarray:
    """Binary ink mask (uint8 0/1) of a grey page: Otsu, dark on light."""
    import cv2

    _t, bw = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw


def _covered(boxes: list[BBox], shape: tuple[int, int], pad: int) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    h, w = shape
    for b in boxes:
        x0, y0 = max(0, int(b.x0) - pad), max(0, int(b.y0) - pad)
        x1, y1 = min(w, int(b.x1) + pad), min(h, int(b.y1) + pad)
        if x1 > x0 and y1 > y0:
            mask[y0:y1, x0:x1] = True
    return mask


def uncovered_lines(
    grey: np.ndarray, blocks: tuple[Block, ...] | list[Block], dpi: int
) -> list[BBox]:
    """Boxes of text-like ink lines that no word or figure box covers, top to bottom."""
    import cv2

    words = [w for b in blocks for w in b.words if w.text.strip()]
    figures = [b.bbox for b in blocks if b.kind in ("figure", "table") and not b.lines]
    if not words:
        return []  # nothing read: few_words flags the page already, and a re-read is OCR again
    heights = sorted(w.bbox.height for w in words)
    ch = max(6.0, heights[len(heights) // 2])  # median word height: the body text's size
    bw = _ink(grey)
    n, _labels, stats, _cent = cv2.connectedComponentsWithStats(bw, connectivity=8)
    if n <= 1:
        return []
    # text-sized components (not specks, rules or pictures) away from the image border
    H, W = bw.shape
    pad = max(2, int(ch * 0.15))
    cover = _covered([w.bbox for w in words] + figures, (H, W), pad)
    margin = max(4, dpi // 30)  # scanner edges and gutter shadows hug the image border
    x, y, w, h, area = (stats[1:n, k].astype(np.int64) for k in range(5))
    ok = (h >= 0.3 * ch) & (h <= 1.6 * ch) & (w <= 3 * ch) & (area >= 0.02 * ch * ch)
    ok &= ~((area > 0.85 * w * h) & (w > 0.5 * ch))  # solid blobs are not letters
    ok &= (x >= margin) & (y >= margin) & (x + w <= W - margin) & (y + h <= H - margin)
    ok &= ~cover[y + h // 2, x + w // 2]  # the component's centre lies in no word or figure
    keep = np.zeros((H, W), dtype=np.uint8)
    for i in np.flatnonzero(ok):
        keep[y[i] : y[i] + h[i], x[i] : x[i] + w[i]] = 1
    count = int(ok.sum())
    if count < 3:
        return []
    # characters of one line touch when smeared sideways by about a word space
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(ch * 0.9)), 1))
    smeared = cv2.dilate(keep, k)
    m, _lab, st, _c = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    out: list[BBox] = []
    for j in range(1, m):
        lx, ly, lw, lh, _a = (int(v) for v in st[j])
        inside = keep[ly : ly + lh, lx : lx + lw]
        # a line of text: wider than tall, several characters (columns of ink separated by gaps)
        cols = np.count_nonzero(
            np.diff(np.concatenate(([0], inside.any(axis=0).astype(np.int8)))) == 1
        )
        if lw < 1.5 * ch or cols < 3:
            continue
        out.append(BBox(float(lx), float(ly), float(lx + lw), float(ly + lh)))
    out.sort(key=lambda b: (b.y0, b.x0))
    return out


def _strip(
    grey: np.ndarray, boxes: list[BBox], ch: float
) -> tuple[np.ndarray, list[tuple[int, BBox]]]:
    """The crops of `boxes` stacked on a white strip (one engine call for them all); returns the
    strip and, per box, its top offset in the strip."""
    pad = max(4, int(ch * 0.5))
    H, W = grey.shape
    crops = []
    for b in boxes:
        x0, y0 = max(0, int(b.x0) - pad), max(0, int(b.y0) - pad)
        x1, y1 = min(W, int(b.x1) + pad), min(H, int(b.y1) + pad)
        crops.append((grey[y0:y1, x0:x1], BBox(float(x0), float(y0), float(x1), float(y1))))
    return stack(crops, pad)


def stack(
    crops: list[tuple[np.ndarray, BBox]], pad: int
) -> tuple[np.ndarray, list[tuple[int, BBox]]]:
    """Crops (pixels, page box) stacked on a white strip `pad` apart: the strip and, per crop,
    its top in the strip."""
    sw = max(c.shape[1] for c, _ in crops) + 2 * pad
    sh = sum(c.shape[0] + pad for c, _ in crops) + pad
    strip = np.full((sh, sw), 255, dtype=np.uint8)
    places = []
    y = pad
    for c, origin in crops:
        strip[y : y + c.shape[0], pad : pad + c.shape[1]] = c
        places.append((y, origin))
        y += c.shape[0] + pad
    return strip, places


def _credible(text: str, conf: float) -> bool:
    t = text.strip()
    return conf >= MIN_CONF and any(c.isalnum() for c in t)


def doubtful_words(blocks: tuple[Block, ...] | list[Block], ch: float) -> list[Word]:
    """Long words the engine hardly believes: several words its segmentation glued into one
    (`|TPHôChíMnh` at conf 0.23 for a table cell's `TP. Hồ Chí Minh`, a rule touching it).
    Read alone, the same ink reads right; on the page it is covered, so the line check above
    never sees it."""
    out = [
        w
        for b in blocks
        for w in b.words
        if w.conf < DOUBT_CONF and w.bbox.width >= 3 * ch and len(w.text.strip()) >= 4
    ]
    return sorted(out, key=lambda w: w.conf)[:MAX_DOUBTS]


def check(grey: np.ndarray, blocks: tuple[Block, ...], dpi: int, read: Reader) -> Coverage:
    """Find uncovered text-like lines and glued doubtful words, re-read them with `read` (one
    call), merge what is credible: new words into their lines, a doubtful word replaced by its
    re-reading when that is clearly surer."""
    lines = uncovered_lines(grey, blocks, dpi)
    ws = [w for b in blocks for w in b.words]
    if not ws or len(lines) > MAX_LINES:
        return Coverage(tuple(blocks), tuple(lines[:MAX_LINES]), 0, len(lines))
    heights = sorted(w.bbox.height for w in ws)
    ch = max(6.0, heights[len(heights) // 2])
    doubts = doubtful_words(blocks, ch)
    if not lines and not doubts:
        return Coverage(tuple(blocks), (), 0, 0)
    strip, places = _strip(grey, [*lines, *(w.bbox for w in doubts)], ch)
    found: dict[int, list[Word]] = {}
    read_ok: set[int] = set()  # lines that read as something credible
    for text, (x0, y0, x1, y1), conf in read(strip):
        cy = (y0 + y1) / 2
        for k, (top, origin) in enumerate(places):
            if top <= cy < top + origin.height:
                dx = origin.x0 - max(4, int(ch * 0.5))
                dy = origin.y0 - top
                box = BBox(x0 + dx, y0 + dy, x1 + dx, y1 + dy)
                if k >= len(lines):  # a doubtful word's re-reading, judged as a whole below
                    if text.strip():
                        found.setdefault(k, []).append(Word(text.strip(), box, conf))
                elif _credible(text, conf):
                    read_ok.add(k)
                    if not any(_overlap(box, w.bbox) > 0.4 for w in ws):  # the crop's margin
                        found.setdefault(k, []).append(Word(text.strip(), box, conf))
                break
    gaps = tuple(b for k, b in enumerate(lines) if k not in read_ok)
    new = [w for k in sorted(found) if k < len(lines) for w in found[k]]
    merged = merge_words(list(blocks), new) if new else list(blocks)
    mend = {
        id(w): got
        for j, w in enumerate(doubts)
        if (got := _surer(w, found.get(len(lines) + j, [])))
    }
    if mend:
        merged = _replace_words(merged, mend)
    return Coverage(tuple(merged), gaps, len(new), len(lines), len(mend))


def _surer(old: Word, got: list[Word]) -> list[Word]:
    """The re-read words inside `old`'s box that hold a letter or digit (a table rule read as
    `|` is not a word), when they are clearly surer than `old` and read other letters; []
    keeps `old`."""
    inside = [
        w
        for w in got
        if old.bbox.x0 <= w.bbox.cx <= old.bbox.x1 and any(c.isalnum() for c in w.text)
    ]
    if not inside or _letters("".join(w.text for w in inside)) == _letters(old.text):
        return []  # the same letters: only punctuation differs, and the page saw more context
    mean = sum(w.conf for w in inside) / len(inside)
    return inside if mean >= max(MIN_CONF, old.conf + 0.3) else []


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _replace_words(blocks: list[Block], mend: dict[int, list[Word]]) -> list[Block]:
    out = []
    for b in blocks:
        lines = []
        for ln in b.lines:
            if not any(id(w) in mend for w in ln.words):
                lines.append(ln)
                continue
            words = tuple(x for w in ln.words for x in mend.get(id(w), [w]))
            lines.append(Line(words, BBox.enclosing([x.bbox for x in words])))
        out.append(dataclasses.replace(b, lines=tuple(lines)) if lines != list(b.lines) else b)
    return out


def _overlap(a: BBox, b: BBox) -> float:
    """Share of `a`'s area that `b` covers."""
    w = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    h = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    return w * h / max(1.0, a.width * a.height)


def _v_overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0)) / max(1.0, min(a.height, b.height))


def merge_words(blocks: list[Block], new: list[Word]) -> list[Block]:
    """Put recovered words where they belong: into the line they sit on (a lost word), into the
    paragraph whose lines they fall between (a lost line), else a paragraph of their own."""
    blocks = list(blocks)
    orphans: list[Word] = []
    for w in sorted(new, key=lambda w: (w.bbox.y0, w.bbox.x0)):
        placed = False
        for bi, b in enumerate(blocks):
            if b.kind == "figure" or not b.lines:
                continue
            for li, ln in enumerate(b.lines):
                if _v_overlap(ln.bbox, w.bbox) > 0.5 and _near_x(ln.bbox, w.bbox):
                    words = tuple(sorted((*ln.words, w), key=lambda x: x.bbox.x0))
                    line = Line(words, BBox.enclosing([x.bbox for x in words]))
                    blocks[bi] = _with_line(b, li, line, replace_line=True)
                    placed = True
                    break
            if placed:
                break
        if not placed:
            orphans.append(w)
    # whole lost lines: group orphans into lines, then find the paragraph they fall into
    lines: list[list[Word]] = []
    for w in orphans:
        if lines and _v_overlap(BBox.enclosing([x.bbox for x in lines[-1]]), w.bbox) > 0.5:
            lines[-1].append(w)
        else:
            lines.append([w])
    for group in lines:
        group.sort(key=lambda x: x.bbox.x0)
        line = Line(tuple(group), BBox.enclosing([x.bbox for x in group]))
        target = _host(blocks, line.bbox)
        if target is None:
            blocks.append(Block("paragraph", (line,), line.bbox))
            continue
        bi, li = target
        blocks[bi] = _with_line(blocks[bi], li, line, replace_line=False)
    return blocks


def _near_x(line: BBox, w: BBox) -> bool:
    gap = max(line.x0 - w.x1, w.x0 - line.x1, 0.0)
    return gap < 3 * max(line.height, w.height)


def _host(blocks: list[Block], box: BBox) -> tuple[int, int] | None:
    """(block, insert position) of the paragraph whose column holds `box` between two lines."""
    for bi, b in enumerate(blocks):
        if b.kind == "figure" or not b.lines:
            continue
        bb = b.bbox
        overlap_x = min(bb.x1, box.x1) - max(bb.x0, box.x0)
        if overlap_x < 0.5 * box.width:
            continue
        if not (bb.y0 - box.height * 1.5 <= box.cy <= bb.y1 + box.height * 1.5):
            continue
        pos = sum(1 for ln in b.lines if ln.bbox.cy < box.cy)
        return bi, pos
    return None


def _with_line(b: Block, li: int, line: Line, *, replace_line: bool) -> Block:
    ls = list(b.lines)
    if replace_line:
        ls[li] = line
    else:
        ls.insert(li, line)
    return dataclasses.replace(b, lines=tuple(ls), bbox=BBox.enclosing([ln.bbox for ln in ls]))


def as_grey(pixels: Any) -> np.ndarray:
    """The page's pixels as one grey channel (the stage may hold BGR or grey)."""
    import cv2

    arr = np.asarray(pixels)
    if arr.ndim == 3:
        return cv2.cvtColor(arr, cv2.COLOR_BGR2GRAY)
    if arr.dtype != np.uint8:
        arr = arr.astype(np.uint8)
    return arr
