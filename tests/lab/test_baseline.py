"""The plain-Tesseract baseline reads a clean synthetic page almost perfectly."""

from __future__ import annotations

from pathlib import Path

import pytest

from digitize.lab.evaluation.baseline import tesseract_available, tesseract_text
from digitize.lab.evaluation.metrics import cer
from digitize.lab.evaluation.truth import page_text
from digitize.lab.synth import BookSpec, generate_book

pytestmark = pytest.mark.tesseract


@pytest.mark.skipif(not tesseract_available(), reason="tesseract with eng+vie is not installed")
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_clean_page_cer_below_5_percent(tmp_path: Path, lang: str) -> None:
    spec = BookSpec(
        lang=lang, pages=2, level="clean", seed=5, two_column=0.0, texts_dir=str(tmp_path / "none")
    )
    truth = generate_book(spec, tmp_path)
    page = truth["pages"][1]
    text = tesseract_text(tmp_path / page["image"], {"vi": "vie", "en": "eng"}[lang], 300)
    assert cer(page_text(page), text) < 0.05
