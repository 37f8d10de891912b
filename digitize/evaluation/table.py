"""Rich tables for `digitize eval`: ours vs plain Tesseract, per book, level and collection."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from digitize.evaluation.run import COLUMNS, EvalResult


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


def real_table(res: EvalResult) -> Table:
    table = Table(
        title="Real scans (../shared/realscans): mean per collection", title_justify="left"
    )
    for col in ("collection", "pages", "CER ours", "CER tesseract", "WER ours", "WER tesseract"):
        table.add_column(col, justify="left" if col == "collection" else "right")
    for name, row in res.real_by_collection().items():
        table.add_row(
            name,
            str(row["pages"]),
            _fmt(row["cer_ours"], "cer"),
            _fmt(row["cer_tesseract"], "cer"),
            _fmt(row["wer_ours"], "wer"),
            _fmt(row["wer_tesseract"], "wer"),
        )
    return table
