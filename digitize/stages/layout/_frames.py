"""Figure regions against the text: a ruled frame around running text is no picture, and text
read inside a real picture (diagram labels, noise from line art) belongs to the picture."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from digitize.model import BBox, Block, Line, Word
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height

# A "figure" holding this much text is a frame or a shaded box around text, not a picture.
FRAME_MIN_LINES = 4
FRAME_MIN_WORDS = 25


def drop_frames(blocks: list[Block]) -> list[Block]:
    """Forget text-less figure blocks that enclose running text: the OCR reports a ruled box
    (a transcript frame, a side box) as an image region, and dropping the text inside it as
    picture labels would lose the page (seen on a real deposition scan: 99 % of its words)."""
    lines = [ln for b in blocks for ln in b.lines]

    def is_frame(box: BBox) -> bool:
        inside = [ln for ln in lines if _mostly_in(ln.bbox, box)]
        return (
            len(inside) >= FRAME_MIN_LINES
            and sum(len(ln.words) for ln in inside) >= FRAME_MIN_WORDS
        )

    return [b for b in blocks if b.lines or b.kind != "figure" or not is_frame(b.bbox)]


def drop_nested_figures(blocks: list[Block]) -> list[Block]:
    """Forget a text-less figure lying inside a larger one: a part of the picture."""
    figs = [b for b in blocks if b.kind == "figure" and not b.lines]

    def nested(b: Block) -> bool:
        area = b.bbox.width * b.bbox.height
        return any(
            o is not b and o.bbox.width * o.bbox.height > area and _mostly_in(b.bbox, o.bbox)
            for o in figs
        )

    return [b for b in blocks if b.lines or b.kind != "figure" or not nested(b)]


def drop_inside(block: Block, figures: list[BBox]) -> Block:
    """Text read inside a figure (labels of a diagram, noise from line art) belongs to the
    picture, which is kept as an image: drop lines lying mostly inside a figure region."""
    if not figures or not block.lines:
        return block
    keep = []
    for ln in block.lines:
        if any(_mostly_in(ln.bbox, f) for f in figures):
            continue
        words = _outside(ln, figures)
        if len(words) == len(ln.words):
            keep.append(ln)
        elif words:
            keep.append(Line(words, BBox.enclosing([w.bbox for w in words])))
    if len(keep) == len(block.lines) and all(
        a is b for a, b in zip(keep, block.lines, strict=True)
    ):
        return block
    return replace(block, lines=tuple(keep))


def _outside(ln: Line, figures: list[BBox], gap_lines: float = 3.0) -> tuple[Word, ...]:
    """The line's words less a leading or trailing run inside a figure that a wide gap (in
    line heights) parts from the rest: the OCR read a label of the picture and the next
    column's text as one line. Words of text running close beside a picture stay."""
    inside = [any(_mostly_in(w.bbox, f) for f in figures) for w in ln.words]
    if not any(inside) or all(inside):
        return ln.words
    gap = gap_lines * ln.bbox.height
    k = inside.index(False)  # a leading run
    if k and ln.words[k].bbox.x0 - ln.words[k - 1].bbox.x1 > gap:
        return ln.words[k:]
    k = len(inside) - inside[::-1].index(False)  # a trailing run
    if k < len(inside) and ln.words[k].bbox.x0 - ln.words[k - 1].bbox.x1 > gap:
        return ln.words[:k]
    return ln.words


def _mostly_in(a: BBox, f: BBox) -> bool:
    w = min(a.x1, f.x1) - max(a.x0, f.x0)
    h = min(a.y1, f.y1) - max(a.y0, f.y0)
    area = max(a.width * a.height, 1.0)
    return w > 0 and h > 0 and w * h >= 0.6 * area


TICK_GAP = 1.5  # line heights: a number inside a picture this far from the text is a tick
LABEL_MAX_WORDS = 3
LABEL_MAX_SIZE = 0.8  # labels are set smaller than body text (numbers may be any size)
EDGE_ZONE = 0.07  # share of the page height at top and bottom: furniture, not labels


def absorb_labels(blocks: list[Block], em: float, size: tuple[int, int]) -> list[Block]:
    """Short scraps of small type beside a figure (axis ticks, the names on a diagram drawn
    outside the ink the OCR boxed as the picture) belong to the picture: grow the figure over
    them, one scrap at a time, so a column of tick numbers is taken in from the axis outwards.
    Body text, captions and the page's margins (running heads, page numbers) never are."""
    figs = [k for k, b in enumerate(blocks) if b.kind == "figure" and not b.lines]
    if not figs:
        return blocks
    bottoms = sorted(ln.bbox.y1 for b in blocks for ln in b.lines)
    boxes = {k: blocks[k].bbox for k in figs}
    height = size[1] or max(b.bbox.y1 for b in blocks)
    # A block of many short lines is a caption or a narrow column, unless all are numbers.
    labels = [
        ln
        for b in blocks
        if len(b.lines) <= 2 or all(not any(c.isalpha() for c in x.text) for x in b.lines)
        for ln in b.lines
        if _label_like(ln, em, height)
    ]
    taken: set[int] = set()
    grew = True
    while grew:
        grew = False
        for ln in labels:
            if id(ln) in taken:
                continue
            for k in figs:
                if (
                    _near(ln.bbox, boxes[k], 1.5 * em)
                    and not _caption_under(ln, boxes[k], em)
                    and not _head_over(ln, boxes[k], bottoms)
                ):
                    boxes[k] = BBox.enclosing([boxes[k], ln.bbox])
                    taken.add(id(ln))
                    grew = True
                    break
    if not taken:
        return blocks
    out = []
    for k, b in enumerate(blocks):
        if k in boxes:
            out.append(replace(b, bbox=boxes[k]))
            continue
        keep = tuple(ln for ln in b.lines if id(ln) not in taken)
        if len(keep) == len(b.lines):
            out.append(b)
        elif keep:
            out.append(replace(b, lines=keep, bbox=BBox.enclosing([ln.bbox for ln in keep])))
    return out


def drop_labels_inside(blocks: list[Block], em: float, size: tuple[int, int]) -> list[Block]:
    """What lies inside a figure once its box is fitted to the picture's ink belongs to the
    picture: label-like lines (`_label_like`: bare numbers, scraps of small type), and a run
    of a line's words a wide gap parts from the rest (`_outside`). Fitting takes in what the
    OCR's own picture box stopped short of: a chart's top tick `100`, read on one line with
    the text of the column beside it."""
    figures = [b.bbox for b in blocks if b.kind == "figure" and not b.lines]
    if not figures:
        return blocks
    height = size[1] or max(b.bbox.y1 for b in blocks)
    out = []
    for b in blocks:
        if not b.lines or b.kind in ("figure", "table", "caption"):
            out.append(b)
            continue
        keep = []
        for ln in b.lines:
            if _label_like(ln, em, height) and any(_mostly_in(ln.bbox, f) for f in figures):
                continue
            words = _outside(ln, figures)
            near = _outside(ln, figures, TICK_GAP)  # a tick sits nearer the text than a name
            if not any(ch.isalpha() for w in ln.words if w not in near for ch in w.text):
                words = near if len(near) < len(words) else words
            keep.append(ln if len(words) == len(ln.words) else _line(words))
        if keep == list(b.lines):
            out.append(b)
        elif keep:
            out.append(replace(b, lines=tuple(keep), bbox=BBox.enclosing([x.bbox for x in keep])))
    return out


def _line(words: tuple[Word, ...]) -> Line:
    return Line(words, BBox.enclosing([w.bbox for w in words]))


def _label_like(ln: Line, em: float, height: float) -> bool:
    """Small type (or bare numbers) in scraps of a few words: names spread along one row of a
    diagram count scrap by scrap; names crowded under a chart's bars (`Nhóm ANhóm BNhóm C`)
    run into one scrap of more words, still short and small."""
    text = ln.text.strip()
    small = line_height(ln) <= LABEL_MAX_SIZE * em
    if not text or any(
        (len(g) > LABEL_MAX_WORDS and not small) or len(" ".join(g)) > 24 for g in _scraps(ln)
    ):
        return False
    if _text.caption_match(text) or not EDGE_ZONE * height < ln.bbox.cy < (1 - EDGE_ZONE) * height:
        return False
    numeric = not any(ch.isalpha() for ch in text)
    if not numeric and text[-1] in ".!?":
        return False  # a sentence, however short, is no name on a drawing
    return numeric or line_height(ln) <= LABEL_MAX_SIZE * em


def _head_over(ln: Line, f: BBox, bottoms: list[float]) -> bool:
    """A line wholly over the picture with no text above it: the running head or page number
    of a page whose picture stands at its top, however deep the page's top margin (a tick
    number level with the axis top shares rows with the picture). `bottoms`: every line's
    bottom edge on the page, sorted."""
    return ln.bbox.y1 <= f.y0 and bisect_right(bottoms, ln.bbox.y0) == 0


def _caption_under(ln: Line, f: BBox, em: float) -> bool:
    """Words centred under a picture (`THEY TIP-TOED ALONG.` under an engraving) title it;
    names spread in a row under a chart's bars do not, nor crowded into a row as wide as the
    bars."""
    if not any(ch.isalpha() for ch in ln.text) or len(_scraps(ln)) > 1:
        return False
    if ln.bbox.width > 0.7 * f.width:
        return False
    return ln.bbox.y0 >= f.y1 - 0.5 * em and abs(ln.bbox.cx - f.cx) < 0.15 * f.width


def _scraps(ln: Line) -> list[list[str]]:
    """The line's words in groups parted by gaps wider than two line heights."""
    groups: list[list[str]] = []
    prev = None
    for w in ln.words:
        if prev is None or w.bbox.x0 - prev.bbox.x1 > 2 * ln.bbox.height:
            groups.append([])
        groups[-1].append(w.text)
        prev = w
    return groups


def _near(a: BBox, f: BBox, margin: float) -> bool:
    dx = max(f.x0 - a.x1, a.x0 - f.x1, 0.0)
    dy = max(f.y0 - a.y1, a.y0 - f.y1, 0.0)
    return dx <= margin and dy <= margin
