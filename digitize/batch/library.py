"""The batch overview `LIBRARY/index.html`, built from the ledger and each book's report.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from digitize.batch.ledger import Ledger
from digitize.batch.library_index import write_library_index


def library_books(library: Path, ledger: Ledger) -> list[dict[str, Any]]:
    """One dict per book the ledger knows (see `digitize.batch.library_index` for the keys)."""
    books = []
    for row in sorted(ledger.books(), key=lambda r: str(r["path"])):
        out_dir = library / str(row["stem"])
        status = str(row["status"])
        if status == "done" and (row.get("pages_failed") or 0) > 0:
            status = "partial"
        entry: dict[str, Any] = {
            "name": Path(str(row["path"])).name,
            "status": status,
            "pages": row.get("pages_total"),
            "reason": row.get("reason"),
            "outputs": [],
            "report": None,
        }
        reports = sorted(out_dir.glob("*.report.json")) if out_dir.is_dir() else []
        if reports:
            try:
                report = json.loads(reports[0].read_text(encoding="utf-8"))
            except (OSError, ValueError):
                report = {}
            entry["mean_conf"] = report.get("mean_conf")
            entry["flagged"] = report.get("flagged_pages")
            entry["pages"] = report.get("pages_total", entry["pages"])
            names = [n for n in report.get("outputs", []) if (out_dir / n).exists()]
            entry["outputs"] = [
                f"{out_dir.name}/{n}" for n in names if not n.endswith(".report.html")
            ]
            html = [n for n in names if n.endswith(".report.html")]
            entry["report"] = f"{out_dir.name}/{html[0]}" if html else None
        books.append(entry)
    return books


def write_index(library: Path, ledger: Ledger) -> Path:
    return write_library_index(library, library_books(library, ledger))
