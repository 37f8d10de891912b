"""Answer options set side by side (`A. 12   B. 15   C. 18   D. 20`): one list, in letter order.

Exercises print their options across the measure, four to a line or two by two. The OCR reads
each printed line as one line of text ("A. 798 B.652"), so the options came out as paragraphs
of two or four options each. The evidence is in the words alone and holds in any book: lines
that start with a letter mark (`A.`, `B)`) and hold further marks, the letters running on
without a gap (A, B, C, ...) from one line to the next. Each option becomes its own list-item
block, in letter order, so the flow makes them one list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from digitize.model import BBox, Block, Line, Word

MARK = re.compile(r"^([A-H])([.)])(.*)$")
MIN_OPTIONS = 3  # `A. Smith met B. Jones` is a sentence; three letters running on are options


def option_mark(text: str) -> tuple[str, bool] | None:
    """(`A.`, True) for a list item opening with an option's letter mark: the options are an
    ordered list (exporters number them A, B, C), or None."""
    first = text.split(None, 1)[0] if text.strip() else ""
    m = MARK.match(first)
    return (first, True) if m and not m.group(3) else None


def other_options(prev: str, item: str) -> bool:
    """`item` does not go on the list `prev` ends: one is an answer option (`A.`), the other
    not (`a)`, `1.`), or it opens a new set of options (`A.` after `D.`)."""
    a, b = option_mark(prev), option_mark(item)
    return (a is None) != (b is None) or (b is not None and b[0][0] == "A")


def split_options(blocks: list[Block], spare: Sequence[Word] = ()) -> list[Block]:
    """Blocks with each run of side-by-side answer options replaced by one block per option.
    A first row of options the segmentation left in the question's block is taken out of it.
    `spare`: the page's words as the OCR read them, cleaning's drops included (an option the
    engine read at confidence 0, `C7` for `C. 79`, is cleaned away as a scrap; its row shows
    where it stood)."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b, head = blocks[i], None
        run, options = _run(blocks, i, spare)
        cut = next((k for k in range(1, len(b.lines)) if _split(b.lines[k], "A", [], ())), 0)
        if len(options) < MIN_OPTIONS and cut and b.kind in ("paragraph", "heading"):
            tail = replace(b, lines=b.lines[cut:], bbox=_box(b.lines[cut:]))
            run, options = _run([tail, *blocks[i + 1 :]], 0, spare)
            head = replace(b, lines=b.lines[:cut], bbox=_box(b.lines[:cut]))
        if len(options) >= MIN_OPTIONS:
            out.extend([head, *options] if head is not None else options)
            i += run
        else:
            out.append(blocks[i])
            i += 1
    return out


def _box(lines: tuple[Line, ...]) -> BBox:
    return BBox.enclosing([ln.bbox for ln in lines])


def _run(blocks: list[Block], start: int, spare: Sequence[Word]) -> tuple[int, list[Block]]:
    """(blocks used, option blocks) of the run of option lines starting at `blocks[start]`:
    every line of a used block starts with the next letter's mark, or hangs under the options
    of the row above (an option too long for its line wraps under its own text). A row of
    options set wide apart can pass for a heading (`A. 594  B. 775  C. 163  D. 153`): it is
    taken too."""
    options: list[list[Word]] = []
    row: list[tuple[float, int]] = []  # the last row's marks: (x, index in options)
    want, used = "A", 0
    for b in blocks[start:]:
        if b.kind not in ("paragraph", "list_item", "heading") or not b.lines:
            break
        got: list[tuple[str, list[Word]]] = []
        adds: list[tuple[int, Word]] = []
        nxt, last_row = want, row
        for ln in b.lines:
            parts = _split(ln, nxt, options + [ws for _, ws in got], spare)
            if parts:
                base = len(options) + len(got)
                last_row = [(ws[0].bbox.x0, base + k) for k, (_, ws) in enumerate(parts)]
                got += parts
                nxt = chr(ord(parts[-1][0]) + 1)
            elif (more := _wrapped(ln, last_row)) is not None:
                adds += more
            else:
                break
        else:
            all_opts = options + [ws for _, ws in got]
            for k, w in adds:
                all_opts[k].append(w)
            options, row = all_opts, last_row
            want, used = nxt, used + 1
            continue
        break
    return used, [
        Block("list_item", (Line(tuple(ws), box),), box)
        for ws in options
        for box in [BBox.enclosing([w.bbox for w in ws])]
    ]


def _wrapped(line: Line, row: list[tuple[float, int]]) -> list[tuple[int, Word]] | None:
    """The line's words, each with the option above it it continues; None unless the line
    starts right of the first mark of the row above (under its option's text)."""
    if not row or not line.words:
        return None
    em = _em(line)
    if line.words[0].bbox.x0 < row[0][0] + 0.5 * em:
        return None
    out = []
    for w in line.words:
        left = [k for x, k in row if x <= w.bbox.x0 + 0.25 * em]
        out.append((left[-1] if left else row[0][1], w))
    return out


def _em(line: Line) -> float:
    hs = sorted(w.bbox.height for w in line.words)
    return hs[len(hs) // 2] if hs else 1.0


_SPECKS = ".,'‘’“”\"`·_„-–"


def _tolerant(w: Word, letter: str, gap: float | None, em: float) -> bool:
    """`w` is the option mark of `letter` as a noisy scan reads it (`B:`, `Be`, `Cc.`, `„B8:`,
    `.__B.`): the letter, then at most three signs of which one letter, standing at the start
    of the line or after a gap far wider than a space (options are set in columns)."""
    t = w.text.lstrip(_SPECKS)
    if not t or t[0] != letter or len(t) > 4:
        return False
    # `A` opens the run: only with a sign after it (`A,`), not as a word (`As`, `An`)
    if sum(ch.isalpha() for ch in t[1:]) > (0 if letter == "A" else 1):
        return False
    return gap is None or gap >= 1.5 * em


def _split(
    line: Line, first: str, before: list[list[Word]], spare: Sequence[Word]
) -> list[tuple[str, list[Word]]]:
    """The options on one line as (letter, words); [] unless the line starts with the mark of
    letter `first`. A mark glued to its option (`B.652`) is set apart (`B. 652`); a mark the
    OCR misread (see `_tolerant`) is written as printed (`B.`). The line after a row of options
    must start under one of that row's marks (`before`: the options so far). A letter the row
    skips is looked for among the `spare` words in the gap where it stood."""
    out: list[tuple[str, list[Word]]] = []
    em = _em(line)
    prev: Word | None = None
    for w in line.words:
        m = MARK.match(w.text)
        nxt = chr(ord(out[-1][0]) + 1) if out else first
        gap = None if prev is None else w.bbox.x0 - prev.bbox.x1
        if out and prev is not None and _marks(w, chr(ord(nxt) + 1), gap, em):
            lost = _lost(spare, nxt, prev, w, line)
            if lost is not None:
                out.append((nxt, [lost]))
                nxt = chr(ord(nxt) + 1)
        if m and m.group(1) == nxt:
            if m.group(3):
                w = replace(w, text=f"{m.group(1)}{m.group(2)} {m.group(3)}")
            out.append((m.group(1), [w]))
        elif _tolerant(w, nxt, gap, em):
            out.append((nxt, [replace(w, text=f"{nxt}.")]))
        elif out:
            out[-1][1].append(w)
        else:
            return []
        prev = w
    if before and out and not _under_a_mark(out[0][1][0], before, em):
        return []
    return out


def _marks(w: Word, letter: str, gap: float | None, em: float) -> bool:
    m = MARK.match(w.text)
    return bool(m and m.group(1) == letter) or _tolerant(w, letter, gap, em)


def _lost(spare: Sequence[Word], letter: str, left: Word, right: Word, line: Line) -> Word | None:
    """The word between `left` and `right` on the line's row that starts with `letter`: an
    option cleaning dropped, written with its mark set apart (`C7` -> `C. 7`)."""
    for s in spare:
        t = s.text.lstrip(_SPECKS)
        inside = left.bbox.x1 <= s.bbox.x0 and s.bbox.x1 <= right.bbox.x0
        if inside and line.bbox.y0 <= s.bbox.cy <= line.bbox.y1 and t[:1] == letter:
            rest = t[1:].lstrip(".,:;)")
            return replace(s, text=f"{letter}. {rest}" if rest else f"{letter}.")
    return None


def _under_a_mark(mark: Word, before: list[list[Word]], em: float) -> bool:
    return any(abs(ws[0].bbox.x0 - mark.bbox.x0) < 2 * em for ws in before if ws)
