"""Per-page word recall, ours vs plain Tesseract on the same page: no page may lose a line that
plain `tesseract` reads.

A book-level CER hides a dropped line among thousands of characters; per-page word recall (the
share of the page's truth words found, any order) does not. `digitize eval` scores every page
of `../shared/realscans` (already, in `run.evaluate_real`) and of `../shared/evalbooks` (here:
the independent synthetic books, 8 pages each, their truth per page), and lists the pages where
our recall is below plain Tesseract's, and the lines plain Tesseract reads that we lose (a
misread letter costs a word of recall on either side; a lost line is never noise).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from digitize.fileio import file_sha256
from digitize.lab.evaluation.baseline import tesseract_text
from digitize.lab.evaluation.metrics import lost_lines, word_recall
from digitize.model import Page
from digitize.pipeline import Pipeline

DEFAULT_ROOT = Path(__file__).resolve().parents[4] / "shared" / "evalbooks"
_LANGS = {"eng": "eng", "vie": "vie", "mixed": "vie+eng"}


def evalbooks_root() -> Path:
    """$DIGITIZE_EVALBOOKS, else `../shared/evalbooks` beside the checkout."""
    return Path(os.environ.get("DIGITIZE_EVALBOOKS", DEFAULT_ROOT))


def evalbooks(root: Path | None = None) -> list[tuple[Path, Path]]:
    """(pdf, truth.json) of every evaluation book; [] when the folder is absent."""
    base = root or evalbooks_root()
    if not base.is_dir():
        return []
    return [
        (pdf, pdf.with_suffix(".truth.json"))
        for pdf in sorted(base.glob("*.pdf"))
        if pdf.with_suffix(".truth.json").is_file()
    ]


def _page_truth(page: dict[str, Any]) -> str:
    """Everything printed on the page: every block's text (running head and number too)."""
    parts = [str(b.get("text") or "") for b in page.get("blocks", [])]
    for k in ("running_header", "page_number_text"):
        if page.get(k) and not any(b.get("type") == k for b in page.get("blocks", [])):
            parts.append(str(page[k]))
    return "\n".join(parts)


def page_text(page: Page) -> str:
    """A page's words a line at a time (as Tesseract prints them), so that a word hyphenated
    at a line end is joined for the recall like the baseline's."""
    return "\n".join(" ".join(w.text for w in line.words) for b in page.blocks for line in b.lines)


def _render(pdf: Path, index: int, dpi: int, out: Path) -> Path:
    import pymupdf

    with pymupdf.open(pdf) as doc:
        pix = doc[index].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        pix.save(out)
    return out


def evaluate_evalbook(
    pdf: Path,
    truth_file: Path,
    pipeline: Pipeline,
    out_root: Path,
    jobs: int,
    cache: Any | None,
) -> dict[str, dict[str, Any]]:
    """{page id: {"ours": recall, "tesseract": recall}} for one evaluation book. Ours counts the
    words of our page (OCR after preprocessing and layout, furniture included, as the truth);
    plain Tesseract reads the PDF page rendered at the book's dpi."""
    from digitize.engine.run import convert
    from digitize.engine.run_options import RunOptions

    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    lang = _LANGS.get(str(truth.get("lang")), "vie+eng")
    result = convert(pdf, out_root / pdf.stem, pipeline, RunOptions(jobs=jobs, lang=lang))
    rows: dict[str, dict[str, Any]] = {}
    digest = file_sha256(pdf)
    with tempfile.TemporaryDirectory() as tmp:
        for i, tp in enumerate(truth["pages"]):
            ref = _page_truth(tp)
            ours = page_text(result.book.pages[i])
            dpi = int(tp.get("dpi") or 300)

            def plain(i: int = i, dpi: int = dpi) -> str:
                return tesseract_text(_render(pdf, i, dpi, Path(tmp) / f"{i}.png"), lang, dpi)

            text = cache.text([lang, str(dpi), digest, str(i)], plain) if cache else plain()
            rows[f"{pdf.stem}/p{i + 1}"] = {
                "ours": word_recall(ref, ours),
                "tesseract": word_recall(ref, text),
                "lost_lines": lost_lines(ref, ours, text),
            }
    return rows


def recall_rows(res: Any) -> list[tuple[str, float, float, int]]:
    """(page id, ours, plain Tesseract, lines lost) of every page scored against Tesseract:
    word recall of the real scans and the evaluation books, and how many lines plain
    Tesseract reads that we lose (`metrics.lost_lines`)."""
    rows = [
        (
            pid,
            r["ours"]["word_recall"],
            r["tesseract"]["word_recall"],
            len(r.get("lost_lines", ())),
        )
        for pid, r in res.real.items()
        if "tesseract" in r and "word_recall" in r["ours"]
    ]
    rows += [
        (pid, r["ours"], r["tesseract"], len(r.get("lost_lines", ())))
        for pid, r in res.evalbook_pages.items()
    ]
    return rows
