"""Book metadata from sidecar files (`book.toml`, `<name>.book.json`, `--meta`) and the CLI."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any

from digitize import model
from digitize.errors import BadInput
from digitize.language import majority
from digitize.model import Book, BookMeta
from digitize.text import bcp47

#: the keys a book.toml (or --meta file) may set: every BookMeta field but `file`, which the
#: engine sets from the input's name
BOOK_TOML_KEYS = tuple(f.name for f in dataclasses.fields(BookMeta) if f.name != "file")


def load_meta(src: Path, meta_file: Path | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """Book metadata from a sidecar (`book.toml`/`book.json` or `<name>.toml/.json` beside the
    input, or `--meta FILE`) and then command-line overrides."""
    candidates = [meta_file] if meta_file else []
    base = src if src.is_dir() else src.parent
    stem = src.name if src.is_dir() else src.stem
    candidates += [
        base / f"{stem}.book.toml",
        base / f"{stem}.book.json",
        src / "book.toml" if src.is_dir() else base / "book.toml",
        src / "book.json" if src.is_dir() else base / "book.json",
    ]
    data: dict[str, Any] = {}
    where = "book metadata"
    for c in candidates:
        if c and c.is_file():
            try:
                raw = c.read_text(encoding="utf-8")
                data = tomllib.loads(raw) if c.suffix == ".toml" else json.loads(raw)
            except (OSError, ValueError) as e:
                raise BadInput(f"{c}: cannot read book metadata: {e}") from e
            if isinstance(data, dict) and isinstance(data.get("book"), dict):
                data = data["book"]
            if not isinstance(data, dict):
                raise BadInput(f"{c}: book metadata must be a table of fields")
            where = f"{c}: book metadata"
            break
        if c is meta_file and c is not None:
            raise BadInput(f"{c}: metadata file not found")
    data.update({k: v for k, v in overrides.items() if v})
    valid = set(BOOK_TOML_KEYS)
    unknown = set(data) - valid
    if unknown:
        raise BadInput(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; valid: {', '.join(sorted(valid))}"
        )
    return {k: _meta_value(k, v, where) for k, v in data.items()}


def _meta_value(key: str, value: Any, where: str) -> Any:
    """Text for every field, a tuple of names for `authors`; anything else is BadInput (a
    hand-written book.toml must not crash an exporter)."""

    def scalar(v: Any) -> bool:
        return (isinstance(v, str | int | float) and not isinstance(v, bool)) or hasattr(
            v, "isoformat"
        )

    if key == "authors":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(scalar(a) for a in items):
            raise BadInput(f"{where}: 'authors' must be a name or a list of names")
        return tuple(model.nfc(str(a)) for a in items)
    if not scalar(value):
        raise BadInput(f"{where}: '{key}' must be text, not {type(value).__name__}")
    return model.nfc(str(value))


def lang_code(tess_lang: str) -> str:
    """The ISO code of the first of Tesseract's languages (`vie+eng` -> `vi`)."""
    return bcp47(tess_lang) or tess_lang.split("+")[0][:2]


def book_lang(book: Book, tess_lang: str) -> str:
    """The book's language, decided once for every output from its recognised text.

    One Tesseract language is that language; several (`vie+eng`) are told apart by the words
    of the pages' body text (not running heads): the language most of its words are in, by
    `language.majority`. Called by the engine after OCR, before the book stages (which tag the
    passages in the other language), unless the user gave `lang` in book.toml or `--meta`."""
    codes = tuple(
        dict.fromkeys(lang_code(t) for t in tess_lang.split("+") if t.strip() not in ("", "osd"))
    )
    texts = (b.text for p in book.pages for b in p.blocks if b.kind not in model.FURNITURE_KINDS)
    return majority(texts, codes or (lang_code(tess_lang),))
