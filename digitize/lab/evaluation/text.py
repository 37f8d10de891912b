"""Plain reading text from a flow, and the normalisation every text metric applies."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_WS = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFC and every whitespace run folded to one space: layout whitespace is not content."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def flow_to_text(flow: list[dict[str, Any]]) -> str:
    """The ideal reading text of a flow: one block per line group, blank line between blocks.

    Headings, paragraphs, captions, list items (with their printed markers when known), table
    captions and rows (cells space-joined) and footnotes ("mark text"); page breaks, running
    heads and page numbers are not reading text.
    """
    out: list[str] = []
    for item in flow:
        kind = item.get("kind")
        if kind in ("heading", "paragraph"):
            out.append(item.get("text", ""))
        elif kind == "figure":
            if item.get("caption"):
                out.append(item["caption"])
        elif kind == "list":
            markers = item.get("markers") or [""] * len(item.get("items", []))
            out.append(
                "\n".join(f"{m} {t}".strip() for m, t in zip(markers, item["items"], strict=False))
            )
        elif kind == "table":
            rows = "\n".join(" ".join(r) for r in item.get("rows", []))
            out.append(f"{item['caption']}\n{rows}" if item.get("caption") else rows)
        elif kind == "footnote":
            out.append(f"{item.get('mark', '')} {item.get('text', '')}".strip())
        elif kind == "aside":
            out.append(f"{item.get('title', '')}\n{item.get('text', '')}".strip())
    return "\n\n".join(t for t in out if t.strip()) + "\n"
