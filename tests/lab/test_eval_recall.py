"""`digitize eval`: word recall per page, ours vs plain Tesseract, on the evaluation books."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from rich.console import Console

from digitize.lab.evaluation.recall import _page_truth, evalbooks
from digitize.lab.evaluation.run import EvalResult
from digitize.lab.evaluation.table import recall_table

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "Every page of the evaluation books is scored",
    "against plain Tesseract reading the same page,",
    "so that no line it reads is lost by our pipeline.",
]


def _evalbook(d: Path) -> None:
    """A one-page book in the evalbooks layout: NAME.pdf (a 300-dpi scan) + NAME.truth.json."""
    im = Image.new("L", (2480, 1000), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 48)
    for k, text in enumerate(LINES):
        draw.text((200, 200 + k * 150), text, font=font, fill=0)
    png = d / "scan.png"
    im.save(png, dpi=(300, 300))
    doc = pymupdf.open()
    page = doc.new_page(width=2480 * 72 / 300, height=1000 * 72 / 300)
    page.insert_image(page.rect, filename=str(png))
    doc.save(d / "eng_tiny.pdf")
    png.unlink()
    blocks = [{"type": "paragraph", "text": " ".join(LINES)}]
    truth = {"lang": "eng", "pages": [{"index": 0, "dpi": 300, "blocks": blocks}]}
    (d / "eng_tiny.truth.json").write_text(json.dumps(truth), encoding="utf-8")


def test_page_truth_includes_running_heads() -> None:
    page = {"running_header": "CHAPTER ONE", "page_number_text": "12", "blocks": [{"text": "a"}]}
    assert _page_truth(page).split("\n") == ["a", "CHAPTER ONE", "12"]


def test_recall_table_lists_pages_where_tesseract_reads_more() -> None:
    res = EvalResult()
    res.real["eng/x/a"] = {"ours": {"word_recall": 0.9}, "tesseract": {"word_recall": 0.95}}
    res.real["eng/x/b"] = {"ours": {"word_recall": 0.99}, "tesseract": {"word_recall": 0.98}}
    res.evalbook_pages["book/p1"] = {"ours": 1.0, "tesseract": 1.0}
    res.evalbook_pages["book/p2"] = {"ours": 0.99, "tesseract": 0.98, "lost_lines": ["a b c"]}
    console = Console(width=200, record=True)
    console.print(recall_table(res))
    text = " ".join(console.export_text().split())
    assert "3 of 4 pages at or above Tesseract; 1 line(s) Tesseract reads that we lose" in text
    assert "eng/x/a" in text and "-0.050" in text
    assert "book/p2" in text  # above Tesseract by words, yet a line lost: listed
    assert "eng/x/b" not in text and "book/p1" not in text


@pytest.mark.slow
def _eval_stdout(cmd: list[str], books: Path, tmp_path: Path) -> str:
    """`digitize eval` run with `books` as the evalbooks and no real scans: its output, one line."""
    env = {
        **os.environ,
        "DIGITIZE_EVALBOOKS": str(books),
        "DIGITIZE_REALSCANS": str(tmp_path / "none"),
    }
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return " ".join(proc.stdout.split())


@pytest.mark.tesseract
def test_eval_cli_scores_every_evalbook_page_against_tesseract(tmp_path: Path) -> None:
    from helpers.cli import digitize_cmd

    from digitize.lab.synth.book import BookSpec
    from digitize.lab.synth.corpus import make_corpus

    books = tmp_path / "evalbooks"
    books.mkdir()
    _evalbook(books)
    assert [p.name for p, _ in evalbooks(books)] == ["eng_tiny.pdf"]
    corpus = tmp_path / "corpus"
    make_corpus(corpus, {"en": BookSpec(lang="en", pages=1, level="clean", seed=3)}, jobs=1)
    out = tmp_path / "r.json"
    cmd = [*digitize_cmd(), "eval", "--corpus", str(corpus), "--work", str(tmp_path / "w")]
    cmd += ["-p", "textbook-fast", "-j", "1", "--json", str(out)]
    stdout = _eval_stdout(cmd, books, tmp_path)
    assert "Word recall per page" in stdout
    assert "1 of 1 pages at or above Tesseract" in stdout
    row = json.loads(out.read_text())["evalbook_pages"]["eng_tiny/p1"]
    assert row["ours"] >= row["tesseract"] >= 0.9


@pytest.mark.tesseract
def test_eval_recall_only_scores_pages_without_a_synthetic_corpus(tmp_path: Path) -> None:
    """`digitize eval --recall-only` (`make recall`): the per-page table alone, quickly."""
    from helpers.cli import digitize_cmd

    books = tmp_path / "evalbooks"
    books.mkdir()
    _evalbook(books)
    corpus, work = tmp_path / "corpus", tmp_path / "w"
    cmd = [*digitize_cmd(), "eval", "--recall-only", "--corpus", str(corpus)]
    cmd += ["--work", str(work), "-p", "textbook-fast", "-j", "1"]
    stdout = _eval_stdout(cmd, books, tmp_path)
    assert "1 of 1 pages at or above Tesseract" in stdout
    assert "CER" not in stdout  # no synthetic or evalbooks score tables
    assert not corpus.exists()
    rows = json.loads((work / "results.json").read_text())
    assert list(rows["evalbook_pages"]) == ["eng_tiny/p1"] and rows["books"] == {}
