"""Rich tables for `digitize eval`: ours vs plain Tesseract, per book, level and collection."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from digitize.lab.evaluation.run import COLUMNS, EvalResult


def _fmt(v: float | None, key: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if key in ("cer", "wer", "diacritic_error_rate", "header_leak_rate"):
        return f"{100 * v:.2f}%"
    if key == "hyphen_leak_per_1000w":
        return f"{v:.2f}"
    return f"{v:.3f}"


def _cell(
    ours: dict[str, float], tess: dict[str, float] | None, key: str, better_high: bool
) -> str:
    a = _fmt(ours.get(key), key)
    if not tess:
        return a
    b = _fmt(tess.get(key), key)
    if b == "–":
        return a
    ov, tv = ours.get(key), tess.get(key)
    style = ""
    if ov is not None and tv is not None and not (math.isnan(ov) or math.isnan(tv)):
        better = ov > tv if better_high else ov < tv
        worse = ov < tv if better_high else ov > tv
        style = "green" if better else "red" if worse else ""
    return f"[{style}]{a}[/] / {b}" if style else f"{a} / {b}"


def synthetic_table(res: EvalResult, group: str | None = None) -> Table:
    """One row per book (or per level/lang with `group`); cells read "ours / tesseract"."""
    title = "Synthetic corpus: ours / plain Tesseract" + (f" (mean by {group})" if group else "")
    table = Table(title=title, title_justify="left")
    table.add_column(group or "book")
    for _, head, _ in COLUMNS:
        table.add_column(head, justify="right")
    table.add_column("s/page", justify="right")
    rows: dict[str, dict[str, Any]] = res.by(group) if group else res.books
    for name, row in rows.items():
        table.add_row(
            name,
            *(_cell(row["ours"], row.get("tesseract"), k, hi) for k, _, hi in COLUMNS),
            f"{row['seconds_per_page']:.2f}",
        )
    return table


def real_table(res: EvalResult, label: str | None = None) -> Table:
    """Per collection; with `label` (a compared pipeline's name) its CER and WER too."""
    table = Table(
        title="Real scans (../shared/realscans): mean per collection", title_justify="left"
    )
    rows = res.real_by_collection()
    both = label is not None and any("cer_compare" in r for r in rows.values())
    cols = ["collection", "pages", "CER ours"] + ([f"CER {label}"] if both else [])
    cols += ["CER tesseract", "WER ours"] + ([f"WER {label}"] if both else []) + ["WER tesseract"]
    cols += ["word recall ours", "word recall tesseract"]
    for col in cols:
        table.add_column(col, justify="left" if col == "collection" else "right")
    for name, row in rows.items():
        cer_c = [_fmt(row.get("cer_compare"), "cer")] if both else []
        wer_c = [_fmt(row.get("wer_compare"), "wer")] if both else []
        table.add_row(
            name,
            str(row["pages"]),
            _fmt(row["cer_ours"], "cer"),
            *cer_c,
            _fmt(row["cer_tesseract"], "cer"),
            _fmt(row["wer_ours"], "wer"),
            *wer_c,
            _fmt(row["wer_tesseract"], "wer"),
            _fmt(row.get("recall_ours"), "recall"),
            _fmt(row.get("recall_tesseract"), "recall"),
        )
    return table


_COMPARED = (("cer", "CER"), ("wer", "WER"), ("diacritic_error_rate", "diacr.ER"))


def compare_table(res: EvalResult, label: str, group: str = "level") -> Table:
    """Ours / the compared pipeline (`label`) / plain Tesseract, per level (or lang), for the
    text metrics the comparison is about; plus seconds per page of both pipelines.
    """
    table = Table(
        title=f"Synthetic corpus: ours / {label} / plain Tesseract (mean by {group})",
        title_justify="left",
    )
    table.add_column(group)
    for _, head in _COMPARED:
        table.add_column(head, justify="right")
    table.add_column("s/page", justify="right")
    for name, row in res.by(group).items():
        cmp_, tess = row.get("compare") or {}, row.get("tesseract") or {}
        cells = [
            " / ".join(_fmt(d.get(k), k) for d in (row["ours"], cmp_, tess)) for k, _ in _COMPARED
        ]
        secs = (
            f"{row['seconds_per_page']:.2f} / {row.get('compare_seconds_per_page', math.nan):.2f}"
        )
        table.add_row(name, *cells, secs)
    return table


def recall_table(res: EvalResult) -> Table:
    """Word recall per page, ours vs plain Tesseract on the same page (real scans and the
    evaluation books): a summary row, then every page where Tesseract reads words we lose, with
    the lines it reads that we lose (none: the shortfall is misread letters, not lost text)."""
    from digitize.lab.evaluation.recall import recall_rows

    rows = recall_rows(res)
    worse = [r for r in rows if r[1] < r[2] - 1e-9 or r[3]]
    below = sum(1 for r in rows if r[1] < r[2] - 1e-9)
    lost = sum(r[3] for r in rows)
    table = Table(
        title=f"Word recall per page, ours / plain Tesseract: {len(rows) - below} of "
        f"{len(rows)} pages at or above Tesseract; {lost} line(s) Tesseract reads that we lose",
        title_justify="left",
    )
    for col in ("page", "ours", "tesseract", "Δ", "lines lost"):
        table.add_column(col, justify="left" if col == "page" else "right")
    for pid, ours, tess, n in sorted(worse, key=lambda r: (-r[3], r[1] - r[2])):
        shown = f"[red]{ours:.3f}[/]" if ours < tess - 1e-9 else f"{ours:.3f}"
        table.add_row(
            pid, shown, f"{tess:.3f}", f"{ours - tess:+.3f}", f"[red]{n}[/]" if n else "0"
        )
    if rows:
        mean_o = sum(r[1] for r in rows) / len(rows)
        mean_t = sum(r[2] for r in rows) / len(rows)
        table.add_row(
            "mean, all pages",
            f"{mean_o:.3f}",
            f"{mean_t:.3f}",
            f"{mean_o - mean_t:+.3f}",
            str(lost),
        )
    return table
