"""A digitize exporter: how many words each chapter of a book has.

Installed, it is the output format `wordcount`: digitize convert book.pdf --to epub,wordcount
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitize.fileio import write_text
from digitize.model import Book, Footnote, Heading, ListBlock, Paragraph, Table
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.text import clean_text


@dataclass(frozen=True, slots=True)
class WordCountOptions:
    level: int = opt(1, "headings of this level or above start a new section")


class WordCountExporter(Exporter[WordCountOptions]):
    """Words per chapter: a tab-separated text file, `<book>.wordcount.txt`."""

    name = "export.wordcount"  # the entry-point name; `--to wordcount` finds it
    version = "1"  # bump it when the output changes
    suffix = ".wordcount.txt"
    summary = "words per chapter (tab-separated text)"
    Options = WordCountOptions

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        titles, counts = ["(before the first heading)"], [0]
        for item in book.flow:  # the book in reading order
            if isinstance(item, Heading) and item.level <= self.options.level:
                titles.append(item.text)
                counts.append(0)
            texts: list[str] = []
            if isinstance(item, Heading | Paragraph | Footnote):
                texts = [item.text]
            elif isinstance(item, ListBlock):
                texts = list(item.items)
            elif isinstance(item, Table):
                texts = [cell for row in item.rows for cell in row]
            counts[-1] += sum(len(t.split()) for t in texts)
        # OCR text is untrusted: clean_text drops the control and bidi characters it may hold.
        lines = [clean_text(book.meta.title), "words\tsection"]
        for title, words in zip(titles, counts, strict=True):
            lines.append(f"{words}\t{' '.join(clean_text(title).split())}")
        lines.append(f"{sum(counts)}\ttotal")
        path = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        write_text(path, "\n".join(lines) + "\n")  # a temporary file, renamed when complete
        return [path]
