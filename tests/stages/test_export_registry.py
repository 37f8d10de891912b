"""The built-in exporters are reachable through the `digitize.stages` entry points."""

from __future__ import annotations

import pytest

from digitize.options import option_specs
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
    assert issubclass(cls, Exporter) and cls.name == name and cls.kind == "export"
    assert cls.summary and cls.suffix.startswith(".")
    for spec in option_specs(cls.Options):
        assert spec.help, f"{name}.{spec.name} has no help"
    cls().check(Context())  # no external tools needed
