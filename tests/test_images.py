"""Page images in a chain (`digitize.images`): handed on in memory, written when a file is
needed, never kept beyond what the next stage reads, never pickled with their pixels."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitize.images import HOLD_BYTES, PageImages, encode_png, image_digest
from digitize.model import Page
from digitize.stage import Context

REL = "pages/0123456789abcdef.png"


def _img(value: int = 7) -> np.ndarray:
    return (np.arange(200 * 300) % 251 + value).astype(np.uint8).reshape(200, 300)


def test_png_keeps_pixels_and_dpi(tmp_path: Path) -> None:
    img = _img()
    (tmp_path / "a.png").write_bytes(encode_png(img, 212))
    with Image.open(tmp_path / "a.png") as im:
        assert im.info["dpi"][0] == pytest.approx(212, abs=0.5)
        assert np.array_equal(np.asarray(im), img)


def test_a_deferred_image_waits_in_memory_until_a_file_is_needed(tmp_path: Path) -> None:
    images = PageImages(defer=True)
    path = tmp_path / REL
    images.put(path, REL, _img(), 300)
    assert not path.exists() and images.available(path)
    pixels, digest = images.read(path, REL)
    assert np.array_equal(pixels, _img()) and not pixels.flags.writeable
    assert digest == image_digest(REL, None) == "derived:" + REL
    assert images.file(path) == path and path.is_file()  # written for a tool that reads files
    with Image.open(path) as im:
        assert np.array_equal(np.asarray(im), _img())


def test_the_next_stage_reads_from_memory_not_disk(tmp_path: Path, monkeypatch) -> None:
    import cv2

    images = PageImages(defer=True)
    path = tmp_path / REL
    path.parent.mkdir()
    path.write_bytes(encode_png(_img(), 300))
    first, digest = images.read(path, REL)
    monkeypatch.setattr(cv2, "imdecode", lambda *a: pytest.fail("decoded a held image"))
    again, same = images.read(path, REL)
    assert again is first and same == digest


def test_only_what_a_later_stage_can_ask_for_is_kept(tmp_path: Path) -> None:
    images = PageImages(defer=True)
    a, b = tmp_path / "pages/a.png", tmp_path / "pages/b.png"
    images.put(a, "pages/a.png", _img(1), 300)
    images.put(b, "pages/b.png", _img(2), 300)
    images.keep_only([b])
    assert not images.available(a) and images.available(b)
    images.flush([a, b])
    assert not a.exists() and b.is_file()
    # One image held at a time: a chain only ever reads the image the stage before made.
    assert images.held(b) is not None and images.held(a) is None


def test_outside_a_chain_every_image_is_written_at_once(tmp_path: Path) -> None:
    ctx = Context(work_dir=str(tmp_path))
    ctx.put_image(REL, _img(), 300)
    assert (tmp_path / REL).is_file()


def test_too_big_to_hold_is_written_at_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("digitize.images.HOLD_BYTES", 100)
    images = PageImages(defer=True)
    images.put(tmp_path / REL, REL, _img(), 300)
    assert (tmp_path / REL).is_file() and _img().nbytes > 100 < HOLD_BYTES


def test_pickling_a_context_carries_no_pixels(tmp_path: Path) -> None:
    """A Context travels to workers and Dask: its images keep their setting, not their pixels."""
    images = PageImages(defer=True)
    images.put(tmp_path / REL, REL, _img(), 300)
    ctx = dataclasses.replace(Context(work_dir=str(tmp_path)), images=images)
    blob = pickle.dumps(ctx)
    assert len(blob) < 2000
    back = pickle.loads(blob)
    assert back.images.defer and not back.images.available(tmp_path / REL)
    assert back == ctx  # the images are not part of what a context is


def test_a_page_reads_its_image_through_the_context(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / REL).write_bytes(encode_png(_img(), 300))
    page = Page(index=0, size=(300, 200), dpi=300, image=REL)
    ctx = Context(work_dir=str(tmp_path))
    pixels, digest = ctx.read_image(page)
    assert np.array_equal(pixels, _img()) and digest == "derived:" + REL
    assert ctx.image_file(page) == tmp_path / REL
