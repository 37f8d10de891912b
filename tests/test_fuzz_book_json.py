"""Fuzz `digitize export`'s input: a book.json a person edited by hand (or a tool broke).

Random leaves of a real book.json are replaced by random JSON values. Either the loader and
`check_book` refuse it (a clean error naming the file), or every exporter writes its output
without crashing. Found here: a null paragraph text or a list where the metadata belongs ended
in "internal error" (exit 1).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from helpers.cli import digitize_cmd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitize import bookjson, model
from digitize.errors import BadInput
from digitize.stage import Context
from digitize.stages.export.epub import EpubExporter
from digitize.stages.export.html import HtmlExporter
from digitize.stages.export.md import MarkdownExporter
from digitize.stages.export.txt import TextExporter
from digitize.validate import check_book

BOOK = model.Book(
    model.BookMeta(title="Sách", authors=("Nguyễn Du",), source="sach.pdf"),
    (model.Page(index=0, size=(1000, 1400), dpi=300, label="1"),),
    flow=(
        model.PageBreak(0, "1"),
        model.Heading("Bài 1", 1),
        model.Paragraph("Học sinh đọc sách.", breaks=((3, 0, "1"),)),
        model.ListBlock(("một", "hai"), ordered=True),
        model.Table((("a", "b"), ("c", "d")), caption="Bảng 1"),
        model.Footnote("1", "Chú thích."),
    ),
)
DOC = json.loads(bookjson.book_to_json(BOOK))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


PATHS = [p for p in _paths(DOC["book"]) if p]


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = json.loads(json.dumps(doc))
    node = doc["book"]
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return doc


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=3))
def test_edited_book_json_is_refused_or_exported(
    edits: list[tuple[tuple[Any, ...], Any]], tmp_path: Path
) -> None:
    doc = DOC
    for path, value in edits:
        try:
            doc = _replace(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    try:
        book = bookjson.book_from_json(json.dumps(doc))
        check_book(book, "edited.json")
    except BadInput as e:
        assert e.one_line().startswith("edited.json: not a valid book.json")
        return
    except (ValueError, TypeError, KeyError):
        return  # what the CLI reports as "not a valid book.json"
    ctx = Context(work_dir=str(tmp_path))
    for exporter in (EpubExporter(), HtmlExporter(), MarkdownExporter(), TextExporter()):
        for p in exporter.export(book, tmp_path / "out", ctx):
            assert tmp_path / "out" in p.parents


def test_export_command_names_the_bad_field(tmp_path: Path) -> None:
    doc = _replace(DOC, ("flow", 2, "text"), None)
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(doc))
    proc = subprocess.run(
        [*digitize_cmd(), "export", str(src), "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert "edited.json: not a valid book.json: book.flow[2].text: expected str" in proc.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())
