"""`digitize eval` scores ../shared/evalbooks with their own score.py, and skips them when absent."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from digitize.lab.evaluation.evalbooks import (
    evalbook_pdfs,
    evalbooks_root,
    evalbooks_table,
    score_output,
)

FAKE_SCORER = """
import json, sys
truth, out = sys.argv[1], sys.argv[2]
text = open(out, encoding="utf-8").read()
if "boom" in text:
    sys.exit("scorer failed")
print(json.dumps({"cer": 0.0125, "paragraph_f1": 0.5, "heading_precision": None}))
"""


def _render(table) -> str:
    buf = io.StringIO()
    Console(file=buf, width=250).print(table)
    return buf.getvalue()


def test_absent_folder_gives_no_books(tmp_path: Path) -> None:
    assert evalbook_pdfs(tmp_path / "absent") == []
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "a.truth.json").write_text("{}")
    assert evalbook_pdfs(tmp_path) == []  # no scorer beside them: not an evalbooks folder


def test_scorer_runs_as_subprocess_and_table_shows_its_figures(tmp_path: Path) -> None:
    (tmp_path / "score.py").write_text(FAKE_SCORER)
    pdf = tmp_path / "b1.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    pdf.with_suffix(".truth.json").write_text("{}")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4")  # no truth: not a book
    assert evalbook_pdfs(tmp_path) == [pdf]
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("text", encoding="utf-8")
    bad.write_text("boom", encoding="utf-8")
    m = score_output(pdf, good)
    assert m["cer"] == pytest.approx(0.0125)
    assert "scorer failed" in score_output(pdf, bad)["error"]
    text = _render(evalbooks_table({"b1": m, "b2": {"error": "no EPUB written"}}))
    assert "1.25%" in text and "0.500" in text and "no EPUB written" in text
    assert "–" in text  # heading precision None


def test_real_scorer_on_the_truths_own_text(tmp_path: Path) -> None:
    pdfs = evalbook_pdfs()
    if not pdfs:
        pytest.skip(f"{evalbooks_root()} is absent (set DIGITIZE_EVALBOOKS to score evalbooks)")
    pdf = pdfs[0]
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    main = [e["text"] for e in truth["body"] if e["type"] in ("heading", "paragraph")]
    out = tmp_path / "book.txt"
    out.write_text("\n\n".join(main), encoding="utf-8")
    m = score_output(pdf, out)
    assert "error" not in m, m
    assert m["cer"] < 0.05 and m["header_footer_leak"] == 0
