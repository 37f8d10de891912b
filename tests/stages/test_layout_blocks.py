from __future__ import annotations

import unicodedata

from _layout_pages import block, line, page

from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout


def test_text_is_nfc_and_empty_blocks_are_dropped() -> None:
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt")
    p = page(
        0,
        [
            block("paragraph", [line(decomposed, 100, 100)]),
            block("paragraph", [line("   ", 100, 300)]),
        ],
    )
    out = BlockLayout().process_page(p, Context())
    assert len(out.blocks) == 1
    assert out.blocks[0].text == "Tiếng Việt"
