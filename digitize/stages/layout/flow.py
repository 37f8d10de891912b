"""Build `book.flow`, the reading-order document exporters read (milestone version).

Each page contributes a PageBreak, then its blocks in order: paragraphs joined from their lines,
headings, and figures cropped from the page image. Page furniture (running heads, page numbers)
never reaches the flow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from digitize.model import (
    FURNITURE_KINDS,
    Block,
    Book,
    Figure,
    FlowItem,
    Heading,
    PageBreak,
    Paragraph,
    nfc,
)
from digitize.stage import BookStage, Context


@dataclass(frozen=True, slots=True)
class FlowOptions:
    """No options yet."""


class FlowBuilder(BookStage[FlowOptions]):
    kind = "layout"
    name = "layout.flow"
    version = "1"
    Options = FlowOptions
    summary = "Join lines and pages into the reading-order flow (paragraphs, headings, figures)"

    def process_book(self, book: Book, ctx: Context) -> Book:
        work = Path(book.work_dir or ctx.work_dir)
        flow: list[FlowItem] = []
        for page in book.pages:
            flow.append(PageBreak(page.index, page.label))
            for block in page.blocks:
                if block.kind in FURNITURE_KINDS:
                    continue
                if block.kind == "figure":
                    fig = crop_figure(work, page.image, block)
                    if fig is not None:
                        flow.append(fig)
                    continue
                text = _join_lines(block)
                if not text:
                    continue
                if block.kind == "heading":
                    flow.append(Heading(text, block.level or 1))
                else:
                    flow.append(Paragraph(text))
        return replace(book, flow=tuple(flow))


def _join_lines(block: Block) -> str:
    return nfc(" ".join(line.text.strip() for line in block.lines if line.text.strip()))


def crop_figure(work: Path, image: str | None, block: Block, caption: str = "") -> Figure | None:
    """Crop `block.bbox` from the page image into `figures/<hash>.png` under `work`.

    The name hashes the page image bytes and the box, so a cached result stays valid and the
    same crop is never written twice. Returns None when the page has no image file.
    """
    if not image:
        return None
    src = work / image
    if not src.is_file():
        return None
    from PIL import Image

    data = src.read_bytes()
    b = block.bbox
    key = hashlib.sha256(data + repr((b.x0, b.y0, b.x1, b.y1)).encode()).hexdigest()[:20]
    rel = f"figures/{key}.png"
    with Image.open(src) as im:
        box = (
            max(0, int(b.x0)),
            max(0, int(b.y0)),
            min(im.width, round(b.x1)),
            min(im.height, round(b.y1)),
        )
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            return None
        out = work / rel
        if not out.is_file():
            import io

            from digitize.fileio import write_bytes

            buf = io.BytesIO()
            im.crop(box).save(buf, format="PNG")
            write_bytes(out, buf.getvalue())
    return Figure(rel, nfc(caption), box[2] - box[0], box[3] - box[1])
