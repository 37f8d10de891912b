"""ingest.images on images made on the fly: files, folders, multi-page TIFFs, bad input."""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitize.errors import BadInput, OutputNotWritable
from digitize.model import Book
from digitize.stage import Context
from digitize.stages.ingest.images import ImageIngester, natural_key


def _page(w: int = 600, h: int = 800, value: int = 0, mode: str = "L") -> Image.Image:
    """A page-like image: light background, dark bars; `value` makes pages distinguishable."""
    a = np.full((h, w), 230, np.uint8)
    a[100 : 100 + 20 + value, 50 : w - 50] = 20
    return Image.fromarray(a).convert(mode)


def _ingest(src: Path, tmp: Path, dpi: int | None = None, **opts: object) -> Book:
    ctx = Context(work_dir=str(tmp / "w"), dpi=dpi)
    return ImageIngester(ImageIngester.Options(**opts)).ingest(src, ctx)


def _load(book: Book, i: int) -> np.ndarray:
    img = book.pages[i].image
    assert img is not None and not Path(img).is_absolute()
    with Image.open(Path(book.work_dir) / img) as im:
        return np.asarray(im.convert("L"))


def test_single_png_is_linked_as_is_with_its_dpi(tmp_path: Path) -> None:
    src = tmp_path / "scan.png"
    _page().save(src, dpi=(300, 300))
    book = _ingest(src, tmp_path)
    (p,) = book.pages
    assert p.dpi == 300 and p.size == (600, 800) and p.source == "scan" and p.warnings == ()
    stored = Path(book.work_dir) / (p.image or "")
    assert stored.name.startswith("p0001-") and stored.suffix == ".png"
    assert stored.read_bytes() == src.read_bytes()
    assert book.meta.title == "scan" and book.meta.source == "scan.png"


def test_jpeg_is_converted_to_png(tmp_path: Path) -> None:
    src = tmp_path / "scan.jpg"
    _page(mode="RGB").save(src, dpi=(400, 400), quality=95)
    book = _ingest(src, tmp_path)
    (p,) = book.pages
    assert p.image is not None and p.image.endswith(".png") and p.dpi == 400
    assert abs(int(_load(book, 0)[110, 300]) - 20) < 10


def test_dpi_falls_back_to_context_then_estimate(tmp_path: Path) -> None:
    src = tmp_path / "nodpi.png"
    _page(w=1600, h=2268).save(src)  # 2268 px over a 24 cm page = 240 dpi
    assert _ingest(src, tmp_path, dpi=200).pages[0].dpi == 200
    est = _ingest(src, tmp_path).pages[0]
    assert est.dpi == 240 and "assumed 240 dpi" in est.warnings[0]
    odd = tmp_path / "odd.png"
    _page().save(odd, dpi=(1, 1))  # implausible tag (JFIF aspect-only style) → ignored
    assert _ingest(odd, tmp_path, dpi=300).pages[0].dpi == 300


def test_folder_natural_order_skips_junk_and_fails_bad_page(tmp_path: Path) -> None:
    d = tmp_path / "book"
    d.mkdir()
    for n in (10, 2, 1):
        _page(value=n).save(d / f"page{n}.png", dpi=(300, 300))
    (d / "notes.txt").write_text("not a page")
    (d / ".DS_Store").write_bytes(b"\0\1")
    (d / "page3.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    book = _ingest(d, tmp_path)
    assert len(book.pages) == 4
    assert [p.index for p in book.pages] == [0, 1, 2, 3]
    failed = book.pages[2]
    assert failed.failed is not None and "page3.png" in failed.failed and failed.image is None
    bar_height = [int((_load(book, i)[:, 300] < 128).sum()) for i in (0, 1, 3)]
    assert bar_height == [21, 22, 30]  # page1, page2, page10
    assert book.meta.title == "book"


def test_natural_key() -> None:
    names = ["p10.png", "p2.png", "P1.png", "p1a.png"]
    assert sorted(names, key=natural_key) == ["P1.png", "p1a.png", "p2.png", "p10.png"]


def _corrupt_tiff(path: Path) -> None:
    frames = [_page(value=v) for v in (1, 5, 9)]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_adobe_deflate")
    with Image.open(path) as im:
        im.seek(1)
        offset = im.tag_v2[273][0]  # StripOffsets of frame 2
    data = bytearray(path.read_bytes())
    data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def test_multipage_tiff_with_a_corrupt_frame(tmp_path: Path) -> None:
    src = tmp_path / "book.tif"
    _corrupt_tiff(src)
    book = _ingest(src, tmp_path, dpi=300)
    assert len(book.pages) == 3
    assert book.pages[0].failed is None and book.pages[2].failed is None
    assert "book.tif frame 2" in (book.pages[1].failed or "")
    assert book.pages[1].size == (600, 800)
    assert int((_load(book, 2)[:, 300] < 128).sum()) == 29
    assert all(p.image and p.image.endswith(".png") for p in (book.pages[0], book.pages[2]))


def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)  # 2.5 gigapixels
    src = tmp_path / "bomb.png"
    src.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
    )
    t = time.perf_counter()
    with pytest.raises(BadInput, match=r"bomb\.png.*megapixel"):
        _ingest(src, tmp_path)
    assert time.perf_counter() - t < 1.0
    assert Image.MAX_IMAGE_PIXELS is not None  # our guard restored Pillow's own


def test_tiny_unreadable_and_empty_inputs_are_refused(tmp_path: Path) -> None:
    Image.new("L", (1, 1)).save(tmp_path / "dot.png")
    (tmp_path / "text.png").write_text("hello")
    (tmp_path / "empty").mkdir()
    (tmp_path / "only_txt").mkdir()
    (tmp_path / "only_txt" / "a.txt").write_text("x")
    cases = {
        "dot.png": "too small",
        "text.png": "not a readable image",
        "empty": "no page images",
        "only_txt": "no page images",
        "missing.png": "no such",
    }
    for name, msg in cases.items():
        with pytest.raises(BadInput) as e:
            _ingest(tmp_path / name, tmp_path)
        assert name in str(e.value) and msg in str(e.value)


def test_exif_rotation_alpha_and_16_bit_are_normalised(tmp_path: Path) -> None:
    rot = tmp_path / "rot.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    _page(w=600, h=800, mode="RGB").save(rot, exif=exif, dpi=(300, 300))
    assert _ingest(rot, tmp_path).pages[0].size == (800, 600)

    rgba = tmp_path / "alpha.png"
    a = np.zeros((800, 600, 4), np.uint8)
    a[100:120, 50:550] = (0, 0, 0, 255)  # black text on a transparent page
    Image.fromarray(a, "RGBA").save(rgba, dpi=(300, 300))
    book = _ingest(rgba, tmp_path)
    px = _load(book, 0)
    assert px[50, 300] == 255 and px[110, 300] == 0  # transparent → white, not black

    deep = tmp_path / "deep.png"
    Image.fromarray(np.asarray(_page()).astype(np.uint16) * 257).save(deep, dpi=(300, 300))
    px = _load(_ingest(deep, tmp_path), 0)
    assert px[110, 300] < 40 and px[400, 300] > 200  # scaled, not clipped to white


def test_accepts_folders_and_image_suffixes(tmp_path: Path) -> None:
    ing = ImageIngester()
    assert ing.accepts(tmp_path)
    assert ing.accepts(Path("x.TIFF")) and ing.accepts(Path("x.webp"))
    assert not ing.accepts(Path("x.pdf"))


def test_rerun_reuses_stored_pages(tmp_path: Path) -> None:
    src = tmp_path / "scan.jpg"
    _page(mode="RGB").save(src, dpi=(300, 300))
    first = _ingest(src, tmp_path)
    stored = Path(first.work_dir) / (first.pages[0].image or "")
    os.utime(stored, ns=(1, 1))
    again = _ingest(src, tmp_path)
    assert again.pages[0].image == first.pages[0].image and stored.stat().st_mtime_ns == 1


def test_plain_tiff_is_linked_and_jpeg_tiff_converted(tmp_path: Path) -> None:
    g4 = tmp_path / "g4.tif"
    _page().convert("1").save(g4, compression="group4", dpi=(600, 600))
    jt = tmp_path / "jt.tif"
    _page(mode="RGB").save(jt, compression="jpeg", dpi=(300, 300))
    a = _ingest(g4, tmp_path).pages[0]
    assert a.image and a.image.endswith(".tif") and a.dpi == 600
    assert (tmp_path / "w" / a.image).read_bytes() == g4.read_bytes()
    b = _ingest(jt, tmp_path).pages[0]
    assert b.image and b.image.endswith(".png") and b.dpi == 300


def test_unwritable_work_dir_is_not_a_page_failure(tmp_path: Path) -> None:
    _page(mode="RGB").save(tmp_path / "scan.jpg")  # converted
    _page().save(tmp_path / "scan.png")  # linked as is
    (tmp_path / "file").write_text("x")
    ctx = Context(work_dir=str(tmp_path / "file" / "w"), dpi=300)
    for name in ("scan.jpg", "scan.png"):
        with pytest.raises(OutputNotWritable):
            ImageIngester().ingest(tmp_path / name, ctx)
