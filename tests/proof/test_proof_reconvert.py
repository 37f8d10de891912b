"""Corrections made in the editor survive converting the book again into the same folder:
re-applied where their block is still found (the flow rebuilt by layout.flow), named in a
warning where it is not, and kept in book.json either way."""

from __future__ import annotations

import json
from pathlib import Path

from digitize import corrections
from digitize import pipeline as pipelines
from digitize.bookjson import book_from_json
from digitize.engine.cache import PageCache
from digitize.engine.run import Progress, RunOptions, convert
from digitize.proof.store import BookStore

PIPE = {
    "pipeline": {"on_error": "skip"},
    "stage": [
        {"use": "ingest.fake"},
        {"use": "ocr.fake"},
        {"use": "layout.flow"},
        {"use": "export.txt"},
    ],
}


class Warnings(Progress):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def warning(self, message: str) -> None:
        self.lines.append(message)


def test_corrections_survive_a_reconversion(plugin: Path, fake_book: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out", PageCache(tmp_path / "cache")
    convert(fake_book, out, pipelines.from_dict(PIPE), RunOptions(jobs=1, cache=cache))
    book_json = next(out.glob("*.book.json"))
    store = BookStore(book_json, who="Lan")
    store.edit(store.version, "word", 0, 0, line=0, word=1, value="HAI")
    store.edit(store.version, "word", 2, 0, line=0, word=0, value="Sáu")
    store.edit(store.version, "reviewed", 1, value="yes")
    # The same book converted again with another option, and page 3 read differently.
    data = json.loads(fake_book.read_text(encoding="utf-8"))
    data["pages"][2] = "sáu bảy tám mười"
    fake_book.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = json.loads(json.dumps(PIPE))
    again["stage"][1]["conf"] = 0.5
    sink = Warnings()
    convert(
        fake_book, out, pipelines.from_dict(again), RunOptions(jobs=1, cache=cache, progress=sink)
    )
    book = book_from_json(book_json.read_text(encoding="utf-8"))
    assert book.pages[0].blocks[0].text == "Một HAI ba"
    assert book.pages[0].blocks[0].words[0].conf == 0.5  # the new conversion's own values
    assert book.pages[2].blocks[0].text == "sáu bảy tám mười"  # its block is gone: not applied
    assert [c.op for c in book.corrections] == ["word", "word", "reviewed"]
    assert corrections.reviewed_pages(book) == {1}
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert "Một HAI ba" in text and "Sáu" not in text
    assert len(sink.lines) == 1 and "page 3" in sink.lines[0] and "Lan" in sink.lines[0]
