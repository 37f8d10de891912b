"""Plain-text exporter: headings and paragraphs, one blank line between blocks.

For search indexes, diffing OCR runs and screen readers that want nothing but the words.
Page markers are left out; control characters and bidi overrides are removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from digitize.fileio import write_text
from digitize.model import Aside, Book, Figure, Footnote, Heading, ListBlock, Paragraph, Table
from digitize.naming import book_stem
from digitize.stage import Context, Exporter
from digitize.stages.export._lists import PRINTED_MARKER
from digitize.stages.export._render import clean


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


class TextExporter(Exporter):
    name: ClassVar[str] = "export.txt"
    version: ClassVar[str] = "2"
    suffix: ClassVar[str] = ".txt"
    summary: ClassVar[str] = "plain UTF-8 text: headings and paragraphs"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        blocks: list[str] = []
        for item in book.flow:
            if isinstance(item, (Heading, Paragraph)):
                blocks.append(_one_line(item.text))
            elif isinstance(item, ListBlock):
                blocks.append(
                    "\n".join(_list_item(t, n, item.ordered) for n, t in enumerate(item.items))
                )
            elif isinstance(item, Table):
                rows = [" | ".join(_one_line(c) for c in row) for row in item.rows]
                blocks.append("\n".join([_one_line(item.caption), *rows]).strip())
            elif isinstance(item, Figure):  # a formula's picture: its recognised text
                blocks.append(_one_line(item.caption or item.alt))
            elif isinstance(item, Footnote):
                blocks.append(f"[{_one_line(item.mark)}] {_one_line(item.text)}")
            elif isinstance(item, Aside):
                blocks.append("\n".join(_one_line(t) for t in (item.title, item.text) if t))
        text = "\n\n".join(b for b in blocks if b.strip()) + "\n"
        out = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        return [write_text(out, text)]


def _list_item(text: str, n: int, ordered: bool) -> str:
    """Items keep their printed marker; only unmarked ones get "1." or "-"."""
    if PRINTED_MARKER.match(text):
        return _one_line(text)
    return f"{n + 1}. {_one_line(text)}" if ordered else f"- {_one_line(text)}"
