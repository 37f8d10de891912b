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


def split_options(blocks: list[Block]) -> list[Block]:
    """Blocks with each run of side-by-side answer options replaced by one block per option."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        run, options = _run(blocks, i)
        if len(options) >= MIN_OPTIONS:
            out.extend(options)
            i += run
        else:
            out.append(blocks[i])
            i += 1
    return out


def _run(blocks: list[Block], start: int) -> tuple[int, list[Block]]:
    """(blocks used, option blocks) of the run of option lines starting at `blocks[start]`:
    every line of a used block starts with the next letter's mark. A row of options set wide
    apart can pass for a heading (`A. 594  B. 775  C. 163  D. 153`): it is taken too."""
    options: list[list[Word]] = []
    want, used = "A", 0
    for b in blocks[start:]:
        if b.kind not in ("paragraph", "list_item", "heading") or not b.lines:
            break
        got: list[tuple[str, list[Word]]] = []
        nxt = want
        for ln in b.lines:
            parts = _split(ln, nxt)
            if not parts:
                break
            got += parts
            nxt = chr(ord(parts[-1][0]) + 1)
        else:
            options += [ws for _, ws in got]
            want, used = nxt, used + 1
            continue
        break
    return used, [
        Block("list_item", (Line(tuple(ws), box),), box)
        for ws in options
        for box in [BBox.enclosing([w.bbox for w in ws])]
    ]


def _split(line: Line, first: str) -> list[tuple[str, list[Word]]]:
    """The options on one line as (letter, words); [] unless the line starts with the mark of
    letter `first`. A mark glued to its option (`B.652`) is set apart (`B. 652`)."""
    out: list[tuple[str, list[Word]]] = []
    for w in line.words:
        m = MARK.match(w.text)
        nxt = chr(ord(out[-1][0]) + 1) if out else first
        if m and m.group(1) == nxt:
            if m.group(3):
                w = replace(w, text=f"{m.group(1)}{m.group(2)} {m.group(3)}")
            out.append((m.group(1), [w]))
        elif out:
            out[-1][1].append(w)
        else:
            return []
    return out
