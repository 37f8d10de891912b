"""book.json exporter: the versioned, editable checkpoint an archivist can fix and re-export."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from digitize.bookjson import book_to_json
from digitize.fileio import write_text
from digitize.model import Book
from digitize.naming import book_stem
from digitize.stage import Context, Exporter


class BookJsonExporter(Exporter):
    name: ClassVar[str] = "export.json"
    version: ClassVar[str] = "1"
    suffix: ClassVar[str] = ".book.json"
    summary: ClassVar[str] = "the whole book as editable JSON (lossless; re-exportable)"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        out = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        return [write_text(out, book_to_json(book) + "\n")]
