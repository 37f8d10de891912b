"""Books someone else made (`../shared/evalbooks`): each converted to EPUB with our pipeline and
scored by the `score.py` published beside them, the yardstick `digitize.synth` cannot be.

The scorer is run as a subprocess of this interpreter (it is not ours to import or copy); the
folder is optional: without it `evalbook_pdfs` returns [] and `digitize eval` prints a notice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table

from digitize import pipeline as pipelines
from digitize.engine.run import convert
from digitize.engine.run_options import RunOptions
from digitize.pipeline import Pipeline

# The checkout's sibling `shared/` (as laid out for developers and CI); not part of the project.
DEFAULT_ROOT = Path(__file__).resolve().parents[4] / "shared" / "evalbooks"

# (score.py key, header, format): the columns the evalbooks' own table prints.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cer", "CER", "{:.2%}"),
    ("diacritic_cer", "diacr", "{:.2%}"),
    ("header_footer_leak", "leak", "{:.1%}"),
    ("hyphen_leak_per_1000w", "hyph/1kw", "{:.2f}"),
    ("paragraph_f1", "para F1", "{:.3f}"),
    ("heading_precision", "head P", "{:.2f}"),
    ("heading_recall", "head R", "{:.2f}"),
    ("reading_order", "order", "{:.3f}"),
    ("caption_recall", "capt R", "{:.2f}"),
    ("footnote_recall", "notes R", "{:.2f}"),
    ("table_row_recall", "rows R", "{:.2f}"),
)


def evalbooks_root(root: Path | str | None = None) -> Path:
    """`root`, else $DIGITIZE_EVALBOOKS, else `../shared/evalbooks` beside the checkout."""
    if root is not None:
        return Path(root)
    return Path(os.environ.get("DIGITIZE_EVALBOOKS", DEFAULT_ROOT))


def evalbook_pdfs(root: Path | str | None = None) -> list[Path]:
    """Every book PDF with a truth file and a scorer beside it, sorted; [] when absent."""
    base = evalbooks_root(root)
    if not (base / "score.py").is_file():
        return []
    return [p for p in sorted(base.glob("*.pdf")) if p.with_suffix(".truth.json").is_file()]


def score_output(pdf: Path, output: Path) -> dict[str, Any]:
    """The book's own scorer on `output` (EPUB/HTML/MD/TXT): its JSON object of metrics."""
    scorer = pdf.parent / "score.py"
    truth = pdf.with_suffix(".truth.json")
    r = subprocess.run(
        [sys.executable, str(scorer), str(truth), str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode:
        return {"error": (r.stderr or r.stdout).strip()[-200:]}
    result: dict[str, Any] = json.loads(r.stdout)
    return result


def run_evalbooks(
    pipeline: Pipeline,
    work: Path,
    jobs: int = 2,
    root: Path | str | None = None,
    on_item: Callable[[str], None] = lambda name: None,
) -> dict[str, dict[str, Any]]:
    """Convert every evalbook to EPUB with `pipeline` (its lang) and score it: name → metrics."""
    pipe = pipelines.with_exporters(pipeline, ["epub"])
    rows: dict[str, dict[str, Any]] = {}
    for pdf in evalbook_pdfs(root):
        on_item(pdf.stem)
        res = convert(pdf, work / "evalbooks" / pdf.stem, pipe, RunOptions(jobs=jobs))
        epubs = [p for p in res.outputs if p.suffix == ".epub"]
        rows[pdf.stem] = score_output(pdf, epubs[0]) if epubs else {"error": "no EPUB written"}
    return rows


def evalbooks_table(rows: dict[str, dict[str, Any]]) -> Table:
    """One row per evalbook with the scorer's figures (– where it has none)."""
    table = Table(title="Evalbooks (../shared/evalbooks, score.py)", title_justify="left")
    table.add_column("book")
    for _, head, _ in COLUMNS:
        table.add_column(head, justify="right")
    for name, m in rows.items():
        if "error" in m:
            table.add_row(name, f"[red]{m['error']}[/]", *([""] * (len(COLUMNS) - 1)))
            continue
        table.add_row(name, *("–" if m.get(k) is None else f.format(m[k]) for k, _, f in COLUMNS))
    return table
