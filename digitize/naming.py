"""Safe output names: file names from the input must never escape the output directory."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]')


def safe_stem(name: str, max_len: int = 100) -> str:
    """A file-name stem from `name`: no directories, no `..`, no control or bidi characters.

    Vietnamese letters are kept (NFC); the result is never empty.
    """
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".pdf", ".tiff", ".tif", ".png", ".jpg", ".jpeg"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = name[:max_len].strip(" .")
    return name or "book"
