"""Figures set side by side: two pictures, two captions, read as one of each.

The OCR reads two captions that sit side by side as one text line per printed line ("Hình 1.2a.
Những điều vụn Hình 1.2b. Đời sau"), and reports the two pictures above them as one picture.
The evidence holds in any book: a caption line in which a second caption label starts (`Hình`,
`Figure` and a number) after a gap. The split runs down that gap: every line of the caption and
of the lines wrapped under it is cut there, and so is the picture above it.
"""

from __future__ import annotations

from dataclasses import replace

from digitize.model import BBox, Block, Line
from digitize.stages.layout import _text

GAP = 1.5  # body line heights: the least gutter between two captions side by side


def split_side_by_side(blocks: list[Block], body_h: float) -> list[Block]:
    """Blocks with each pair of side-by-side captions (and the picture above them) cut in two."""
    out = list(blocks)
    k = 0
    while k < len(out):
        b = out[k]
        cut = _second_label(b, body_h) if b.kind == "caption" and b.lines else None
        if cut is None:
            k += 1
            continue
        # the lines wrapped under the pair: blocks just below, within the pair's width
        under = []
        bottom = b.bbox.y1
        for j in range(k + 1, len(out)):
            o = out[j]
            if o.kind not in ("paragraph", "caption") or not o.lines:
                break
            if o.bbox.y0 - bottom > 1.5 * body_h or o.bbox.x0 < b.bbox.x0 - body_h:
                break
            if o.bbox.x1 > b.bbox.x1 + body_h:
                break
            under.append(j)
            bottom = o.bbox.y1
        lines = [*b.lines, *(ln for j in under for ln in out[j].lines)]
        left, right = _halves(lines, cut)
        if not left or not right:
            k += 1
            continue
        pair = [_caption(left), _caption(right)]
        for j in reversed(under):
            del out[j]
        out[k : k + 1] = pair
        for j in range(k - 1, -1, -1):  # the picture above: cut down the same gap
            f = out[j]
            if f.kind == "figure" and not f.lines and f.bbox.x0 < cut < f.bbox.x1:
                out[j : j + 1] = [
                    replace(f, bbox=BBox(f.bbox.x0, f.bbox.y0, cut, f.bbox.y1)),
                    replace(f, bbox=BBox(cut, f.bbox.y0, f.bbox.x1, f.bbox.y1)),
                ]
                k += 1
                break
            if f.kind != "figure":
                break
        k += 2
    return out


def _second_label(b: Block, body_h: float) -> float | None:
    """x of the gap before a second caption label on the caption's first line, or None. The
    gap is wider than a word space (`… so với Hình 1.3` is a reference, not a second caption)."""
    words = b.lines[0].words
    for i in range(1, len(words)):
        if words[i].bbox.x0 - words[i - 1].bbox.x1 < GAP * body_h:
            continue
        if _text.caption_match(" ".join(w.text for w in words[i:])):
            return (words[i - 1].bbox.x1 + words[i].bbox.x0) / 2
    return None


def _halves(lines: list[Line], cut: float) -> tuple[list[Line], list[Line]]:
    left: list[Line] = []
    right: list[Line] = []
    for ln in lines:
        for side, keep in ((left, True), (right, False)):
            ws = tuple(w for w in ln.words if (w.bbox.cx < cut) == keep)
            if ws:
                side.append(Line(ws, BBox.enclosing([w.bbox for w in ws])))
    return left, right


def _caption(lines: list[Line]) -> Block:
    return Block("caption", tuple(lines), BBox.enclosing([ln.bbox for ln in lines]))
