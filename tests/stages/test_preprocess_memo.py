"""The in-process image memo and the fast PNG writer shared by the preprocess stages."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image
from preprocess_pages import have_font, load, make_page, render_page, rotate, shadow

from digitize.stages import _pixels
from digitize.stages.preprocess import _common as c
from digitize.stages.preprocess.deskew import Deskew
from digitize.stages.preprocess.illumination import Illumination

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")


def test_png_keeps_pixels_and_dpi(tmp_path):
    img = (np.arange(200 * 300) % 251).astype(np.uint8).reshape(200, 300)
    (tmp_path / "a.png").write_bytes(c.encode_png(img, 212))
    with Image.open(tmp_path / "a.png") as im:
        assert im.info["dpi"][0] == pytest.approx(212, abs=0.5)
        assert np.array_equal(np.asarray(im), img)


def test_next_stage_reads_from_memory_not_disk(tmp_path, monkeypatch):
    """The image a stage wrote goes to the next stage without decoding the PNG again."""
    page, ctx = make_page(tmp_path, shadow(rotate(render_page()[0], 2.0)))
    skewed = Deskew().process_page(page, ctx)
    assert skewed.image != page.image and (tmp_path / skewed.image).is_file()

    def no_decode(*a, **k):
        raise AssertionError("decoded a PNG the memo holds")

    monkeypatch.setattr(c.cv2, "imdecode", no_decode)
    img, digest = c.read_image(skewed, ctx)
    assert not img.flags.writeable  # shared: no stage may paint on it
    assert np.array_equal(img, load(tmp_path, skewed.image))
    flat = Illumination().process_page(skewed, ctx)
    assert flat.image != skewed.image
    monkeypatch.undo()
    # The same names whether the input came from memory or from disk: caches stay valid.
    c.forget_all()
    assert c.read_image(skewed, ctx)[1] == digest
    assert Illumination().process_page(skewed, ctx).image == flat.image


def test_replaced_file_is_not_served_from_memory(tmp_path):
    page, ctx = make_page(tmp_path, render_page()[0])
    first, _ = c.read_image(page, ctx)
    other = np.full((50, 40), 200, np.uint8)
    path = tmp_path / page.image
    path.write_bytes(c.encode_png(other, 300))
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    again, _ = c.read_image(page, ctx)
    assert again.shape == (50, 40) and first.shape != again.shape


def test_memo_is_bounded_in_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(_pixels, "MEMO_ENTRIES", 10)
    monkeypatch.setattr(_pixels, "MEMO_BYTES", 3 * 100 * 100)
    for i in range(5):
        p = tmp_path / f"{i}.png"
        img = np.full((100, 100), i, np.uint8)
        p.write_bytes(c.encode_png(img, 300))
        _pixels.remember(p, img, str(i))
    assert len(_pixels._MEMO) == 3 and str(tmp_path / "4.png") in _pixels._MEMO


def test_memo_keeps_only_the_last_image(tmp_path):
    """A worker's memory must not grow with the book: the next stage needs the last image only."""
    for i in range(5):
        p = tmp_path / f"{i}.png"
        img = np.full((100, 100), i, np.uint8)
        p.write_bytes(c.encode_png(img, 300))
        _pixels.remember(p, img, str(i))
    assert list(_pixels._MEMO) == [str(tmp_path / "4.png")]


def test_even_white_page_skips_illumination(tmp_path):
    page, ctx = make_page(tmp_path, render_page()[0])
    out = Illumination().process_page(page, ctx)
    assert out.image == page.image and out.steps[-1].name == "preprocess.illumination"
