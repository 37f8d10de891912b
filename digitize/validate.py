"""Check a Book read from a (hand-edited) book.json against the model's type hints.

`book_from_json` builds the dataclasses from whatever the JSON holds; a title that is a number,
a paragraph whose text is null, or a list where a table belongs would only crash an exporter
later (exit 1, "internal error"). This walks the model once and names the first bad field, so
`digitize export` and `digitize report` answer with BadInput instead.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any

from digitize.errors import BadInput


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _problem(value: Any, tp: Any, where: str) -> str | None:
    """None when `value` fits `tp`, else a description of the first misfit."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return None
    if origin in (typing.Union, types.UnionType):
        if any(_problem(value, a, where) is None for a in args):
            return None
        same = [a for a in args if isinstance(a, type) and type(value) is a]
        if same:  # the right kind of item with a bad field inside: name that field
            return _problem(value, same[0], where)
        return f"{where}: unexpected {type(value).__name__}"
    if origin is typing.Literal:
        return None if value in args else f"{where}: {value!r:.40} is not one of {args}"
    if origin is tuple:
        if not isinstance(value, tuple):
            return f"{where}: expected a list, got {type(value).__name__}"
        if len(args) == 2 and args[1] is Ellipsis:
            items = [(v, args[0]) for v in value]
        elif len(args) != len(value):
            return f"{where}: expected {len(args)} items, got {len(value)}"
        else:
            items = list(zip(value, args, strict=True))
        for i, (v, a) in enumerate(items):
            if p := _problem(v, a, f"{where}[{i}]"):
                return p
        return None
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(tp, type):
        ok = isinstance(value, tp)
    else:
        return None  # a hint this checker does not know: trust the model
    if not ok:
        return f"{where}: expected {getattr(tp, '__name__', tp)}, got {type(value).__name__}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls: type = type(value)
        for f in dataclasses.fields(value):
            hint = _hints(cls).get(f.name, Any)
            if p := _problem(getattr(value, f.name), hint, f"{where}.{f.name}"):
                return p
    return None


def check_book(book: Any, source: str) -> None:
    """Raise BadInput naming `source` and the first field whose value has the wrong type."""
    from digitize.model import Book

    if p := _problem(book, Book, "book"):
        raise BadInput(f"{source}: not a valid book.json: {p}")
