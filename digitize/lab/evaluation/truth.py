"""Reading `digitize.truth` files written by the synthetic generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FURNITURE = ("header", "footer", "page_number")


def load_truth(path: Path | str) -> dict[str, Any]:
    """Load `truth.json` (or the directory holding it) and check its schema."""
    p = Path(path)
    if p.is_dir():
        p = p / "truth.json"
    data = json.loads(p.read_text(encoding="utf-8"))
    if data.get("schema") != "digitize.truth" or data.get("version") != 1:
        raise ValueError(f"{p}: not a digitize.truth version 1 file")
    return data


def page_text(page: dict[str, Any], furniture: bool = True) -> str:
    """What a plain OCR of one page should read, line by line, top furniture first.

    Lines keep their printed form (hyphenated line ends stay split): this is the truth for
    OCR-only comparisons, not the reading text (use truth.txt for that).
    """
    blocks = page.get("blocks", [])
    body = [b for b in blocks if b["kind"] not in FURNITURE and b.get("text")]
    top = min((b["bbox"][1] for b in body), default=0)
    fur = [b for b in blocks if b["kind"] in FURNITURE] if furniture else []
    order = [b for b in fur if b["bbox"][1] < top] + body + [b for b in fur if b["bbox"][1] >= top]
    return "\n".join(b["text"] for b in order if b.get("text"))


def tesseract_lang(lang: str) -> str:
    """Truth language ("vi", "en", "vi+en") to Tesseract's ("vie", "eng", "vie+eng")."""
    return "+".join({"vi": "vie", "en": "eng"}.get(x, x) for x in lang.split("+"))
