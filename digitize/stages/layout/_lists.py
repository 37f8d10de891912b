"""List items the OCR lost the marks of: the geometry and the `;` endings still show them."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from digitize.model import BBox, Block, Line, Word
from digitize.stages.layout import _text
from digitize.stages.layout._items import Item
from digitize.stages.layout._joins import leaves_open


def list_blocks(blocks: list[Block], body_h: float) -> list[Block]:
    """The page's list items put together: bulleted lines read as headings, wrapped lines cut
    from their item, then items whose marks the OCR lost."""
    return lost_marks(
        misread_numbers(wrapped_items(bulleted(blocks, body_h), body_h), body_h), body_h
    )


def bulleted(blocks: list[Block], body_h: float) -> list[Block]:
    """A heading that opens with a bullet (`•`, or `®`, `¢` as the OCR reads one) standing in
    line with the mark of a list item next to it (wrapped lines indented past the marks may lie
    between) is an item of that list set in large type (a brochure's feature list), not a title."""
    out = list(blocks)
    for order in (range(len(out)), range(len(out) - 1, -1, -1)):
        for k in order:
            b = out[k]
            mark = _mark_x(b)
            if b.kind != "heading" or mark is None:
                continue
            for step in (-1, 1):
                n = _next_marked(out, k, step, mark, body_h)
                if n is not None and n.kind == "list_item":
                    out[k] = replace(b, kind="list_item", level=None)
    return out


def _next_marked(
    blocks: list[Block], k: int, step: int, mark: float, body_h: float
) -> Block | None:
    """The block before (step -1) or after (+1) blocks[k] that starts at its mark's x, past
    lines indented further (an item's wrapped lines); None if it has no bullet there."""
    j = k + step
    while 0 <= j < len(blocks) and blocks[j].bbox.x0 > mark + 0.5 * body_h:
        j += step
    if not 0 <= j < len(blocks):
        return None
    x = _mark_x(blocks[j])
    return blocks[j] if x is not None and abs(x - mark) < 0.5 * body_h else None


def _mark_x(b: Block) -> float | None:
    """Where the bullet opening `b` stands, or None: no bullet (numbers are titles' too)."""
    if not b.lines or len(b.lines[0].words) < 2:
        return None
    mark = _text.list_mark(b.lines[0].text)
    return b.lines[0].words[0].bbox.x0 if mark is not None and not mark[1] else None


def wrapped_items(blocks: list[Block], body_h: float) -> list[Block]:
    """Lines hanging under a list item's text, not its mark, right below it, where the item's
    last line left its sentence open and no room for their first word: the item wrapped there.
    Reading order can cut such lines from their item (a full-width list crosses the gutter of
    the columns under it), and a short one ending `.` would pass for an item whose mark the
    OCR lost."""
    out: list[Block] = []
    for k, b in enumerate(blocks):
        prev = out[-1] if out else None
        if prev is not None and prev.kind == "list_item" and _wraps(prev, b, blocks, k, body_h):
            lines = prev.lines + b.lines
            out[-1] = replace(prev, lines=lines, bbox=BBox.enclosing([ln.bbox for ln in lines]))
        else:
            out.append(b)
    return out


def _wraps(item: Block, b: Block, blocks: list[Block], k: int, body_h: float) -> bool:
    """`b` (blocks[k]) is the rest of `item`, the block before it."""
    if b.kind not in ("paragraph", "heading", "list_item") or not b.lines:
        return False
    first, last, head = item.lines[0], item.lines[-1], b.lines[0]
    if _text.list_mark(first.text) is None or _text.list_mark(head.text) is not None:
        return False
    mark_x, text_x = first.words[0].bbox.x0, hang(first)
    if text_x - mark_x < 0.5 * body_h or abs(head.bbox.x0 - text_x) >= 0.5 * body_h:
        return False  # no hanging indent, or not under the item's text
    lead = head.bbox.y0 - last.bbox.y1
    if not -0.3 * last.bbox.height < lead < 0.8 * last.bbox.height:
        return False
    if not 0.7 < head.bbox.height / max(last.bbox.height, 1.0) < 1.4:
        return False  # another type size: not the same item's text
    if not leaves_open(last.text):
        return False
    # The measure: the widest line of the text around that starts where the list does.
    near = [
        ln.bbox.x1
        for o in blocks[max(0, k - 5) : k + 5]
        if o.kind in ("paragraph", "heading", "list_item") and abs(o.bbox.x0 - mark_x) < 3 * body_h
        for ln in o.lines
    ]
    right = max([*near, last.bbox.x1])
    word = head.words[0].bbox.width if head.words else 0.0
    return right - last.bbox.x1 < word + body_h


def misread_numbers(blocks: list[Block], body_h: float) -> list[Block]:
    """A line under a numbered item that ended `;` (the list goes on), whose first word stands
    where the item's number does and whose second word where the item's text starts, is the
    next item: its first word is that number as a noisy scan read it (`Pe` for `4.`)."""
    out = list(blocks)
    for k in range(1, len(out)):
        prev, b = out[k - 1], out[k]
        if prev.kind != "list_item" or b.kind != "paragraph" or len(b.lines) > 2:
            continue
        first, head = prev.lines[0], b.lines[0]
        mark = _text.list_mark(first.text)
        if mark is None or not mark[1] or len(head.words) < 2 or len(first.words) < 2:
            continue
        if not prev.lines[-1].text.rstrip().endswith(";") or _text.list_mark(head.text):
            continue
        w0, w1 = head.words[0], head.words[1]
        at_mark = abs(w0.bbox.x0 - first.words[0].bbox.x0) < 0.5 * body_h
        at_text = abs(w1.bbox.x0 - hang(first)) < 0.5 * body_h
        close = b.bbox.y0 - prev.bbox.y1 < body_h
        nxt = _next_mark(mark[0])
        if at_mark and at_text and close and len(w0.text) <= 3 and nxt:
            line = Line((replace(w0, text=nxt), *head.words[1:]), head.bbox)
            out[k] = replace(b, kind="list_item", lines=(line, *b.lines[1:]))
    return out


def _next_mark(mark: str) -> str | None:
    """`3.` -> `4.`, `c)` -> `d)`; None for a mark that does not count."""
    m = re.match(r"^(\(?)(\d{1,2}|[a-y])([.)])$", mark)
    if m is None:
        return None
    n = m.group(2)
    value = str(int(n) + 1) if n.isdigit() else chr(ord(n) + 1)
    return f"{m.group(1)}{value}{m.group(3)}"


def hang(first: Line) -> float:
    """Where a list item's text starts, right of its mark (`a)`, `•`)."""
    words = first.words
    return words[1].bbox.x0 if len(words) >= 2 else first.bbox.x0


def lost_marks(blocks: list[Block], body_h: float) -> list[Block]:
    """A short line right under a list item, starting where that item's text starts and ending
    like its items do, is the next item whose mark the OCR dropped."""
    out = list(blocks)
    for k in range(1, len(out)):
        prev, b = out[k - 1], out[k]
        if b.kind != "paragraph" or prev.kind != "list_item" or len(b.lines) > 2:
            continue
        text = b.lines[-1].text.rstrip()
        gap = b.bbox.y0 - prev.bbox.y1
        aligned = abs(b.lines[0].bbox.x0 - hang(prev.lines[0])) < 0.5 * body_h
        if aligned and gap < body_h and text.endswith((";", ".")):
            out[k] = replace(b, kind="list_item")
    # Items whose marks all went: one-line paragraphs at one indent, ending `;` … `.`.
    k = 0
    while k < len(out):
        run = k
        while (
            run < len(out)
            and out[run].kind == "paragraph"
            and len(out[run].lines) == 1
            and abs(out[run].bbox.x0 - out[k].bbox.x0) < 0.5 * body_h
            and out[run].lines[0].text.rstrip().endswith(";")
        ):
            run += 1
        last = out[run] if run < len(out) else None
        ends = last is not None and last.kind == "paragraph" and len(last.lines) == 1
        if run - k >= 1 and ends and abs(out[run].bbox.x0 - out[k].bbox.x0) < 0.5 * body_h:
            for j in range(k, run + 1):
                out[j] = replace(out[j], kind="list_item")
            k = run + 1
            continue
        k = max(run, k + 1)
    return out


_BULLET_LOOKALIKES = "•·●○◦▪■□¢©®°«»*"


def small_bullet(words: tuple[Word, ...]) -> tuple[tuple[Word, ...], bool]:
    """A line's first word that is one or two doubted signs, far smaller than the words after it
    and floating mid-line, is a bullet the OCR read as a letter, digit or sign (`5`, `¢`): it
    becomes `•` (True: keep it, though a doubted sign would pass for a speck), so the line is a
    list item and no stray `5` reads as a page number in the text."""
    rest = [w for w in words[1:] if any(ch.isalnum() for ch in w.text)]
    if not rest:
        return words, False
    first = words[0]
    if len(first.text) > 2 or first.conf >= 0.75 or not rest[0].text[:1].isupper():
        return words, False
    h = sorted(w.bbox.height for w in rest)[len(rest) // 2]
    top, bottom = min(w.bbox.y0 for w in rest), max(w.bbox.y1 for w in rest)
    mid = top + 0.2 * (bottom - top) < first.bbox.cy < bottom - 0.2 * (bottom - top)
    # A "dash" as tall as it is wide is a round bullet the engine misnamed, not a dash mark.
    square_dash = first.text in ("-", "–") and first.bbox.height >= 0.6 * first.bbox.width
    looks = square_dash or any(ch.isalnum() or ch in _BULLET_LOOKALIKES for ch in first.text)
    dot = 0.2 * h <= min(first.bbox.height, first.bbox.width) and first.bbox.height < 0.5 * h
    if looks and dot and mid:  # not a speck of dust (`.`, `-_` two pixels wide)
        return (Word("•", first.bbox, first.conf), *words[1:]), True
    return words, False


def dropped_marks(items: list[Item], pixels: Any, body_h: float, original: dict[int, Line]) -> None:
    """Put back list marks the OCR dropped (a dash or bullet set an em or two left of the item's
    text is often taken for a speck, and the wrapped items then read as one paragraph). The
    page image shows them: one small blob in the white left of a line, at mid x-height, with
    nothing else there; or a number (`1.`, stacked numbers are read as a word of their own, `PWN`,
    which cleaning drops). Two such marks, or a blob beside marks the OCR did read, standing at
    one x are a list; a lone blob is dust. Numbers are counted from 1: the ink says where a
    number stands, not which."""
    if pixels is None:
        return
    from digitize.stages.layout._tables import ink_threshold

    thr = ink_threshold(pixels, 128)
    found: list[tuple[int, BBox, str]] = []
    anchors: list[float] = []
    for k, it in enumerate(items):
        ln = it.line
        if ln is None or it.kind != "paragraph" or not ln.words:
            continue
        if _text.list_mark(ln.text) is not None:
            anchors.append(ln.words[0].bbox.x0)
            continue
        src = original.get(id(ln), ln)
        left = _left_limit(items, it, body_h)
        blob = _blob(pixels, thr, src.bbox, left - (it.bbox.x0 - src.bbox.x0), body_h)
        if blob is not None:
            found.append((k, blob[0], blob[1]))
    number, last = 0, None
    for k, box, mark in found:
        kind = mark.startswith("#")
        near = [a for a in anchors if abs(a - box.x0) < 0.5 * body_h and not kind]
        twins = [
            b
            for j, b, m in found
            if j != k
            and m.startswith("#") == kind
            and min(abs(b.x0 - box.x0), abs(b.x1 - box.x1)) < 0.5 * body_h
        ]
        if not (near or twins):
            continue
        if kind:  # numbered in reading order; a list far below the last one starts again
            number = number + 1 if last is not None and box.y0 - last < 4 * body_h else 1
            last = box.y1
            mark = f"{number}{mark[1:]}"
        _prepend(items[k], box, mark, original)


def _left_limit(items: list[Item], it: Item, body_h: float) -> float:
    """How far left of `it` a mark may stand: three ems, never into a neighbour's text."""
    b = it.bbox
    left = b.x0 - 3 * body_h
    for other in items:
        o = other.bbox
        if other is it or o.x1 > b.x0 or min(o.y1, b.y1) - max(o.y0, b.y0) <= 0.3 * b.height:
            continue
        left = max(left, o.x1 + 0.2 * body_h)
    return left


def _blob(
    pixels: Any, thr: float, line: BBox, left: float, body_h: float
) -> tuple[BBox, str] | None:
    """The mark between `left` and the line's text, or None: one mark-sized blob (`•`, `–`),
    or a numeral (`#.`: one or two digits and a full stop, numbered by the caller)."""
    import cv2
    import numpy as np

    h, w = pixels.shape[:2]
    pad = 0.2 * body_h  # digits reach the top of the line's box
    x0, x1 = max(0, int(left)), int(line.x0 - 0.2 * body_h)
    y0, y1 = max(0, int(line.y0 - pad)), min(h, int(line.y1 + pad))
    if x1 - x0 < 0.3 * body_h or line.height < 0.3 * body_h or x1 > w:
        return None
    mask = (pixels[y0:y1, x0:x1] < thr).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    dust = 0.12 * body_h
    comps = [
        BBox(float(x0 + s[0]), float(y0 + s[1]), float(x0 + s[0] + s[2]), float(y0 + s[1] + s[3]))
        for s in stats[1:]
        if max(s[2], s[3]) >= dust
    ]
    inside = BBox(x0 + 0.5, y0 + 0.5, x1 - 1.5, y1 - 1.5)
    if not comps or any(
        c.x0 < inside.x0 or c.y0 < inside.y0 or c.x1 > inside.x1 or c.y1 > inside.y1 for c in comps
    ):
        return None  # nothing, or cut by the window: part of something larger
    if len(comps) == 1:
        c = comps[0]
        small = max(c.width, c.height) >= 0.25 * body_h
        small = small and c.width <= 1.2 * body_h and c.height <= 0.6 * body_h
        # mid x-height: a quote mark sits high, a comma low
        if small and line.y0 + 0.25 * line.height < c.cy < line.y0 + 0.85 * line.height:
            return c, ("–" if c.height < 0.45 * c.width else "•")
    return _numeral(comps, line, body_h)


def _numeral(comps: list[BBox], line: BBox, body_h: float) -> tuple[BBox, str] | None:
    """One or two digits standing on the line's baseline, maybe a full stop after them (or
    a bracket, as tall as a digit)."""
    digits = [c for c in comps if 0.45 * body_h <= c.height <= 0.9 * body_h]
    dots = [c for c in comps if max(c.width, c.height) < 0.3 * body_h]
    if not 1 <= len(digits) <= 2 or len(dots) > 1 or len(digits) + len(dots) != len(comps):
        return None
    if any(c.width > 0.8 * body_h for c in digits):
        return None
    if dots and dots[0].x0 < max(c.x1 for c in digits):
        return None  # the stop follows the number
    if max(c.y1 for c in digits) < line.y0 + 0.45 * line.height:
        return None  # raised: not standing on the line
    box = BBox.enclosing(comps)
    if box.width > 1.8 * body_h:
        return None
    return box, "#."  # the stop may be too small to tell from dust: the common form


def _prepend(it: Item, box: BBox, mark: str, original: dict[int, Line]) -> None:
    """Give the item's line (straightened and as read) the mark as its first word."""
    ln = it.line
    assert ln is not None
    src = original.get(id(ln), ln)
    dy = ln.bbox.y0 - src.bbox.y0
    dx = ln.bbox.x0 - src.bbox.x0
    sbox = BBox(box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy)
    words = (Word(mark, sbox, 0.5), *ln.words)
    line = Line(words, BBox.enclosing([w.bbox for w in words]))
    if id(ln) in original:
        owords = (Word(mark, box, 0.5), *src.words)
        original[id(line)] = Line(owords, BBox.enclosing([w.bbox for w in owords]))
    it.line, it.bbox = line, line.bbox
