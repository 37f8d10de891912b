"""Large type (chapter titles, display headings) re-read at the body's size.

Tesseract's models are trained on text of ordinary size: on a title set three times larger it
drops or swaps Vietnamese marks (`VỊ TRI DIA LÍ` for `VỊ TRÍ ĐỊA LÍ`) while the body keeps them.
Each line of much larger type than the page's body is cut out, scaled down until its letters
are body height, and read again as one line; whichever reading the engine is more confident
of is kept, in the first reading's word boxes (only text and confidence change: the layout
measures titles by their geometry). At body size the engine reads in the range it was trained
for, while on display type it is often confidently wrong (0.97 for `VI TRI DIA LI`): so the
body-size reading wins unless the engine is clearly less sure of it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from statistics import fmean, median

from digitize.model import BBox, Block, Line, nfc

LARGE = 1.6  # a line this many times as tall as the body's lines is re-read
MAX_LINES = 12  # per page: display type is rare; a page of it is a poster, not a book page
TOLERANCE = 0.03  # the body-size reading is kept unless this much less confident (0..1)

# (image path) -> lines of (text, (x0, y0, x1, y1), conf 0..100) read as one line of text
Reader = Callable[[Path], list[list[tuple[str, tuple[int, int, int, int], float]]]]


def _height(ln: Line) -> float:
    """The line's ink height, marks and descenders included: alike for body and titles."""
    return ln.bbox.height if sum(ch.isalnum() for ch in ln.text) >= 2 else 0.0


def reread_large(blocks: list[Block], image: Path, read: Reader, work_dir: Path) -> list[Block]:
    """`blocks` with every large line replaced by its body-size reading when that is more
    confident. `read` runs the engine on an image holding one line."""
    heights = [h for b in blocks for ln in b.lines if (h := _height(ln)) > 0]
    if len(heights) < 5:
        return blocks
    body = float(median(heights))
    large = [
        (bi, li)
        for bi, b in enumerate(blocks)
        for li, ln in enumerate(b.lines)
        if _height(ln) >= LARGE * body
    ]
    if not large or len(large) > MAX_LINES:
        return blocks
    from PIL import Image

    out = list(blocks)
    with Image.open(image) as im:
        gray = im.convert("L")
        for bi, li in large:
            ln = out[bi].lines[li]
            new = _reread(gray, ln, body / _height(ln), read, work_dir)
            if new is not None:
                lines = list(out[bi].lines)
                lines[li] = new
                bbox = BBox.enclosing([x.bbox for x in lines])
                out[bi] = replace(out[bi], lines=tuple(lines), bbox=bbox)
    return out


def _reread(gray: object, ln: Line, scale: float, read: Reader, work_dir: Path) -> Line | None:
    got = read_crop(gray, ln.bbox, scale, read, work_dir)
    if not got:
        return None
    old = fmean(w.conf for w in ln.words)
    new = fmean(w[2] for w in got) / 100
    if new < old - TOLERANCE or not 0.5 <= len(got) / len(ln.words) <= 2:
        return None
    # Only the reading changes: each word keeps its box (the layout stages measure type size,
    # indents and title geometry by them; a box from the small image moves a title), and takes
    # the text of the words read over it. A word read where the first reading had none, or a
    # first word nothing was read over, leaves the line as it was.
    over: list[list[tuple[str, float]]] = [[] for _ in ln.words]
    for text, (nx0, _, nx1, _), conf in got:
        shared = [min(nx1, w.bbox.x1) - max(nx0, w.bbox.x0) for w in ln.words]
        k = max(range(len(shared)), key=shared.__getitem__)
        if shared[k] <= 0:
            return None
        over[k].append((nfc(text.strip()), max(0.0, min(1.0, conf / 100))))
    if not all(over):
        return None
    words = tuple(
        replace(w, text=" ".join(t for t, _ in read), conf=fmean(c for _, c in read))
        for w, read in zip(ln.words, over, strict=True)
    )
    return replace(ln, words=words)


Word3 = tuple[str, tuple[float, float, float, float], float]


def read_crop(gray: object, b: BBox, scale: float, read: Reader, work_dir: Path) -> list[Word3]:
    """The words (text, box in page pixels, conf 0..100) read on `b` of the page, padded by
    0.3 of its height and scaled by `scale`, as one line."""
    from PIL import Image

    assert isinstance(gray, Image.Image)
    pad = 0.3 * b.height
    x0, y0 = max(0, int(b.x0 - pad)), max(0, int(b.y0 - pad))
    x1, y1 = min(gray.width, int(b.x1 + pad) + 1), min(gray.height, int(b.y1 + pad) + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    crop = gray.crop((x0, y0, x1, y1))
    size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
    small = crop.resize(size, Image.Resampling.LANCZOS)
    fd, name = tempfile.mkstemp(suffix=".png", prefix="reread-", dir=work_dir)
    os.close(fd)
    try:
        small.save(name)
        lines = read(Path(name))
    finally:
        Path(name).unlink(missing_ok=True)
    return [
        (text, (x0 + bx0 / scale, y0 + by0 / scale, x0 + bx1 / scale, y0 + by1 / scale), conf)
        for line in lines
        for text, (bx0, by0, bx1, by1), conf in line
        if text.strip()
    ]
