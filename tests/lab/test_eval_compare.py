"""`digitize eval --compare`: every figure with and without preprocessing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from digitize import pipeline as pipelines
from digitize.lab.evaluation.run import EvalResult, without_preprocess
from digitize.lab.evaluation.table import compare_table, real_table


def _render(table) -> str:
    buf = io.StringIO()
    Console(file=buf, width=200).print(table)
    return buf.getvalue()


def test_without_preprocess_drops_only_preprocess_stages() -> None:
    pipe = pipelines.load("textbook", [])
    assert any(s.kind == "preprocess" for s in pipe.stages)  # the default does preprocess
    bare = without_preprocess(pipe)
    assert not any(s.kind == "preprocess" for s in bare.stages)
    assert [s.name for s in bare.stages] == [s.name for s in pipe.stages if s.kind != "preprocess"]
    assert bare.name == "textbook-nopre" and bare.lang == pipe.lang


def test_compare_columns_in_tables() -> None:
    res = EvalResult()
    res.books["a"] = {
        "lang": "vi",
        "level": "heavy",
        "pages": 1,
        "seconds_per_page": 2.0,
        "ours": {"cer": 0.05, "wer": 0.1},
        "tesseract": {"cer": 0.2, "wer": 0.3},
        "compare": {"cer": 0.4, "wer": 0.5},
        "compare_seconds_per_page": 1.5,
    }
    res.real["eng/x/1"] = {
        "collection": "eng/x",
        "lang": "eng",
        "ours": {"cer": 0.01, "wer": 0.02},
        "tesseract": {"cer": 0.03, "wer": 0.04},
        "compare": {"cer": 0.07, "wer": 0.08},
    }
    by = res.by("level")["heavy"]
    assert by["compare"]["cer"] == pytest.approx(0.4)
    text = _render(compare_table(res, "no preprocess"))
    assert "5.00% / 40.00% / 20.00%" in text and "2.00 / 1.50" in text
    real = _render(real_table(res, "no preprocess"))
    assert "CER no preprocess" in real and "7.00%" in real
    assert "CER no preprocess" not in _render(real_table(res))


@pytest.mark.tesseract
@pytest.mark.slow
def test_eval_cli_scores_both_pipelines(tmp_path: Path) -> None:
    """`digitize eval --compare nopre` end to end (a subprocess: no pool or OCR engine is left
    in the test process)."""
    import json
    import os
    import subprocess

    from helpers.cli import digitize_cmd

    from digitize.lab.synth.book import BookSpec
    from digitize.lab.synth.corpus import make_corpus

    corpus = tmp_path / "corpus"
    make_corpus(corpus, {"vi-heavy": BookSpec(lang="vi", pages=1, level="heavy", seed=3)}, jobs=1)
    out = tmp_path / "r.json"
    cmd = [*digitize_cmd(), "eval", "--corpus", str(corpus), "--work", str(tmp_path / "w")]
    cmd += ["--no-real", "--no-baseline", "--compare", "nopre", "-j", "2", "--json", str(out)]
    env = {**os.environ, "DIGITIZE_EVALBOOKS": str(tmp_path / "no-evalbooks")}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "no preprocess" in proc.stdout
    assert "evalbooks" in proc.stderr and "skipped" in proc.stderr
    row = json.loads(out.read_text())["books"]["vi-heavy"]
    assert 0.0 <= row["ours"]["cer"] < 0.5
    assert 0.0 <= row["compare"]["cer"] <= 1.0 and row["compare_seconds_per_page"] > 0
    assert (tmp_path / "w" / "out-compare" / "vi-heavy").is_dir()
