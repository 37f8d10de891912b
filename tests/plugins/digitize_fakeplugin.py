"""Fake stages for runner, batch, CLI and Dask tests: no Tesseract, deterministic, countable.

A real plugin in miniature: this module plus `digitize_fakeplugin-0.1.dist-info` (its
`entry_points.txt` registers the stages in the `digitize.stages` group). The `plugin` fixture
in tests/conftest.py puts this folder on `sys.path` and `PYTHONPATH`, so the registry (and the
CLI or pool workers in subprocesses) find the stages exactly as they find an installed plugin.

Environment hooks let a test observe or disturb a run from outside the process:
`FAKE_OCR_LOG` (one line per page OCRed), `FAKE_WARM_LOG` (one line per worker warmed up),
`FAKE_OCR_STDERR` (native-looking noise on fd 2), `FAKE_OCR_DELAY` (seconds per page).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from digitize.errors import BadInput
from digitize.fileio import write_text
from digitize.model import (
    BBox,
    Block,
    Book,
    BookMeta,
    FlowItem,
    Line,
    Page,
    PageBreak,
    Paragraph,
    Word,
)
from digitize.naming import book_stem
from digitize.options import NoOptions, opt
from digitize.stage import BookStage, Context, Exporter, Ingester, PageStage


class FakeIngester(Ingester[NoOptions]):
    """Reads a .fake JSON file: {"title": ..., "pages": ["text of page 1", ...]}."""

    name = "ingest.fake"
    suffixes = (".fake",)

    def ingest(self, src: Path, ctx: Context) -> Book:
        try:
            data = json.loads(Path(src).read_text())
        except ValueError as e:
            raise BadInput(f"{src}: not a fake book: {e}") from e
        pages = tuple(
            Page(index=i, size=(1000, 1400), dpi=300, image=None, source="scan")
            for i, _ in enumerate(data["pages"])
        )
        Path(ctx.work_dir, "texts.json").write_text(json.dumps(data["pages"]))
        return Book(BookMeta(title=data.get("title", "Fake")), pages)


@dataclass(frozen=True, slots=True)
class FakeOcrOptions:
    conf: float = opt(0.9, "confidence given to every word")


class FakeOcr(PageStage[FakeOcrOptions]):
    """Turns the page's text into words; the text 'FAIL' makes the page fail."""

    kind = "ocr"
    name = "ocr.fake"
    Options = FakeOcrOptions

    def warm_up(self, ctx: Context) -> None:
        _log("FAKE_WARM_LOG", str(os.getpid()))

    def process_page(self, page: Page, ctx: Context) -> Page:
        text = json.loads(Path(ctx.work_dir, "texts.json").read_text())[page.index]
        _log("FAKE_OCR_LOG", str(page.index))
        if os.environ.get("FAKE_OCR_STDERR"):  # like leptonica writing to fd 2 from C
            os.write(2, b"native noise\n")
        if text == "FAIL":
            raise RuntimeError("simulated OCR crash")
        if os.environ.get("FAKE_OCR_DELAY"):  # lets a test kill a run mid-book
            time.sleep(float(os.environ["FAKE_OCR_DELAY"]))
        words = tuple(
            Word(w, BBox(10 * i, 10, 10 * i + 9, 20), self.options.conf)
            for i, w in enumerate(text.split())
        )
        block = Block("paragraph", (Line(words, BBox(0, 10, 1000, 20)),), BBox(0, 10, 1000, 20))
        return dataclasses.replace(page, blocks=(block,) if words else ())


class FakeSplit(PageStage[NoOptions]):
    """Splits every page into two, as a spread splitter does."""

    kind = "preprocess"
    name = "preprocess.fakesplit"

    def process_page(self, page: Page, ctx: Context) -> tuple[Page, ...]:
        return (page, dataclasses.replace(page, label="b"))


class FakeFlow(BookStage[NoOptions]):
    """One paragraph per block, a page break before each page."""

    kind = "layout"
    name = "layout.fakeflow"

    def process_book(self, book: Book, ctx: Context) -> Book:
        flow: list[FlowItem] = []
        for p in book.pages:
            flow.append(PageBreak(p.index, p.label))
            flow.extend(Paragraph(b.text.replace("\n", " ")) for b in p.blocks)
        return dataclasses.replace(book, flow=tuple(flow))


@dataclass(frozen=True, slots=True)
class ShoutOptions:
    bang: str = opt("!", "appended to each paragraph")


class ShoutExporter(Exporter[ShoutOptions]):
    """A third-party exporter: the book's paragraphs in upper case."""

    name = "export.shout"
    suffix = ".shout"
    Options = ShoutOptions

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        lines = (i.text.upper() + self.options.bang for i in book.flow if isinstance(i, Paragraph))
        stem = book_stem(book.meta)
        return [write_text(Path(out_dir) / f"{stem}.shout", "\n".join(lines))]


def _log(var: str, line: str) -> None:
    """Append `line` to the file named by environment variable `var`, when it is set."""
    path = os.environ.get(var)
    if path:
        with open(path, "a") as f:
            f.write(f"{line}\n")
