from __future__ import annotations

import numpy as np
import pytest
from helpers.preprocess_pages import have_font, load, make_page, render_page, rotate, shadow

from digitize.bookjson import dumps, loads
from digitize.stages.preprocess.binarize import Binarize, BinarizeOptions
from digitize.stages.preprocess.deskew import Deskew

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")


@pytest.mark.parametrize("method", ["sauvola", "adaptive", "otsu"])
def test_binary_output_keeps_grey_original(tmp_path, method):
    clean = render_page()[0]
    img = shadow(clean, strength=0.3) if method != "otsu" else clean
    page, ctx = make_page(tmp_path, img)

    out = Binarize(BinarizeOptions(method=method)).process_page(page, ctx)

    got = load(tmp_path, out.image)
    assert set(np.unique(got)) <= {0, 255}
    assert out.unbinarized == page.image  # figures are cropped from the grey image
    assert loads(dumps(out)) == out
    # Text stays black and paper white, even in the shadow (local methods).
    text, paper = clean < 60, clean == 255
    assert (got[text] == 0).mean() > 0.95
    assert (got[paper] == 255).mean() > 0.99


def test_later_image_change_drops_the_stale_grey_copy(tmp_path):
    page, ctx = make_page(tmp_path, rotate(render_page()[0], 2.0))
    binar = Binarize().process_page(page, ctx)
    assert binar.unbinarized == page.image
    again = Binarize().process_page(binar, ctx)
    assert again.unbinarized == page.image  # the first grey image, not the binary one
    moved = Deskew().process_page(binar, ctx)
    assert moved.image != binar.image and moved.unbinarized is None
