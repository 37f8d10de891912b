"""Doubtful orientation is settled by reading: when OSD is unsure, the page is read as is and
turned, and the reading that makes more sense wins (preprocess.orientation, `_readability.py`).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers.cli import digitize_cmd
from PIL import Image, ImageDraw, ImageFont

from digitize.lab.evaluation.metrics import score_book
from digitize.lab.evaluation.truth import load_truth
from digitize.stages.preprocess._readability import read_score

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


@pytest.mark.tesseract
def test_upright_text_reads_better_than_turned_text() -> None:
    im = Image.new("L", (1600, 700), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 40)
    for k, text in enumerate(
        [
            "Reading both ways settles what detection",
            "could not: the right way up reads as words,",
            "the wrong way up as a soup of odd glyphs.",
        ]
    ):
        d.text((80, 100 + k * 120), text, font=font, fill=0)
    g = np.asarray(im)
    upright = read_score(g, 300, "eng")
    assert upright > 10
    assert read_score(np.rot90(g, 2).copy(), 300, "eng") < upright / 2
    assert read_score(np.rot90(g, 1).copy(), 300, "eng") < upright / 2


def _convert(src: Path, out: Path, *sets: str) -> tuple[float, dict]:
    cmd = [*digitize_cmd(), "-q", "convert", str(src / "book.pdf"), "-o", str(out)]
    cmd += ["--no-cache", "-p", "textbook-fast", "--lang", "eng", "--to", "txt", "-j", "2"]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    report = json.loads(next(out.glob("*.report.json")).read_text(encoding="utf-8"))
    return score_book(load_truth(src), [], text)["cer"], report


@pytest.mark.slow
@pytest.mark.tesseract
def test_cli_four_orientation_book_reads_like_the_upright_one(tmp_path: Path) -> None:
    """Pages turned 0/90/180/270. OSD is made unsure of every page (min_confidence above any
    confidence it gives), so each turn is decided by reading both candidates."""
    from digitize.lab.synth.book import BookSpec
    from digitize.lab.synth.corpus import make_corpus

    spec = {"lang": "en", "pages": 4, "level": "light", "seed": 11}
    make_corpus(
        tmp_path,
        {
            "up": BookSpec(**spec),  # type: ignore[arg-type]
            "turned": BookSpec(**spec, rotate=((1, 90), (2, 180), (3, 270))),  # type: ignore[arg-type]
        },
        jobs=1,
    )
    up, _ = _convert(tmp_path / "up", tmp_path / "o-up")
    turned, report = _convert(
        tmp_path / "turned",
        tmp_path / "o-turned",
        "preprocess.orientation.min_confidence=1000",
        "preprocess.orientation.precheck=false",
    )
    assert turned <= up * 1.10 + 0.002, (turned, up)
    rotations = [p["rotation"] for p in report["pages"]]
    assert rotations == [0, 270, 180, 90]
    for p in report["pages"][1:]:
        (note,) = [w for w in p["warnings"] if w.startswith("orientation:")]
        assert "unsure" in note and "Tesseract reads it" in note
