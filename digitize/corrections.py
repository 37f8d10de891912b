"""Proofreading edits on a Book's page blocks, each one recorded as a `Correction`.

Part of the SDK beside the model: the editor (`digitize.proof`) makes corrections, the engine
re-applies them when a proofread book is converted again (`reapply`).

The page blocks are the one source of truth: a fixed word changes the page's words (so the
searchable PDF, hOCR and ALTO carry it too) and the reading-order flow is rebuilt from the pages
by the same `layout.flow` stage the conversion ran (`store`). Editing the flow instead would
leave the page-faithful outputs with the misread text, and a flow paragraph (joined across
lines, columns and pages) has no single place on a page to click.

A correction names its block by position and by the block's text and box before the edit, so
`reapply` can apply it again to a re-conversion of the same book wherever the block is still
found; one whose block is gone is skipped, never applied to the wrong text.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from digitize.model import BBox, Block, Book, Correction, Line, Page, Word, nfc

# The book stage that builds the flow from the page blocks: rerun after corrections.
FLOW_STAGE = "layout.flow"
# The kinds a proofreader may give a block: "header" is a running head, left out of the text.
EDIT_KINDS = ("paragraph", "heading", "caption", "footnote", "list_item", "header")
MAX_LEVEL = 3
OPS = ("word", "text", "kind", "join", "split", "reviewed")


class EditError(ValueError):
    """An edit that does not fit the book as it is (a stale position, a bad kind)."""


def squash(text: str) -> str:
    """Text compared for anchoring: NFC, whitespace runs as one space."""
    return " ".join(nfc(text).split())


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_position(book: Book, index: int) -> int:
    """Position in `book.pages` of the page whose `Page.index` is `index`."""
    for pos, page in enumerate(book.pages):
        if page.index == index:
            return pos
    raise EditError(f"no page with index {index}")


def correction(book: Book, op: str, page: int, block: int = -1, **fields: object) -> Correction:
    """A correction for the block as it stands now in `book` (its text and box as anchor)."""
    if op not in OPS:
        raise EditError(f"unknown edit {op!r}; valid: {', '.join(OPS)}")
    p = book.pages[page_position(book, page)]
    anchor, box = "", None
    if op != "reviewed":
        if not 0 <= block < len(p.blocks):
            raise EditError(f"page {page + 1} has no block {block}")
        b = p.blocks[block]
        anchor, box = b.text, (b.bbox.x0, b.bbox.y0, b.bbox.x1, b.bbox.y1)
    return Correction(op, page, block, anchor, box, when=now(), **fields)  # type: ignore[arg-type]


def apply(book: Book, c: Correction) -> Book:
    """`book` with `c` applied to its pages and appended to its corrections (EditError when
    its block is not found). The flow is not rebuilt here (see `store`)."""
    pos = page_position(book, c.page)
    page = book.pages[pos]
    if c.op != "reviewed":
        bi = find_block(page, c)
        if bi is None:
            raise EditError(f"page {c.page + 1}: the block {squash(c.anchor)[:40]!r} is not found")
        page = _EDITORS[c.op](book, page, bi, c)
    pages = (*book.pages[:pos], page, *book.pages[pos + 1 :])
    return dataclasses.replace(book, pages=pages, corrections=(*book.corrections, c))


def reapply(book: Book, corrections: tuple[Correction, ...]) -> tuple[Book, list[Correction]]:
    """Apply earlier corrections to a re-converted `book`; returns it and those not applied
    (their page or block is gone). Every correction stays recorded either way."""
    missed: list[Correction] = []
    for c in corrections:
        try:
            book = apply(book, c)
        except EditError:
            missed.append(c)
            book = dataclasses.replace(book, corrections=(*book.corrections, c))
    return book, missed


def find_block(page: Page, c: Correction) -> int | None:
    """The block `c` is about: at its recorded position when the text there still matches,
    else the block with the same text nearest its recorded box, else None."""
    want = squash(c.anchor)
    if 0 <= c.block < len(page.blocks) and squash(page.blocks[c.block].text) == want:
        return c.block
    same = [i for i, b in enumerate(page.blocks) if squash(b.text) == want]
    if not same:
        return None
    if c.box is None:
        return same[0]
    cx, cy = (c.box[0] + c.box[2]) / 2, (c.box[1] + c.box[3]) / 2
    return min(
        same, key=lambda i: abs(page.blocks[i].bbox.cx - cx) + abs(page.blocks[i].bbox.cy - cy)
    )


def reviewed_pages(book: Book) -> set[int]:
    """Page indices marked reviewed (the last mark of a page wins: value "" unmarks it)."""
    state: dict[int, bool] = {}
    for c in book.corrections:
        if c.op == "reviewed":
            state[c.page] = bool(c.value)
    return {i for i, yes in state.items() if yes}


# ---------------------------------------------------------------- heading levels


def heading_ranks(book: Book, skip: tuple[int, int] | None = None) -> list[int]:
    """The distinct outline ranks the book's headings carry (Block.level), in order."""
    return sorted(
        {
            b.level
            for pi, p in enumerate(book.pages)
            for bi, b in enumerate(p.blocks)
            if b.kind == "heading" and b.level is not None and (pi, bi) != skip
        }
    )


def level_of(book: Book, block: Block) -> int | None:
    """The outline level (1 = top) a heading block takes among the book's ranks."""
    if block.kind != "heading" or block.level is None:
        return None
    return heading_ranks(book).index(block.level) + 1


def rank_for(book: Book, level: int, skip: tuple[int, int] | None = None) -> int:
    """The rank that puts a heading at outline `level`: the rank of the book's headings at that
    level, or one deeper than the deepest. (`layout.flow` packs ranks into levels 1..n.)"""
    ranks = heading_ranks(book, skip)
    if level <= len(ranks):
        return ranks[level - 1]
    return (ranks[-1] if ranks else 0) + level - len(ranks)


# ---------------------------------------------------------------- the edits


def _spread(tokens: list[str], box: BBox) -> tuple[Word, ...]:
    """Words for `tokens` laid across `box` in proportion to their length (new text has no
    boxes of its own); confidence 1: a person wrote them."""
    total = sum(len(t) for t in tokens) + len(tokens) - 1
    step = box.width / max(1, total)
    out, x = [], box.x0
    for t in tokens:
        w = len(t) * step
        out.append(Word(t, BBox(x, box.y0, x + w, box.y1), 1.0))
        x += w + step
    return tuple(out)


def _retext(line: Line, text: str) -> Line | None:
    """`line` saying `text`: same word boxes when the word count is unchanged (changed words
    get confidence 1), else words spread over the line. None when `text` is blank."""
    tokens = nfc(text).split()
    if not tokens:
        return None
    old = [w for w in line.words if w.text.strip()]
    if len(tokens) == len(old):
        words = tuple(
            w if w.text == t else Word(t, w.bbox, 1.0) for w, t in zip(old, tokens, strict=True)
        )
    else:
        words = _spread(tokens, line.bbox)
    return Line(words, line.bbox)


def _with_lines(block: Block, lines: tuple[Line, ...]) -> Block:
    box = BBox.enclosing([ln.bbox for ln in lines]) if lines else block.bbox
    return dataclasses.replace(
        block, lines=lines, bbox=box if len(lines) < len(block.lines) else block.bbox
    )


def _set_block(page: Page, bi: int, *blocks: Block) -> Page:
    return dataclasses.replace(page, blocks=page.blocks[:bi] + blocks + page.blocks[bi + 1 :])


def _word(book: Book, page: Page, bi: int, c: Correction) -> Page:
    block = page.blocks[bi]
    if not 0 <= c.line < len(block.lines) or not 0 <= c.word < len(block.lines[c.line].words):
        raise EditError(f"page {c.page + 1}: block {bi} has no word {c.line}:{c.word}")
    line = block.lines[c.line]
    old = line.words[c.word]
    tokens = nfc(c.value).split()
    new = (
        _spread(tokens, old.bbox)
        if len(tokens) > 1
        else tuple(Word(t, old.bbox, 1.0) for t in tokens)
    )
    words = line.words[: c.word] + new + line.words[c.word + 1 :]
    lines = list(block.lines)
    if words:
        lines[c.line] = Line(words, line.bbox)
    else:
        del lines[c.line]
    return _set_block(page, bi, _with_lines(block, tuple(lines)))


def _text(book: Book, page: Page, bi: int, c: Correction) -> Page:
    block = page.blocks[bi]
    if not block.lines:
        raise EditError(f"page {c.page + 1}: block {bi} ({block.kind}) has no text to edit")
    rows = [r for r in nfc(c.value).split("\n") if r.strip()]
    if len(rows) > len(block.lines):  # more lines than the scan: the extra go on the last one
        keep = len(block.lines) - 1
        rows = [*rows[:keep], " ".join(rows[keep:])]
    lines = tuple(
        ln for ln in (_retext(line, r) for line, r in zip(block.lines, rows, strict=False)) if ln
    )
    if not lines:
        return dataclasses.replace(page, blocks=page.blocks[:bi] + page.blocks[bi + 1 :])
    return _set_block(page, bi, _with_lines(block, lines))


def _kind(book: Book, page: Page, bi: int, c: Correction) -> Page:
    if c.value not in EDIT_KINDS:
        raise EditError(f"unknown block kind {c.value!r}; valid: {', '.join(EDIT_KINDS)}")
    level = None
    if c.value == "heading":
        if c.level is None or not 1 <= c.level <= MAX_LEVEL:
            raise EditError(f"a heading needs a level from 1 to {MAX_LEVEL}")
        level = rank_for(book, c.level, (book.pages.index(page), bi))
    block = dataclasses.replace(page.blocks[bi], kind=c.value, level=level, confirmed=True)
    return _set_block(page, bi, block)


def _join(book: Book, page: Page, bi: int, c: Correction) -> Page:
    if bi + 1 >= len(page.blocks):
        raise EditError(f"page {c.page + 1}: block {bi} is the last one: nothing to join it with")
    a, b = page.blocks[bi], page.blocks[bi + 1]
    if not a.lines or not b.lines:
        raise EditError(f"page {c.page + 1}: a figure cannot be joined to text")
    joined = dataclasses.replace(a, lines=a.lines + b.lines, bbox=a.bbox.union(b.bbox))
    return dataclasses.replace(page, blocks=(*page.blocks[:bi], joined, *page.blocks[bi + 2 :]))


def _split(book: Book, page: Page, bi: int, c: Correction) -> Page:
    block = page.blocks[bi]
    if not 0 < c.line < len(block.lines):
        raise EditError(f"page {c.page + 1}: block {bi} cannot be split before line {c.line}")
    top, rest = block.lines[: c.line], block.lines[c.line :]
    first = dataclasses.replace(block, lines=top, bbox=BBox.enclosing([ln.bbox for ln in top]))
    kind = "paragraph" if block.kind == "heading" else block.kind
    second = Block(kind, rest, BBox.enclosing([ln.bbox for ln in rest]))
    return _set_block(page, bi, first, second)


_EDITORS = {"word": _word, "text": _text, "kind": _kind, "join": _join, "split": _split}
