"""Shared fixtures: a throw-away plugin package registered through a real entry point."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from digitize import registry

FAKE_PLUGIN = '''
"""Fake stages for runner tests: no Tesseract, deterministic, countable."""
from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from digitize.errors import BadInput
from digitize.model import BBox, Block, Book, BookMeta, Heading, Line, Page, PageBreak, Paragraph, Word
from digitize.stage import BookStage, Exporter, Ingester, PageStage, opt


class FakeIngester(Ingester):
    """Reads a .fake JSON file: {"pages": ["text of page 1", ...]}."""
    name = "ingest.fake"
    suffixes = (".fake",)

    def ingest(self, src, ctx):
        try:
            data = json.loads(Path(src).read_text())
        except ValueError as e:
            raise BadInput(f"{src}: not a fake book: {e}") from e
        pages = tuple(
            Page(index=i, size=(1000, 1400), dpi=300, image=None, label=None,
                 warnings=(), failed=None, source="scan",
                 blocks=(), steps=(), skew=0.0, rotation=0)
            for i, _ in enumerate(data["pages"])
        )
        Path(ctx.work_dir, "texts.json").write_text(json.dumps(data["pages"]))
        return Book(BookMeta(title=data.get("title", "Fake")), pages)


class FakeOcr(PageStage):
    """Turns page text into words; logs each call to $FAKE_OCR_LOG; 'FAIL' fails the page."""
    kind = "ocr"
    name = "ocr.fake"

    @dataclass(frozen=True, slots=True)
    class Options:
        conf: float = opt(0.9, "confidence given to every word")

    def warm_up(self, ctx):
        log = os.environ.get("FAKE_WARM_LOG")  # one line per worker that warmed up
        if log:
            with open(log, "a") as f:
                f.write(f"{os.getpid()}\\n")

    def process_page(self, page, ctx):
        texts = json.loads(Path(ctx.work_dir, "texts.json").read_text())
        text = texts[page.index]
        log = os.environ.get("FAKE_OCR_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{page.index}\\n")
        if os.environ.get("FAKE_OCR_STDERR"):  # like leptonica writing to fd 2 from C
            os.write(2, b"native noise\\n")
        if text == "FAIL":
            raise RuntimeError("simulated OCR crash")
        if os.environ.get("FAKE_OCR_DELAY"):  # seconds per page: lets tests kill a run mid-book
            time.sleep(float(os.environ["FAKE_OCR_DELAY"]))
        words = tuple(Word(w, BBox(10 * i, 10, 10 * i + 9, 20), self.options.conf)
                      for i, w in enumerate(text.split()))
        block = Block("paragraph", (Line(words, BBox(0, 10, 1000, 20)),), BBox(0, 10, 1000, 20))
        return dataclasses.replace(page, blocks=(block,) if words else ())


class FakeSplit(PageStage):
    """Splits every page into two (like a spread splitter)."""
    kind = "preprocess"
    name = "preprocess.fakesplit"

    def process_page(self, page, ctx):
        return (page, dataclasses.replace(page, label="b"))


class FakeFlow(BookStage):
    kind = "layout"
    name = "layout.fakeflow"

    def process_book(self, book, ctx):
        flow = []
        for p in book.pages:
            flow.append(PageBreak(p.index, p.label))
            for b in p.blocks:
                flow.append(Paragraph(b.text.replace("\\n", " ")))
        return dataclasses.replace(book, flow=tuple(flow))


class ShoutExporter(Exporter):
    """A third-party exporter: the book's paragraphs in upper case."""
    name = "export.shout"
    suffix = ".shout"

    @dataclass(frozen=True, slots=True)
    class Options:
        bang: str = opt("!", "appended to each paragraph")

    def export(self, book, out_dir, ctx):
        from digitize.fileio import write_text
        from digitize.naming import book_stem
        text = "\\n".join(i.text.upper() + self.options.bang for i in book.flow if isinstance(i, Paragraph))
        return [write_text(Path(out_dir) / f"{book_stem(book.meta)}.shout", text)]
'''

ENTRY_POINTS = """
[digitize.stages]
ingest.fake = digitize_fakeplugin:FakeIngester
ocr.fake = digitize_fakeplugin:FakeOcr
preprocess.fakesplit = digitize_fakeplugin:FakeSplit
layout.fakeflow = digitize_fakeplugin:FakeFlow
export.shout = digitize_fakeplugin:ShoutExporter
"""


def make_plugin(where: Path) -> Path:
    """A throw-away installed distribution: a module plus a .dist-info with entry points."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "digitize_fakeplugin.py").write_text(textwrap.dedent(FAKE_PLUGIN))
    info = where / "digitize_fakeplugin-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: digitize-fakeplugin\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return where


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the fake plugin for this process and for subprocesses (PYTHONPATH)."""
    where = make_plugin(tmp_path / "plugin")
    monkeypatch.syspath_prepend(str(where))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(where), os.environ.get("PYTHONPATH", "")])
    )
    registry.refresh()
    yield where
    sys.modules.pop("digitize_fakeplugin", None)
    registry.refresh()


@pytest.fixture
def fake_book(tmp_path: Path) -> Path:
    p = tmp_path / "book.fake"
    p.write_text('{"title": "Sách giả", "pages": ["Một hai ba", "bốn năm", "sáu bảy tám chín"]}')
    return p
