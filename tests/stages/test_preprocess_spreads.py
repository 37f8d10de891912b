from __future__ import annotations

import numpy as np
import pytest
from helpers.preprocess_pages import TEXT, have_font, load, make_page, render_page, spread

from digitize.stages.preprocess.spreads import Spreads
from digitize.testing import run_page_stage

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")

PAD = 180  # extra outer margin on the left: the book is not scanned centred


@pytest.fixture(scope="module")
def pages():
    left = render_page(TEXT[:8], size=(1275, 1650))[0]
    right = render_page(TEXT[4:], size=(1150, 1650))[0]
    left = np.concatenate([np.full((1650, PAD), 255, np.uint8), left], axis=1)
    return left, right


@pytest.mark.parametrize("shade", [True, False])
def test_spread_splits_at_the_gutter_in_order(tmp_path, pages, shade):
    left, right = pages
    img = spread(left, right, gutter_px=60, shade=shade)
    page, ctx = make_page(tmp_path, img)
    page = page.__class__(**{**{f: getattr(page, f) for f in page.__slots__}, "index": 4})

    out = run_page_stage(Spreads(), page, ctx)

    assert isinstance(out, tuple) and len(out) == 2
    a, b = out
    fold = left.shape[1] + 30
    if shade:  # the cut follows the fold's shadow
        assert abs(a.size[0] - fold) <= 12, (a.size, fold)
    else:  # no shadow: the cut lies in the white gutter, clear of the text on both sides
        ink_cols = np.flatnonzero((img < 128).any(axis=0))
        last_left = ink_cols[ink_cols < fold].max()
        first_right = ink_cols[ink_cols > fold].min()
        assert last_left + 20 < a.size[0] < first_right - 20
    assert a.size[0] + b.size[0] == img.shape[1]
    assert a.size[1] == b.size[1] == img.shape[0]
    assert (a.index, b.index) == (4, 5)
    la, lb = load(tmp_path, a.image), load(tmp_path, b.image)
    # Left first: its text is the left page's text (same ink, same place).
    w = left.shape[1] - 20
    assert np.array_equal(la[:, :w] < 128, left[:, :w] < 128)
    assert np.array_equal(lb[:, -1000:] < 128, right[:, -1000:] < 128)
    assert a.image != b.image
    assert all(p.steps[-1].name == "preprocess.spreads" for p in out)
    assert np.array_equal(load(tmp_path, page.image), img)  # input untouched


def test_single_portrait_page_passes_through(tmp_path, pages):
    page, ctx = make_page(tmp_path, pages[1])
    out = Spreads().process_page(page, ctx)
    assert not isinstance(out, tuple)
    assert out.image == page.image and not out.warnings


def test_wide_page_without_gutter_is_kept_whole(tmp_path):
    lines = [t + " " + t[:30] for t in TEXT]  # one wide text block across the middle
    img = render_page(lines, size=(2400, 1650))[0]
    page, ctx = make_page(tmp_path, img)
    out = Spreads().process_page(page, ctx)
    assert not isinstance(out, tuple)
    assert out.image == page.image
    assert "no clear gutter" in out.warnings[0]


def test_two_column_landscape_page_is_not_split(tmp_path):
    # Columns about 0.25 in apart: a column gap, not two page margins.
    col = render_page(TEXT * 2, size=(1150, 1650), margin=110)[0]
    ink_cols = np.flatnonzero((col < 128).any(axis=0))
    img = np.concatenate([col[:, : ink_cols.max() + 40], col[:, 75:]], axis=1)
    img = np.concatenate([img, np.full((1650, 200), 255, np.uint8)], axis=1)
    page, ctx = make_page(tmp_path, img)
    out = Spreads().process_page(page, ctx)
    assert not isinstance(out, tuple)
