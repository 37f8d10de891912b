from __future__ import annotations

import numpy as np
import pytest
from helpers.preprocess_pages import black_border, have_font, load, make_page, render_page

from digitize.stages.preprocess.borders import Borders

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")


def test_black_scanner_border_cropped_and_whitened(tmp_path):
    clean = render_page()[0]
    img = black_border(clean, (40, 25, 60, 30))
    # An uneven edge: a dark wedge reaching into the page at the bottom left.
    img[-120:, :160] = np.minimum(img[-120:, :160], 20)
    page, ctx = make_page(tmp_path, img)

    out = Borders().process_page(page, ctx)
    got = load(tmp_path, out.image)

    h, w = clean.shape
    assert abs(got.shape[1] - w) <= 4 and abs(got.shape[0] - h) <= 4
    assert (got < 100).sum() <= (clean < 100).sum() * 1.01  # no dark band left
    assert (got[:, :3] > 200).all() and (got[:3, :] > 200).all()
    # The text itself is untouched.
    ys, xs = np.nonzero(clean < 128)
    inner = got[ys.min() : ys.max(), xs.min() : xs.max()]
    assert (inner < 128).sum() >= 0.98 * (clean < 128).sum()
    assert out.size == (got.shape[1], got.shape[0])


def test_page_without_border_untouched(tmp_path):
    page, ctx = make_page(tmp_path, render_page()[0])
    out = Borders().process_page(page, ctx)
    assert out.image == page.image and not out.warnings


def test_photo_bleeding_off_the_edge_is_kept(tmp_path):
    clean = render_page()[0]
    img = black_border(clean, (40, 25, 60, 30))
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 110, (400, 500), dtype=np.uint8)  # textured, dark, at the edge
    img[900:1300, -500:] = photo
    page, ctx = make_page(tmp_path, img)

    out = Borders().process_page(page, ctx)
    got = load(tmp_path, out.image)

    assert "photo" in " ".join(out.warnings)
    assert (got < 110).sum() > 0.8 * 400 * 500  # the photo is still there
