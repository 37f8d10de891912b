"""The data model a plugin receives is documented: a docstring on every class, a `#:` comment
on every field (what `python -m pydoc` and Sphinx autodoc show)."""

from __future__ import annotations

import ast
import dataclasses
import inspect

from digitize import model
from digitize.text import clean_text

CLASSES = [c for c in vars(model).values() if inspect.isclass(c) and dataclasses.is_dataclass(c)]


def test_every_model_class_and_field_is_documented() -> None:
    source = inspect.getsource(model)
    lines = source.splitlines()
    tree = ast.parse(source)
    by_name = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert {"Book", "BookMeta", "Heading", "Table", "PageBreak", "Paragraph", "Figure"} <= {
        c.__name__ for c in CLASSES
    }
    undocumented = []
    for cls in CLASSES:
        node = by_name[cls.__name__]
        if not ast.get_docstring(node):
            undocumented.append(cls.__name__)
        fields = {f.name for f in dataclasses.fields(cls)}
        for stmt in node.body:
            name = stmt.target.id if isinstance(stmt, ast.AnnAssign) else None  # type: ignore[union-attr]
            if name in fields and not lines[stmt.lineno - 2].strip().startswith("#:"):
                undocumented.append(f"{cls.__name__}.{name}")
    assert not undocumented, f"undocumented: {', '.join(undocumented)}"


def test_clean_text_is_the_public_sanitiser() -> None:
    from digitize.stages.export import _render

    hostile = "a\x00b\x1b[31m\u202egnp.exe\u202c\tc\nd" + "e\u0301"
    assert clean_text(hostile) == "ab[31mgnp.exe\tc\nd" + "é"
    assert _render.clean is clean_text
    assert clean_text.__doc__ and "untrusted" in clean_text.__doc__
