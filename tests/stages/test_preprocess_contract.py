"""Every preprocess stage keeps the shared contract: registered by name, option schema, new
content-named files under the work dir, input untouched, skipped pages passed through."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from helpers.preprocess_pages import (
    black_border,
    have_font,
    make_page,
    render_page,
    rotate,
    yellow_paper,
)

from digitize.model import Page
from digitize.options import option_specs
from digitize.registry import load_stage
from digitize.stage import Context
from digitize.testing import run_page_stage

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")

NAMES = [
    "preprocess.orientation",
    "preprocess.deskew",
    "preprocess.spreads",
    "preprocess.borders",
    "preprocess.illumination",
    "preprocess.denoise",
    "preprocess.binarize",
]
NO_TESSERACT = [n for n in NAMES if n != "preprocess.orientation"]


@pytest.mark.parametrize("name", NAMES)
def test_registered_with_schema(name):
    cls = load_stage(name)
    assert cls.kind == "preprocess" and cls.name == name and cls.summary
    assert dataclasses.is_dataclass(cls.Options)
    assert cls.Options.__dataclass_params__.frozen
    assert all(spec.help for spec in option_specs(cls.Options))


@pytest.mark.parametrize("name", NO_TESSERACT)
def test_colour_page_with_damage(tmp_path, name):
    img = black_border(rotate(render_page()[0], 1.5))
    page, ctx = make_page(tmp_path, yellow_paper(img))
    digest = hashlib.sha256((tmp_path / page.image).read_bytes()).hexdigest()

    out = run_page_stage(load_stage(name)(), page, ctx)

    for p in out:
        assert p.steps[-1].name == name
        assert (tmp_path / p.image).is_file()
        if p.image != page.image:
            assert p.image.startswith("pages/") and p.image.endswith(".png")
    assert hashlib.sha256((tmp_path / page.image).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("name", NAMES)
def test_failed_and_textlayer_pages_pass_through(tmp_path, name):
    ctx = Context(work_dir=str(tmp_path))
    failed = Page(index=0, size=(10, 10), dpi=300, image="missing.png", failed="ocr crashed")
    textlayer = Page(index=1, size=(10, 10), dpi=300, image=None, source="textlayer")
    stage = load_stage(name)()
    assert stage.process_page(failed, ctx) is failed
    assert stage.process_page(textlayer, ctx) is textlayer
