from __future__ import annotations

import numpy as np
import pytest
from helpers.preprocess_pages import have_font, load, make_page, render_page, shadow, yellow_paper

from digitize.stages.preprocess.illumination import Illumination
from digitize.testing import run_page_stage

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")


@pytest.fixture(scope="module")
def clean():
    return render_page()[0]


def _paper_columns(img, paper):
    """Mean paper brightness in 100-px column strips across the page."""
    w = img.shape[1]
    return np.array([img[:, x : x + 100][paper[:, x : x + 100]].mean() for x in range(0, w, 100)])


@pytest.mark.parametrize("tint", [False, True])
def test_gradient_and_gutter_shadow_flattened(tmp_path, clean, tint):
    dark = shadow(clean, strength=0.55)
    img = yellow_paper(dark) if tint else dark
    page, ctx = make_page(tmp_path, img)
    paper, ink = clean == 255, clean < 60
    before = _paper_columns(dark, paper)
    assert before.max() - before.min() > 60  # the damage is real

    (out,) = run_page_stage(Illumination(), page, ctx)

    flat = load(tmp_path, out.image)
    assert flat.ndim == 2  # grayscale out, tint gone
    after = _paper_columns(flat, paper)
    assert after.min() > 235 and after.max() - after.min() < 12
    assert flat[paper].std() < 6
    assert flat[ink].mean() < 70  # text stays dark, also inside the shadow
    assert flat[:, :150][ink[:, :150]].mean() < 90 if ink[:, :150].any() else True
    assert np.array_equal(load(tmp_path, page.image), img)  # input untouched
    assert out.steps[-1].name == "preprocess.illumination"


def test_photo_keeps_its_tones_while_shadow_is_flattened(tmp_path, clean):
    img = clean.copy()
    y0, y1, x0, x1 = 1000, 1450, 300, 1000
    ramp = np.linspace(40, 170, x1 - x0, dtype=np.float32)[None, :]
    img[y0:y1, x0:x1] = np.broadcast_to(ramp, (y1 - y0, x1 - x0)).astype(np.uint8)
    dark = shadow(img, strength=0.5, side="right")
    page, ctx = make_page(tmp_path, dark)

    out = Illumination().process_page(page, ctx)
    flat = load(tmp_path, out.image)

    photo = flat[y0 + 20 : y1 - 20, x0 + 20 : x1 - 20].astype(np.float32)
    orig = img[y0 + 20 : y1 - 20, x0 + 20 : x1 - 20].astype(np.float32)
    assert photo.mean() < 160  # not bleached to paper
    assert photo.std() > 0.6 * orig.std()  # the ramp is still a ramp
    assert np.corrcoef(photo.ravel(), orig.ravel())[0, 1] > 0.95
    paper = clean == 255
    paper[y0 - 40 : y1 + 40, x0 - 40 : x1 + 40] = False
    assert flat[paper].mean() > 245 and flat[paper].std() < 8
    assert any("dark content" in w for w in out.warnings)
