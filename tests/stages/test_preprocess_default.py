"""The default pipeline's preprocessing on synthetic scans: turned pages read like upright ones,
a two-page spread becomes its two pages.

Conversions run as `digitize convert` subprocesses: a process pool started from the test process
would outlive the test with its environment (and OCR engines would swell the test process).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.cli import digitize_cmd

from digitize.lab.evaluation.metrics import score_book
from digitize.lab.evaluation.truth import load_truth

pytestmark = [pytest.mark.tesseract, pytest.mark.slow]


def _book(tmp_path: Path, name: str, **spec: object) -> Path:
    from digitize.lab.synth.book import BookSpec
    from digitize.lab.synth.corpus import make_corpus

    spec_ = BookSpec(lang="vi", pages=2, level="light", seed=7, **spec)  # type: ignore[arg-type]
    make_corpus(tmp_path, {name: spec_}, jobs=1)
    return tmp_path / name


def convert(book: Path, out: Path, pipeline: str = "textbook") -> tuple[float, dict]:
    """(body CER against the truth, the run's report)."""
    cmd = [*digitize_cmd(), "-q", "convert", str(book / "book.pdf"), "-o", str(out)]
    cmd += ["--no-cache", "-p", pipeline, "--lang", "vie", "--to", "txt", "-j", "2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    report = json.loads(next(out.glob("*.report.json")).read_text(encoding="utf-8"))
    return score_book(load_truth(book), [], text)["cer"], report


def _nopre(tmp_path: Path) -> str:
    from digitize import pipeline as pipelines

    text = pipelines.find("textbook").read_text(encoding="utf-8")
    blocks = text.split("[[stage]]")
    kept = [b for b in blocks[1:] if "preprocess." not in b]
    path = tmp_path / "nopre.toml"
    path.write_text(blocks[0] + "".join("[[stage]]" + b for b in kept), encoding="utf-8")
    return str(path)


def test_turned_pages_read_like_upright_ones(tmp_path: Path) -> None:
    upright, _ = convert(_book(tmp_path, "up"), tmp_path / "o-up")
    turned_dir = _book(tmp_path, "turned", rotate=((1, 180), (2, 90)))
    turned, report = convert(turned_dir, tmp_path / "o-turned")
    assert turned <= upright + 0.01
    assert report["pages_total"] == 2
    bare, _ = convert(turned_dir, tmp_path / "o-bare", _nopre(tmp_path))
    # Without orientation the same pages read badly (Tesseract makes some sense of a page upside
    # down or sideways, so not nothing: 0.27 on these pages with psm 3).
    assert bare > turned + 0.15


def test_spread_becomes_two_pages(tmp_path: Path) -> None:
    d = _book(tmp_path, "spread", spread=True)
    assert len({p["image"] for p in load_truth(d)["pages"]}) == 1
    cer, report = convert(d, tmp_path / "o")
    assert report["pages_total"] == 2
    single, _ = convert(_book(tmp_path, "single"), tmp_path / "o-single")
    assert cer <= single + 0.03, (cer, single)  # read about as well as separately scanned pages
