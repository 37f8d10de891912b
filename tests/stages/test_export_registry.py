"""The built-in exporters are reachable through the `digitize.stages` entry points."""

from __future__ import annotations

import pytest

from digitize.registry import load_stage
from digitize.stage import Context, Exporter

NAMES = [
    "export.alto",
    "export.epub",
    "export.hocr",
    "export.html",
    "export.json",
    "export.md",
    "export.pdf",
    "export.txt",
]


@pytest.mark.parametrize("name", NAMES)
def test_entry_point_loads(name: str) -> None:
    cls = load_stage(name)
    assert issubclass(cls, Exporter) and cls.suffix.startswith(".")
    cls().check(Context())  # no external tools needed
