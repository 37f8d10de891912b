"""Fuzz the ingesters with mutated samples: bit flips, truncations, splices and byte runs of a
small PDF, PNG and multi-page TIFF. The only acceptable outcomes are a Book (pages that could
not be read marked `failed`, with a reason naming the file) or a clean `DigitizeError`.

Deterministic (seeded), a few hundred cases in well under a minute. `FUZZ_CASES=5000` for a
longer local run.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from helpers import bad_files as bf
from PIL import Image

from digitize.errors import DigitizeError
from digitize.model import Book
from digitize.stage import Context
from digitize.stages.ingest.images import ImageIngester
from digitize.stages.ingest.pdf import PdfIngester

CASES = int(os.environ.get("FUZZ_CASES", "120"))


def _small_pdf() -> bytes:
    """Three small pages: a text layer, a scanned image, and both (small: fast to render)."""
    doc = pymupdf.open()
    for i in range(3):
        page = doc.new_page(width=200, height=150)
        if i != 1:
            page.insert_text((10, 30), bf.WORDS[:60], fontsize=5)
            page.insert_text((10, 60), bf.WORDS[60:], fontsize=5)
        if i != 0:
            buf = io.BytesIO()
            bf.Image.new("L", (60, 40), 90).save(buf, "PNG")
            page.insert_image(pymupdf.Rect(20, 80, 80, 120), stream=buf.getvalue())
    return doc.tobytes(garbage=3)


def _sample(kind: str, tmp: Path) -> bytes:
    if kind == "pdf":
        return _small_pdf()
    if kind == "png":
        return bf.small_png(tmp / "s.png").read_bytes()
    return bf.small_tiff(tmp / "s.tif", frames=3).read_bytes()


def mutate(data: bytes, other: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    op = rng.choice(["flip", "flip", "truncate", "splice", "run", "digits"])
    if op == "flip":
        for _ in range(rng.randint(1, 12)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif op == "truncate":
        b = b[: rng.randrange(len(b))]
    elif op == "splice":  # the head of one file, the tail of another (or of itself)
        src = rng.choice([data, other])
        b = b[: rng.randrange(len(b))] + src[rng.randrange(len(src)) :]
    elif op == "run":  # a run of one byte value over a random span (a zeroed sector)
        i = rng.randrange(len(b))
        n = rng.randint(1, 512)
        b[i : i + n] = bytes([rng.choice([0, 0xFF, 0x20])]) * min(n, len(b) - i)
    else:  # bump numbers: sizes, offsets, counts in a PDF's text or a header
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(b))
            if chr(b[i]).isdigit():
                b[i] = ord(rng.choice("0123456789"))
            else:
                b[i] = rng.randrange(256)
    return bytes(b)


def _check(book: Book, name: str) -> None:
    assert book.pages, name
    for p in book.pages:
        assert p.failed or p.image or p.source == "textlayer", p
        if p.failed:
            assert name in p.failed, p.failed
        if p.image:
            assert not Path(p.image).is_absolute() and ".." not in Path(p.image).parts


@pytest.mark.parametrize(
    ("kind", "ingester", "suffix"),
    [
        ("pdf", lambda: PdfIngester(PdfIngester.Options(dpi_from_image=True)), ".pdf"),
        ("png", ImageIngester, ".png"),
        ("tiff", ImageIngester, ".tif"),
    ],
)
def test_mutated_inputs_fail_cleanly(
    kind: str, ingester: Callable[[], object], suffix: str, tmp_path: Path
) -> None:
    rng = random.Random(f"digitize-{kind}")
    data = _sample(kind, tmp_path)
    other = _sample("png" if kind == "pdf" else "pdf", tmp_path)
    crashes: list[str] = []
    outcomes = {"book": 0, "refused": 0}
    t0 = time.perf_counter()
    for case in range(CASES):
        src = tmp_path / f"case{case}{suffix}"
        src.write_bytes(mutate(data, other, rng))
        ctx = Context(work_dir=str(tmp_path / "w"), render_dpi=72)
        try:
            book = ingester().ingest(src, ctx)  # type: ignore[attr-defined]
        except DigitizeError as e:
            assert "Traceback" not in e.one_line() and "\n" not in e.one_line()
            outcomes["refused"] += 1
        except Exception as e:  # the bug the fuzzer is for
            crashes.append(f"case {case}: {type(e).__name__}: {e}")
        else:
            _check(book, src.name)
            outcomes["book"] += 1
        src.unlink()
    assert crashes == [], "\n".join(crashes[:10])
    assert outcomes["book"] and outcomes["refused"], outcomes  # both paths were exercised
    assert time.perf_counter() - t0 < max(40, 0.1 * CASES)  # ~0.03 s a case


def test_pdf_page_claiming_a_huge_size_is_rendered_smaller(tmp_path: Path) -> None:
    """Found by hand while fuzzing: a 200 x 42 inch MediaBox rasterised at 300 dpi took 22 s
    and 1.6 GB before OCR even started. Now the dpi is lowered, with a warning."""
    doc = pymupdf.open()
    page = doc.new_page(width=14400, height=3000)
    page.draw_rect(pymupdf.Rect(10, 10, 100, 100), fill=(0, 0, 0))
    src = tmp_path / "poster.pdf"
    doc.save(src)
    opts = PdfIngester.Options(max_megapixels=2.0)
    (p,) = PdfIngester(opts).ingest(src, Context(work_dir=str(tmp_path / "w"))).pages
    assert p.failed is None and p.size[0] * p.size[1] <= 2e6 and p.dpi < 20
    assert any("rendered at" in w and "megapixels" in w for w in p.warnings)
    with Image.open(Path(tmp_path / "w") / str(p.image)) as im:
        assert im.size == p.size


def test_pillow_warnings_become_page_warnings_not_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Found by the CLI tests: Pillow's `UserWarning: Corrupt EXIF data` went to stderr raw."""
    folder = tmp_path / "scans"
    folder.mkdir()
    bf.small_png(folder / "p1.png")
    (folder / "p2.tif").write_bytes(b"II*\0 not really a tiff")
    book = ImageIngester().ingest(folder, Context(work_dir=str(tmp_path / "w")))
    assert [p.failed is None for p in book.pages] == [True, False]
    assert "p2.tif" in (book.pages[1].failed or "")
    assert any(w.startswith("Pillow: ") and "EXIF" in w for w in book.pages[1].warnings)
    assert book.pages[0].warnings == ()
    assert "Warning" not in capfd.readouterr().err
