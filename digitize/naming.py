"""Safe output file names from untrusted book titles and source paths; which names are page
images.

Titles come from OCR or from a user's file name: they may hold directories, `..`, control
characters or be empty. Every exporter names its output `<safe_stem(...)>.<suffix>` so the
same book always lands at the same, harmless path inside the output directory.
"""

from __future__ import annotations

import re
import unicodedata

from digitize.model import BookMeta

MAX_CHARS = 100
# Most file systems limit a name to 255 bytes; leave room for suffixes like ".book.json".
MAX_BYTES = 200
_KNOWN_SUFFIXES = re.compile(
    r"\.(pdf|tiff?|png|jpe?g|zip|cbz|djvu|epub|json|html?|txt|md)$", re.IGNORECASE
)
# Page-image files a book may be made of (a folder of scans), as Pillow/leptonica read them.
IMAGE_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".bmp", ".webp", ".gif",
    ".jp2", ".j2k", ".pbm", ".pgm", ".ppm", ".pnm",
)  # fmt: skip
_UNSAFE = re.compile(r"[^\w.\- ]+")
_RUNS = re.compile(r"[\s_]+")
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


def safe_stem(name: str) -> str:
    """A file-name stem for `name`: no directories, no `..`, no control characters, letters of
    any script (Vietnamese included) kept, at most 100 characters, never empty.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.split(r"[/\\]", name)[-1]
    name = _KNOWN_SUFFIXES.sub("", name.strip())
    name = _UNSAFE.sub("_", name)
    name = _RUNS.sub("_", name).replace("..", "_")
    name = name.strip("._- ")
    name = name[:MAX_CHARS]
    while len(name.encode("utf-8")) > MAX_BYTES:
        name = name[:-1]
    name = name.rstrip("._- ")
    if not name:
        return "book"
    if name.split(".")[0].lower() in _RESERVED:
        name += "_"
    return name


def book_stem(meta: BookMeta) -> str:
    """The output-name stem of a book: from its input file name (the runner sets `file`), else
    (a book.json of an older run) its source, else its title. Every exporter names its files
    with it, so one book's outputs share one stem."""
    return safe_stem(meta.file or meta.source or meta.title)
