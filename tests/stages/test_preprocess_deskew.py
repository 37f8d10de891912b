from __future__ import annotations

import hashlib

import numpy as np
import pytest
from helpers.preprocess_pages import have_font, load, make_page, render_page, rotate
from PIL import Image

from digitize.model import Page
from digitize.stage import Context
from digitize.stages.preprocess.deskew import Deskew, DeskewOptions, measure_skew
from digitize.testing import run_page_stage

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")


@pytest.fixture(scope="module")
def clean():
    return render_page()[0]


@pytest.mark.parametrize("angle", [-9.5, -4.3, -0.8, 0.35, 2.6, 7.1])
def test_known_skew_recovered_and_corrected(tmp_path, clean, angle):
    page, ctx = make_page(tmp_path, rotate(clean, angle))
    src = tmp_path / page.image
    before = hashlib.sha256(src.read_bytes()).hexdigest()

    (out,) = run_page_stage(Deskew(), page, ctx)

    assert abs(out.skew - angle) < 0.2
    assert out.image != page.image and out.image.startswith("pages/")
    fixed = load(tmp_path, out.image)
    assert (fixed.shape[1], fixed.shape[0]) == out.size
    residual, _ = measure_skew(fixed, 300, DeskewOptions())
    assert abs(residual) < 0.2
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # input untouched
    assert out.steps[-1].name == "preprocess.deskew"
    assert Image.open(tmp_path / out.image).info["dpi"][0] == pytest.approx(300, abs=1)


def _ink_box(img):
    ys, xs = np.nonzero(img < 128)
    return xs.max() - xs.min(), ys.max() - ys.min()


def test_canvas_expands_so_no_text_is_cut(tmp_path):
    tmp = tmp_path
    full = render_page(margin=12)[0]  # text right up to the edges: a crop would cut it
    page, ctx = make_page(tmp, rotate(full, 6.0))
    out = Deskew().process_page(page, ctx)
    fixed = load(tmp, out.image)
    assert fixed.shape[0] >= page.size[1] and fixed.shape[1] >= page.size[0]
    (fw, fh), (cw, ch) = _ink_box(fixed), _ink_box(full)
    assert abs(fw - cw) <= 6 and abs(fh - ch) <= 6
    assert (fixed < 128).sum() >= 0.9 * (full < 128).sum()


def test_straight_page_is_not_resampled(tmp_path, clean):
    page, ctx = make_page(tmp_path, clean)
    (out,) = run_page_stage(Deskew(), page, ctx)
    assert out.image == page.image
    assert abs(out.skew) < 0.05
    assert len(out.steps) == 1


def test_deterministic_name_and_skips(tmp_path, clean):
    page, ctx = make_page(tmp_path, rotate(clean, 3.0))
    assert Deskew().process_page(page, ctx).image == Deskew().process_page(page, ctx).image
    textlayer = Page(index=0, size=(10, 10), dpi=300, image=None, source="textlayer")
    assert Deskew().process_page(textlayer, Context(work_dir=str(tmp_path))) is textlayer


def test_blank_page_gets_a_warning_not_a_rotation(tmp_path):
    page, ctx = make_page(tmp_path, np.full((900, 700), 255, np.uint8))
    out = Deskew().process_page(page, ctx)
    assert out.image == page.image and out.skew == 0.0
    assert "too little ink" in out.warnings[0]


def test_uncovered_corners_take_the_paper_tone_not_streaks_of_edge_specks(tmp_path, clean):
    """A speck on the page's edge used to be repeated across the whole uncovered corner."""
    img = rotate(clean, 2.0)
    img[:, 0] = 255
    img[10:40:6, 0] = 0  # specks on the left edge, beside the top corner
    page, ctx = make_page(tmp_path, img)

    (out,) = run_page_stage(Deskew(), page, ctx)

    fixed = load(tmp_path, out.image)
    assert fixed.shape[1] > img.shape[1]  # the canvas grew: there is a wedge
    assert fixed[:60, :8].min() > 200  # the top left wedge: paper, no dark streak


@pytest.mark.parametrize(("specks", "how"), [(0, "bicubic"), (4000, "bilinear")])
def test_heavily_speckled_page_is_resampled_bilinear(tmp_path, clean, specks, how):
    rng = np.random.default_rng(3)
    img = rotate(clean, 1.5)
    h, w = img.shape[:2]
    ys, xs = rng.integers(0, h, specks), rng.integers(0, w, specks)
    img[ys, xs] = 0  # isolated one-pixel specks: ~4000 on 4.25 x 5.5 in is ~170 per in²
    page, ctx = make_page(tmp_path, img)

    (out,) = run_page_stage(Deskew(), page, ctx)

    assert f"{how}:" in out.steps[-1].note
    assert abs(out.skew - 1.5) < 0.2
    forced = run_page_stage(Deskew(DeskewOptions(resample="cubic")), page, ctx)[0]
    assert "bicubic" in forced.steps[-1].note
