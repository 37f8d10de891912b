"""The bench's measuring tools and inputs (fast: no OCR runs), and the speed-ups it led to."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("psutil")  # the `bench` extra

from digitize.lab.bench import _books as books
from digitize.lab.bench import _cases as cases
from digitize.lab.bench.__main__ import _row
from digitize.lab.bench._measure import run_cmd, run_parallel

FONT_OK = Path(books.FONT).is_file()


def test_run_cmd_sees_memory_and_cpu_of_grandchildren() -> None:
    """The tree sampler must count a grandchild's memory (pool workers are grandchildren)."""
    grandchild = (
        "import time; b = bytearray(150_000_000); b[::4096] = b'x' * len(b[::4096]); "
        "t = time.process_time()\nwhile time.process_time() - t < 0.4: pass\ntime.sleep(0.3)"
    )
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}])"
    m = run_cmd([sys.executable, "-c", parent])
    assert m.rc == 0
    assert m.peak_mb > 150
    assert m.cpu >= 0.35
    assert m.wall >= 0.7


def test_run_parallel_runs_jobs_at_once(tmp_path: Path) -> None:
    """At most `jobs` commands at a time, and really that many (timestamps, not wall time:
    the machine may be busy)."""
    code = (
        "import sys, time; t = time.time(); time.sleep(1.0); "
        "open(sys.argv[1], 'w').write(f'{t} {time.time()}')"
    )
    cmds = [[sys.executable, "-c", code, str(tmp_path / f"{i}.txt")] for i in range(4)]
    m = run_parallel(cmds, jobs=2)
    assert m.rc == 0
    spans = [tuple(map(float, (tmp_path / f"{i}.txt").read_text().split())) for i in range(4)]
    events = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    running, most = 0, 0
    for _, step in events:
        running += step
        most = max(most, running)
    assert most == 2


@pytest.mark.skipif(not FONT_OK, reason="DejaVu Serif not installed")
def test_born_digital_twin_carries_the_true_text(tmp_path: Path) -> None:
    import pymupdf

    truth = {
        "title": "T",
        "pages": [
            {
                "dpi": 300,
                "blocks": [{"lines": [{"text": "Chương một", "bbox": [100, 100, 900, 160]}]}],
            },
            {
                "dpi": 300,
                "blocks": [{"lines": [{"text": "Tiếng Việt", "bbox": [100, 300, 900, 360]}]}],
            },
        ],
    }
    tj = tmp_path / "truth.json"
    tj.write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    scanned = pymupdf.open()
    for _ in range(2):
        scanned.new_page(width=297.6, height=421)
    scanned.save(tmp_path / "scan.pdf")
    out = books.make_born_digital(tj, tmp_path / "scan.pdf", tmp_path / "born.pdf")
    with pymupdf.open(out) as doc:
        assert doc.page_count == 2
        assert "Chương một" in doc[0].get_text()
        assert "Tiếng Việt" in doc[1].get_text()
        long = books.make_long(out, tmp_path / "long.pdf", 5)
    with pymupdf.open(long) as doc:
        assert doc.page_count == 5


def test_low_dpi_pipeline_loads(tmp_path: Path) -> None:
    from digitize import pipeline

    p = pipeline.load(str(cases.low_dpi_pipeline(tmp_path, 100)))
    assert p.dpi == 100
    # the textbook pipeline's page stages, preprocessing first, then OCR
    names = [s.name for s in p.page_stages]
    assert "ocr.tesseract" in names and names == [
        s.name for s in pipeline.load("textbook").page_stages
    ]


def test_row_judges_targets() -> None:
    assert _row("a", 1.05, "<=", 1.10, "")["ok"] is True
    assert _row("a", 1.2, "<=", 1.10, "")["ok"] is False
    assert _row("b", 60, ">=", 50, "")["ok"] is True
    assert _row("c", None, "<=", 0.75, "")["ok"] is None


def test_pymupdf_optional_layout_models_stay_out() -> None:
    """PyMuPDF would import pymupdf_layout (ONNX models, ~1 s) and pymupdf4llm when present."""
    code = "import digitize, sys, pymupdf; print(pymupdf._get_layout, 'pymupdf4llm' in sys.modules and sys.modules['pymupdf4llm'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "None"]


def test_page_png_is_lossless(tmp_path: Path) -> None:
    import io

    import numpy as np
    import pymupdf
    from PIL import Image

    from digitize.stages.ingest.pdf import _png

    doc = pymupdf.open()
    page = doc.new_page(width=200, height=100)
    page.insert_text((20, 50), "Tiếng Việt", fontsize=20)
    page.draw_rect(pymupdf.Rect(10, 60, 90, 90), color=(1, 0, 0), fill=(0, 0.5, 1))
    for cs in (pymupdf.csGRAY, pymupdf.csRGB):
        pix = page.get_pixmap(dpi=150, colorspace=cs, alpha=False)
        with Image.open(io.BytesIO(_png(pix, 150))) as im:
            assert [round(d) for d in im.info["dpi"]] == [150, 150]
            ours = np.array(im)
        mupdf = np.array(Image.open(io.BytesIO(pix.tobytes("png"))))
        assert ours.shape == mupdf.shape and (ours == mupdf).all()


@pytest.mark.skipif(not FONT_OK, reason="DejaVu Serif not installed")
def test_prose_book_and_scanned_twin_are_reproducible(tmp_path: Path) -> None:
    """The born-digital prose book has the pages asked for, each full of real text and a page
    number, and is the same every time; its scanned twin has the same pages with no text."""
    import pymupdf

    from digitize.lab.bench import _prose as prose

    a = prose.make_born_prose(tmp_path / "a.pdf", 3, "en")
    b = prose.make_born_prose(tmp_path / "b.pdf", 3, "en")
    scan = prose.make_scanned_twin(a, tmp_path / "scan.pdf", dpi=100)
    with pymupdf.open(a) as da, pymupdf.open(b) as db, pymupdf.open(scan) as ds:
        assert da.page_count == db.page_count == ds.page_count == 3
        texts = [p.get_text() for p in da]
        assert texts == [p.get_text() for p in db]
        assert all(len(t.split()) > 150 for t in texts)
        assert texts[2].split()[0] == "3"  # the page number, drawn first
        assert all(not p.get_text().strip() and p.get_images() for p in ds)


def test_scanned_time_is_extrapolated_with_start_up_once() -> None:
    """16 pages in 40 s with 0.5 s start-up: 100 pages cost 0.5 + 39.5 * 100 / 16 s."""
    from digitize.lab.bench.borndigital import extrapolate

    assert extrapolate(0.5, 40.0, 16, 100) == pytest.approx(0.5 + 39.5 * 100 / 16)
    assert extrapolate(0.5, 40.0, 100, 100) == 40.0  # a whole run is taken as it is


def test_heavy_rows_judge_the_heavy_target() -> None:
    """The heavy-scans case has its own rows, judged against <= 1.25 (not the light 1.10),
    from the fastest round of each contender; no rows when the case was not run."""
    from digitize.lab.bench import _heavy as heavy
    from digitize.lab.bench._measure import Measure

    runs = {
        "pages": 8,
        "digitize_cold": [Measure(wall=14.0, cpu=12.0), Measure(wall=12.0, cpu=11.0)],
        "tesseract_cli": [Measure(wall=10.0, cpu=10.0), Measure(wall=11.0, cpu=10.5)],
    }
    wall, cpu = heavy.rows(runs, _row)
    assert wall["target"] == cpu["target"] == 1.25
    assert wall["value"] == pytest.approx(1.2) and wall["ok"] is True
    assert cpu["value"] == pytest.approx(1.1) and cpu["ok"] is True
    runs["digitize_cold"] = [Measure(wall=13.0, cpu=13.0)]
    assert heavy.rows(runs, _row)[0]["ok"] is False
    assert heavy.rows(None, _row) == []
