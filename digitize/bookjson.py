"""The model's lossless JSON round trip: the page cache, `book.json` checkpoints (which an
archivist may edit and re-export) and golden tests use it."""

from __future__ import annotations

import functools
import json
from dataclasses import fields, is_dataclass
from typing import Any

from digitize.model import (
    FLOW_TYPES,
    BBox,
    Block,
    Book,
    BookMeta,
    Correction,
    Line,
    Page,
    Step,
    Word,
)

SCHEMA_VERSION = 1

_CLASSES: dict[str, type] = {
    c.__name__: c for c in (BBox, Word, Line, Block, Step, Page, BookMeta, Correction, Book)
}
_CLASSES.update({c.__name__: c for c in FLOW_TYPES.values()})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def to_jsonable(obj: Any) -> Any:
    """Turn model objects into JSON-ready values; dataclasses carry their type in `"t"`.

    Boxes and words are the bulk of a page, so they are written compactly as arrays.
    """
    if isinstance(obj, BBox):
        return [obj.x0, obj.y0, obj.x1, obj.y1]
    if isinstance(obj, Word):
        return [obj.text, [obj.bbox.x0, obj.bbox.y0, obj.bbox.x1, obj.bbox.y1], obj.conf]
    if isinstance(obj, Line):  # the bulk of a book: spelled out, same shape as the general case
        b = obj.bbox
        words = [[w.text, [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1], w.conf] for w in obj.words]
        return {"t": "Line", "words": words, "bbox": [b.x0, b.y0, b.x1, b.y1]}
    if is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {"t": type(obj).__name__}
        for name in _field_names(type(obj)):
            out[name] = to_jsonable(getattr(obj, name))
        return out
    if isinstance(obj, (tuple, list)):
        return [to_jsonable(v) for v in obj]
    return obj


def _from(cls: type, data: Any) -> Any:
    if cls is BBox:
        return BBox(*data)
    if cls is Word:
        text, box, conf = data
        return Word(text, BBox(*box), conf)
    return from_jsonable(data)


_FIELD_TYPES: dict[tuple[str, str], type] = {
    ("Line", "bbox"): BBox,
    ("Block", "bbox"): BBox,
}
_BOX_TUPLES = {("Page", "gaps")}  # fields holding a tuple of boxes


def from_jsonable(data: Any) -> Any:
    """Inverse of `to_jsonable`."""
    if isinstance(data, dict) and "t" in data:
        name = data["t"]
        cls = _CLASSES.get(name)
        if cls is None:
            raise ValueError(f"unknown model type {name!r}")
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            v = data[f.name]
            if (name, f.name) in _FIELD_TYPES:
                kwargs[f.name] = _from(_FIELD_TYPES[(name, f.name)], v)
            elif (name, f.name) in _BOX_TUPLES:
                kwargs[f.name] = tuple(BBox(*b) for b in v)
            elif name == "Line" and f.name == "words":
                kwargs[f.name] = tuple(_from(Word, w) for w in v)
            else:
                kwargs[f.name] = _tuplify(from_jsonable(v))
        return cls(**kwargs)
    if isinstance(data, list):
        return [from_jsonable(v) for v in data]
    return data


def _tuplify(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_tuplify(x) for x in v)
    return v


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent)


def loads(text: str) -> Any:
    return from_jsonable(json.loads(text))


def book_to_json(book: Book, indent: int | None = 1) -> str:
    """The versioned `book.json` checkpoint an archivist may edit and re-export.

    Indented down to one block / flow item per line, compact below: json's C encoder only
    runs without `indent`, and a fully indented book (a line per box number) took ~10x longer
    to write than this. `indent=None` is all compact, for files only digitize reads."""
    doc = {"schema": "digitize.book", "version": SCHEMA_VERSION, "book": to_jsonable(book)}
    if indent is None:
        return json.dumps(doc, ensure_ascii=False)
    return _pretty(doc, indent, 0)


_PRETTY_DEPTH = 5  # document, book, pages, page, blocks: each block (or flow item field) a line


def _pretty(v: Any, indent: int, depth: int) -> str:
    if depth >= _PRETTY_DEPTH or not isinstance(v, (dict, list)) or not v:
        return json.dumps(v, ensure_ascii=False)
    pad, inner = " " * (indent * depth), " " * (indent * (depth + 1))
    if isinstance(v, dict):
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(x, indent, depth + 1)}"
            for k, x in v.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + _pretty(x, indent, depth + 1) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def book_from_json(text: str) -> Book:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("schema") != "digitize.book":
        raise ValueError("not a digitize book.json (missing schema 'digitize.book')")
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"book.json schema version {data.get('version')} is not supported")
    book = from_jsonable(data["book"])
    if not isinstance(book, Book):
        raise ValueError("book.json does not hold a Book")
    return book
