"""The built-in stages as the `digitize.stages` entry-point group declares them.

A snapshot: renaming, dropping or re-pointing a built-in stage breaks every pipeline file that
names it, so it must be a deliberate change to this list too. Each entry point loads, its
class's `name` is the entry-point name (what `registry.load_stage` enforces for plugins), and it
documents itself (`digitize stages`). Exporter specifics: tests/stages/test_export_registry.py.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import distribution

import pytest
from helpers import ROOT

from digitize import registry
from digitize.errors import PipelineError
from digitize.options import option_specs
from digitize.stage import Stage

BUILT_IN = {
    "ingest.pdf": "digitize.stages.ingest.pdf:PdfIngester",
    "ingest.images": "digitize.stages.ingest.images:ImageIngester",
    "preprocess.orientation": "digitize.stages.preprocess.orientation:Orientation",
    "preprocess.deskew": "digitize.stages.preprocess.deskew:Deskew",
    "preprocess.spreads": "digitize.stages.preprocess.spreads:Spreads",
    "preprocess.borders": "digitize.stages.preprocess.borders:Borders",
    "preprocess.illumination": "digitize.stages.preprocess.illumination:Illumination",
    "preprocess.denoise": "digitize.stages.preprocess.denoise:Denoise",
    "preprocess.binarize": "digitize.stages.preprocess.binarize:Binarize",
    "ocr.tesseract": "digitize.stages.ocr.tesseract:TesseractOcr",
    "layout.blocks": "digitize.stages.layout.blocks:BlockLayout",
    "layout.flow": "digitize.stages.layout.flow:FlowBuilder",
    "layout.furniture": "digitize.stages.layout.furniture:RunningFurniture",
    "export.epub": "digitize.stages.export.epub:EpubExporter",
    "export.html": "digitize.stages.export.html:HtmlExporter",
    "export.txt": "digitize.stages.export.txt:TextExporter",
    "export.md": "digitize.stages.export.md:MarkdownExporter",
    "export.json": "digitize.stages.export.json:BookJsonExporter",
    "export.pdf": "digitize.stages.export.pdf:PdfExporter",
    "export.hocr": "digitize.stages.export.hocr:HocrExporter",
    "export.alto": "digitize.stages.export.alto:AltoExporter",
}


def test_pyproject_declares_exactly_the_snapshot() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"][registry.GROUP] == BUILT_IN
    assert len(BUILT_IN) == 21


def test_the_installed_metadata_is_current() -> None:
    """The editable install's entry points are the pyproject's (else: reinstall the package)."""
    eps = distribution("digitize").entry_points.select(group=registry.GROUP)
    assert {ep.name: ep.value for ep in eps} == BUILT_IN


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_each_entry_point_loads_a_stage_named_like_it(name: str) -> None:
    cls = registry.load_stage(name)
    assert issubclass(cls, Stage)
    assert f"{cls.__module__}:{cls.__qualname__}" == BUILT_IN[name]
    assert cls.name == name
    assert cls.kind == name.split(".")[0]
    # what `digitize stages` prints: a summary, and a help line for every option
    assert cls.summary
    assert all(spec.help for spec in option_specs(cls.Options)), name


def test_an_unknown_stage_lists_the_installed_ones() -> None:
    with pytest.raises(PipelineError) as e:
        registry.load_stage("export.epb")
    assert "did you mean 'export.epub'" in str(e.value)
    assert all(name in str(e.value) for name in BUILT_IN)
