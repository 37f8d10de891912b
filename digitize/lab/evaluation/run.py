"""`digitize eval`: convert a corpus with a pipeline, score it against its truth, and score plain
Tesseract on the same page images, so every figure reads as "ours vs plain Tesseract".

With a second pipeline (`compare`, e.g. the same one without its preprocess stages) every book
and real page is also converted with it, so each figure can be read with and without a step.

Synthetic books come from `digitize.lab.synth` (generated once into the corpus dir, deterministic by
seed); real scans from `../shared/realscans` when present. Our pipeline runs without the page cache
so seconds per page are honest; the baseline's text is cached by image hash (it never changes).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from digitize.bookjson import to_jsonable
from digitize.engine.run import convert
from digitize.engine.run_options import RunOptions
from digitize.fileio import file_sha256
from digitize.lab.evaluation.baseline import baseline_book, tesseract_text
from digitize.lab.evaluation.metrics import (
    cer,
    diacritic_error_rate,
    fold_tone_placement,
    lost_lines,
    mean_scores,
    score_book,
    wer,
    word_recall,
)
from digitize.lab.evaluation.realscans import RealPage, realscan_pages
from digitize.lab.evaluation.text import normalize
from digitize.lab.evaluation.truth import load_truth, tesseract_lang
from digitize.model import Book
from digitize.pipeline import Pipeline

# Metrics shown in the table, in order: (key, short header, higher is better).
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("cer", "CER", False),
    ("wer", "WER", False),
    ("diacritic_error_rate", "diacr.ER", False),
    ("header_leak_rate", "head leak", False),
    ("hyphen_leak_per_1000w", "hyph/1kw", False),
    ("paragraph_f1", "para F1", True),
    ("heading_precision", "head P", True),
    ("heading_recall", "head R", True),
    ("reading_order", "order", True),
    ("reading_order_columns", "order 2-col", True),
    ("caption_recall", "capt R", True),
    ("table_row_recall", "rows R", True),
    ("aside_recall", "aside R", True),
    ("list_recall", "lists R", True),
    ("formula_recall", "formula R", True),
)


def flow_dicts(book: Book) -> list[dict[str, Any]]:
    """The book's flow in the truth file's shape: {"kind": ..., fields...}."""
    out = []
    for item in book.flow:
        d = to_jsonable(item)
        d.pop("t", None)
        d["kind"] = item.kind
        out.append(d)
    return out


@dataclass
class EvalResult:
    books: dict[str, dict[str, Any]] = field(default_factory=dict)
    real: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ../shared/evalbooks, per page: {"ours": word recall, "tesseract": plain Tesseract's,
    # "lost_lines": the lines plain Tesseract reads that we lose}
    evalbook_pages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "books": self.books,
            "evalbook_pages": self.evalbook_pages,
            "by_level": self.by("level"),
            "by_lang": self.by("lang"),
            "real": self.real,
            "real_by_collection": self.real_by_collection(),
        }

    def by(self, key: str) -> dict[str, dict[str, dict[str, float]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.books.values():
            groups.setdefault(row[key], []).append(row)
        out: dict[str, dict[str, Any]] = {}
        for g, rows in sorted(groups.items()):
            out[g] = {
                "ours": mean_scores([r["ours"] for r in rows]),
                "tesseract": mean_scores([r["tesseract"] for r in rows if r.get("tesseract")]),
                "seconds_per_page": _mean([r["seconds_per_page"] for r in rows]),
            }
            if any("compare" in r for r in rows):
                out[g]["compare"] = mean_scores([r["compare"] for r in rows if "compare" in r])
                out[g]["compare_seconds_per_page"] = _mean(
                    [r["compare_seconds_per_page"] for r in rows if "compare" in r]
                )
        return out

    def real_by_collection(self) -> dict[str, dict[str, float]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.real.values():
            groups.setdefault(row["collection"], []).append(row)
        out: dict[str, dict[str, float]] = {}
        for c, rows in sorted(groups.items()):
            out[c] = {
                "pages": len(rows),
                "cer_ours": _mean([r["ours"]["cer"] for r in rows]),
                "cer_tesseract": _mean([r["tesseract"]["cer"] for r in rows if r.get("tesseract")]),
                "wer_ours": _mean([r["ours"]["wer"] for r in rows]),
                "wer_tesseract": _mean([r["tesseract"]["wer"] for r in rows if r.get("tesseract")]),
                "recall_ours": _mean([r["ours"].get("word_recall", math.nan) for r in rows]),
                "recall_tesseract": _mean(
                    [
                        r["tesseract"].get("word_recall", math.nan)
                        for r in rows
                        if r.get("tesseract")
                    ]
                ),
            }
            if any("compare" in r for r in rows):
                out[c]["cer_compare"] = _mean([r["compare"]["cer"] for r in rows if "compare" in r])
                out[c]["wer_compare"] = _mean([r["compare"]["wer"] for r in rows if "compare" in r])
        return out


def without_preprocess(pipeline: Pipeline) -> Pipeline:
    """The same pipeline minus its preprocess stages: what preprocessing is measured against."""
    kept = tuple(s for s in pipeline.stages if s.kind != "preprocess")
    return replace(pipeline, name=f"{pipeline.name}-nopre", stages=kept)


def _mean(xs: list[float]) -> float:
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return sum(xs) / len(xs) if xs else math.nan


class BaselineCache:
    """Plain-Tesseract text per (image bytes, lang, dpi): the baseline never changes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def text(self, key_parts: list[str], compute: Callable[[], str]) -> str:
        key = hashlib.sha256("\x1f".join(key_parts).encode()).hexdigest()[:32]
        f = self.root / f"{key}.txt"
        if f.is_file():
            return f.read_text(encoding="utf-8")
        text = compute()
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
        return text


def evaluate_book(
    book_dir: Path,
    pipeline: Pipeline,
    out_root: Path,
    jobs: int,
    baseline: BaselineCache | None,
) -> dict[str, Any]:
    truth = load_truth(book_dir)
    lang = tesseract_lang(truth["lang"])
    t0 = time.perf_counter()
    result = convert(
        book_dir / "book.pdf", out_root / book_dir.name, pipeline, RunOptions(jobs=jobs, lang=lang)
    )
    seconds = time.perf_counter() - t0
    row: dict[str, Any] = {
        "lang": truth["lang"],
        "level": truth["level"],
        "pages": len(truth["pages"]),
        "seconds_per_page": seconds / max(1, len(truth["pages"])),
        "ours": score_book(truth, flow_dicts(result.book), ""),
    }
    if baseline is not None:
        images = sorted({p["image"] for p in truth["pages"]})
        parts = [lang, *(file_sha256(book_dir / im) for im in images)]
        text = baseline.text(parts, lambda: baseline_book(book_dir, jobs, lang))
        row["tesseract"] = score_book(truth, [], text)
    return row


def evaluate_real(
    page: RealPage,
    pipeline: Pipeline,
    out_root: Path,
    jobs: int,
    baseline: BaselineCache | None,
) -> dict[str, Any]:
    ref = page.truth_text()
    fold = fold_tone_placement if page.lang == "vie" else (lambda s: s)
    result = convert(
        page.image,
        out_root / "real" / page.id.replace("/", "_"),
        pipeline,
        RunOptions(jobs=jobs, lang=page.lang, dpi=page.dpi),
    )
    from digitize.lab.evaluation.recall import page_text
    from digitize.lab.evaluation.text import flow_to_text

    ours = flow_to_text(flow_dicts(result.book))
    # Recall counts every word on our page, running head and page number too: the truth and
    # plain Tesseract have them, and the flow leaves them out on purpose (not a lost line).
    ours_words = "\n".join(page_text(p) for p in result.book.pages)

    def scores(hyp: str, words: str) -> dict[str, float]:
        r, h = fold(normalize(ref)), fold(normalize(hyp))
        out = {"cer": cer(r, h), "wer": wer(r, h), "word_recall": word_recall(ref, words)}
        if page.lang == "vie":
            out["diacritic_error_rate"] = diacritic_error_rate(r, h)
        return out

    row: dict[str, Any] = {
        "collection": page.collection,
        "lang": page.lang,
        "ours": scores(ours, ours_words),
    }
    if baseline is not None:
        text = baseline.text(
            [page.lang, str(page.dpi), file_sha256(page.image)],
            lambda: tesseract_text(page.image, page.lang, page.dpi),
        )
        row["tesseract"] = scores(text, text)
        row["lost_lines"] = lost_lines(ref, ours_words, text)
    return row


def run_eval(
    corpus: Path,
    pipeline: Pipeline,
    work: Path,
    jobs: int = 2,
    real: bool = True,
    baseline: bool = True,
    on_item: Callable[[str], None] = lambda name: None,
    compare: Pipeline | None = None,
) -> EvalResult:
    """Score every synthetic book under `corpus` and (when present) the real scans; with
    `compare`, score that pipeline too (its rows carry "compare" scores).
    """
    base = BaselineCache(work / "baseline") if baseline else None
    res = EvalResult()
    for book_dir in sorted(p.parent for p in corpus.glob("*/truth.json")):
        on_item(book_dir.name)
        row = evaluate_book(book_dir, pipeline, work / "out", jobs, base)
        if compare is not None:
            other = evaluate_book(book_dir, compare, work / "out-compare", jobs, None)
            row["compare"] = other["ours"]
            row["compare_seconds_per_page"] = other["seconds_per_page"]
        res.books[book_dir.name] = row
    if real:
        for page in realscan_pages():
            on_item(page.id)
            row = evaluate_real(page, pipeline, work / "out", jobs, base)
            if compare is not None:
                row["compare"] = evaluate_real(page, compare, work / "out-compare", jobs, None)[
                    "ours"
                ]
            res.real[page.id] = row
        if base is not None:
            from digitize.lab.evaluation.recall import evalbooks, evaluate_evalbook

            for pdf, truth in evalbooks():
                on_item(f"evalbooks/{pdf.stem}")
                res.evalbook_pages.update(
                    evaluate_evalbook(pdf, truth, pipeline, work / "out-evalbooks", jobs, base)
                )
    (work / "results.json").write_text(json.dumps(res.to_json(), indent=1, default=str))
    return res
