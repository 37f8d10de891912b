from __future__ import annotations

import numpy as np
import pytest
from preprocess_pages import have_font, load, make_page, render_page, shadow, yellow_paper

from digitize.stages.preprocess.illumination import Illumination

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

    out = Illumination().process_page(page, ctx)

    flat = load(tmp_path, out.image)
    assert flat.ndim == 2  # grayscale out, tint gone
    after = _paper_columns(flat, paper)
    assert after.min() > 235 and after.max() - after.min() < 12
    assert flat[paper].std() < 6
    assert flat[ink].mean() < 70  # text stays dark, also inside the shadow
    assert flat[:, :150][ink[:, :150]].mean() < 90 if ink[:, :150].any() else True
    assert np.array_equal(load(tmp_path, page.image), img)  # input untouched
    assert out.steps[-1].name == "preprocess.illumination"
