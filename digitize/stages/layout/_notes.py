"""Footnotes the type-size test missed: a note that measures body size beside one that does not."""

from __future__ import annotations

from dataclasses import replace
from statistics import median

from digitize.model import Block
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height


def note_runs(blocks: list[Block], body_h: float) -> list[Block]:
    """A block set tight against a footnote, flush with it, opening with a note mark and in
    type no bigger than the body's, is a note of the same run. Notes are small type, but a
    short note of tall letters (`Há`, `phải`) or a speck can measure at body size, and alone
    it would read as a paragraph that closes the page's last sentence too early."""
    out = list(blocks)
    changed = True
    while changed:
        changed = False
        for k, b in enumerate(out):
            if b.kind != "paragraph" or not b.lines or _text.footnote_mark(b.lines[0].text) is None:
                continue
            if median(line_height(ln) for ln in b.lines) > body_h:
                continue
            near = [out[j] for j in (k - 1, k + 1) if 0 <= j < len(out)]
            if any(n.kind == "footnote" and _tight(b, n, body_h) for n in near):
                out[k] = replace(b, kind="footnote")
                changed = True
    return out


def _tight(a: Block, b: Block, body_h: float) -> bool:
    """One right under the other, at one left edge."""
    gap = max(b.bbox.y0 - a.bbox.y1, a.bbox.y0 - b.bbox.y1)
    return -0.2 * body_h <= gap < body_h and abs(a.bbox.x0 - b.bbox.x0) < body_h
