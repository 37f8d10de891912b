"""Per-page block classification (milestone: pass-through).

OCR gives us text blocks and figure regions; this stage will classify them (heading, caption,
list item, footnote) and put them in reading order. For now it only normalises text to NFC and
drops empty blocks so later stages can rely on clean input.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from digitize.model import Block, Line, Page, Word, nfc
from digitize.stage import Context, PageStage


@dataclass(frozen=True, slots=True)
class BlockLayoutOptions:
    """No options yet."""


class BlockLayout(PageStage[BlockLayoutOptions]):
    kind = "layout"
    name = "layout.blocks"
    version = "1"
    Options = BlockLayoutOptions
    summary = "Classify a page's blocks (heading, caption, list, footnote) in reading order"

    def process_page(self, page: Page, ctx: Context) -> Page:
        blocks = [b for b in (_clean_block(b) for b in page.blocks) if b is not None]
        return replace(page, blocks=tuple(blocks))


def _clean_block(block: Block) -> Block | None:
    """NFC every word and drop empty words/lines; a text block left empty is dropped."""
    lines = []
    for line in block.lines:
        words = tuple(Word(nfc(w.text), w.bbox, w.conf) for w in line.words if w.text.strip())
        if words:
            lines.append(Line(words, line.bbox))
    if not lines and block.kind != "figure":
        return None
    return replace(block, lines=tuple(lines))
