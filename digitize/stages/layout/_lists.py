"""List items the OCR lost the marks of: the geometry and the `;` endings still show them."""

from __future__ import annotations

from dataclasses import replace

from digitize.model import Block, Line, Word


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
