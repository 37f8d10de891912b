"""The default pipeline's preprocessing on synthetic scans: turned pages read like upright ones,
a two-page spread becomes its two pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from digitize import pipeline as pipelines
from digitize.evaluation.run import evaluate_book, without_preprocess

pytestmark = [pytest.mark.tesseract, pytest.mark.slow]


def _book(tmp_path: Path, name: str, **spec: object) -> Path:
    from digitize.synth.book import BookSpec
    from digitize.synth.corpus import make_corpus

    make_corpus(tmp_path, {name: BookSpec(lang="vi", pages=2, level="light", seed=7, **spec)})
    return tmp_path / name


def test_turned_pages_read_like_upright_ones(tmp_path: Path) -> None:
    pipe = pipelines.with_exporters(pipelines.load("textbook", []), ["txt"])
    upright = evaluate_book(_book(tmp_path, "up"), pipe, tmp_path / "o", 2, None)
    turned_dir = _book(tmp_path, "turned", rotate=((1, 180), (2, 90)))
    turned = evaluate_book(turned_dir, pipe, tmp_path / "o", 2, None)
    assert turned["ours"]["cer"] <= upright["ours"]["cer"] + 0.01
    bare = evaluate_book(turned_dir, without_preprocess(pipe), tmp_path / "n", 2, None)
    assert bare["ours"]["cer"] > 0.3  # without orientation the same pages are unreadable


def test_spread_becomes_two_pages(tmp_path: Path) -> None:
    import json

    pipe = pipelines.with_exporters(pipelines.load("textbook", []), ["txt"])
    d = _book(tmp_path, "spread", spread=True)
    assert len({p["image"] for p in json.loads((d / "truth.json").read_text())["pages"]}) == 1
    row = evaluate_book(d, pipe, tmp_path / "o", 2, None)
    report = json.loads(next((tmp_path / "o" / "spread").glob("*.report.json")).read_text())
    assert report["pages_total"] == 2
    assert row["ours"]["cer"] < 0.08
