"""A synthetic book made and converted through the real CLI, for layout tests that score the
whole chain (real Tesseract) against the book's truth."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from digitize.bookjson import book_from_json
from digitize.lab.evaluation.metrics import score_book
from digitize.lab.evaluation.run import flow_dicts
from digitize.lab.evaluation.truth import load_truth
from digitize.lab.synth.book import BookSpec
from digitize.lab.synth.corpus import make_corpus
from helpers.cli import digitize_cmd


def convert_synth(
    tmp_path: Path, spec: BookSpec, to: str = "txt"
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, float]]:
    """(truth, output flow, scores) of `spec` converted without cache, two workers."""
    make_corpus(tmp_path, {"b": spec}, jobs=1)
    src, out = tmp_path / "b", tmp_path / "out"
    lang = {"vi": "vie", "en": "eng", "vi+en": "vie+eng"}[spec.lang]
    cmd = [*digitize_cmd(), "-q", "convert", str(src / "book.pdf"), "-o", str(out)]
    cmd += ["--no-cache", "--lang", lang, "--to", to, "-j", "2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    truth = load_truth(src)
    flow = flow_dicts(book_from_json(next(out.glob("*.book.json")).read_text(encoding="utf-8")))
    return truth, flow, score_book(truth, flow, "")
