"""The run report (`<book>.report.json`): the facts an archivist and a cron job need."""

from __future__ import annotations

import platform
from typing import Any

import digitize
from digitize.model import Book, Figure, Step
from digitize.report.structure import structure_doubts

REPORT_SCHEMA = "digitize.report"
REPORT_VERSION = 1
LOW_CONF = 0.75  # pages below this mean word confidence are flagged for review
FEW_WORDS = 5  # scanned pages with fewer words are flagged (blank, or OCR saw nothing)


# Page warnings that mean the source itself is damaged (written by ingest.pdf): the page may be
# partial even when its text looks fine, so it goes on the review list.
DAMAGE_PREFIXES = ("the PDF was damaged", "MuPDF:")
# Written by ocr.tesseract when the page's text is far outside the size Tesseract reads well.
TEXT_SIZE_PREFIX = "text size:"
# Written by ocr.tesseract when its vie and eng models read many words with other letters.
DISAGREE_PREFIX = "readings disagree:"


def page_flags(
    page_conf: float | None,
    words: int,
    failed: str | None,
    source: str,
    damaged: bool = False,
    gaps: int = 0,
    text_size: bool = False,
    structure: bool = False,
    disagree: bool = False,
) -> list[str]:
    """Why a page should be checked by hand, worst first. `gaps` counts lines of text-like ink
    OCR did not read (`Page.gaps`): text the book may be missing. `disagree`: the OCR models
    read many words with other letters (sure or not, one reading is wrong)."""
    flags = []
    if failed:
        flags.append("failed")
    if damaged and not failed:
        flags.append("damaged")
    if gaps and not failed:
        flags.append("unread_text")
    if page_conf is not None and page_conf < LOW_CONF:
        flags.append("low_confidence")
    if words < FEW_WORDS and source == "scan" and not failed:
        flags.append("few_words")
    if disagree and not failed:
        flags.append("readings_disagree")
    if text_size and not failed:
        flags.append("text_size")
    if structure and not failed:
        flags.append("structure")
    return flags


def severity(flags: list[str]) -> int:
    """Sort key of a flagged page, worst first: failed, then lost text (unread lines), then the
    rest (by confidence, after this)."""
    if "failed" in flags:
        return 0
    if "unread_text" in flags:
        return 1
    return 2


def step_label(step: Step) -> str:
    """A page's step as the report shows it: `name@version`, its CPU seconds on the page when
    known, and what it decided ("preprocess.denoise@4 0.003 s: skipped: speckle ...")."""
    label = f"{step.name}@{step.version}"
    if step.cpu_seconds:
        label += f" {step.cpu_seconds:.3f} s"
    return f"{label}: {step.note}" if step.note else label


def build_report(
    book: Book,
    *,
    source: str,
    pipeline: dict[str, Any],
    stage_seconds: dict[str, float],
    wall_seconds: float,
    cached_pages: int,
    outputs: list[str],
    warnings: list[str],
    stage_cpu: dict[str, float] | None = None,
) -> dict[str, Any]:
    pages: list[dict[str, Any]] = []
    doubts = structure_doubts(book)
    all_words = 0
    confs: list[tuple[float, int]] = []
    for p in book.pages:
        words = [w for w in p.words if w.text.strip()]
        all_words += len(words)
        conf = p.mean_conf
        if conf is not None and p.source == "scan":
            confs.append((conf, p.index))
        pages.append(
            {
                "index": p.index,
                "label": p.label,
                "source": p.source,
                "image": p.image,
                "size": list(p.size),
                "dpi": p.dpi,
                "words": len(words),
                "formulas": sum(1 for b in p.blocks if b.kind == "formula"),
                "mean_conf": None if conf is None else round(conf, 4),
                "skew": p.skew,
                "rotation": p.rotation,
                "failed": p.failed,
                "warnings": list(p.warnings),
                "flags": page_flags(
                    conf,
                    len(words),
                    p.failed,
                    p.source,
                    any(w.startswith(DAMAGE_PREFIXES) for w in p.warnings),
                    len(p.gaps),
                    any(w.startswith(TEXT_SIZE_PREFIX) for w in p.warnings),
                    bool(doubts.get(p.index)),
                    any(w.startswith(DISAGREE_PREFIX) for w in p.warnings),
                ),
                "structure": doubts.get(p.index, []),
                "gaps": [[round(v) for v in (g.x0, g.y0, g.x1, g.y1)] for g in p.gaps],
                "steps": [step_label(s) for s in p.steps],
            }
        )
    mean_conf = (
        sum(
            p.mean_conf * len(p.words)
            for p in book.pages
            if p.mean_conf is not None and p.source == "scan"
        )
        / max(
            1,
            sum(len(p.words) for p in book.pages if p.mean_conf is not None and p.source == "scan"),
        )
        if confs
        else None
    )
    lowest = min(confs) if confs else None
    flagged = sorted(
        (pg for pg in pages if pg["flags"]),
        key=lambda pg: (
            severity(pg["flags"]),
            pg["mean_conf"] if pg["mean_conf"] is not None else 0,
        ),
    )
    return {
        "schema": REPORT_SCHEMA,
        "version": REPORT_VERSION,
        "digitize": digitize.__version__,
        "python": platform.python_version(),
        "source": source,
        "title": book.meta.title,
        "lang": book.meta.lang,
        "pipeline": pipeline,
        "pages_total": len(book.pages),
        "pages_failed": sum(1 for p in book.pages if p.failed),
        "pages_cached": cached_pages,
        "words": all_words,
        # display formulas kept as pictures (their recognised text as alt)
        "formulas": sum(1 for it in book.flow if isinstance(it, Figure) and it.role == "formula"),
        "mean_conf": None if mean_conf is None else round(mean_conf, 4),
        "lowest_conf": None if lowest is None else {"page": lowest[1], "conf": round(lowest[0], 4)},
        "flagged_pages": [pg["index"] for pg in flagged],
        "seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
        # CPU seconds per stage (this process, its workers and the tools they waited for):
        # what each stage costs whatever else the machine is doing
        "cpu_seconds": {k: round(v, 3) for k, v in (stage_cpu or {}).items()},
        "wall_seconds": round(wall_seconds, 3),
        "seconds_per_page": round(wall_seconds / max(1, len(book.pages)), 3),
        "outputs": outputs,
        "warnings": warnings,
        "pages": pages,
    }


def page_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → "1-3, 5" (1-based page numbers, for messages)."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def ingest_warnings(book: Book, name: str) -> list[str]:
    """What ingest found wrong (a repaired PDF, a damaged page, an unreadable frame), one line
    per distinct message naming its pages: a damaged input is never converted silently."""
    pages: dict[str, list[int]] = {}
    for p in book.pages:
        for w in p.warnings:
            pages.setdefault(w, []).append(p.index + 1)
    lines = [
        f"{name}: page{'s' if len(ns) > 1 else ''} {page_ranges(ns)}: {w}"
        for w, ns in pages.items()
    ]
    lines += [f"{p.failed} (page skipped)" for p in book.pages if p.failed]
    return lines
