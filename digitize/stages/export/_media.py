"""Image and time helpers shared by the EPUB and HTML exporters.

Images are read only from inside the book's work dir (a hand-edited book.json must not pull
`../../home/...` into a published book) and named by content hash so output is reproducible.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import UnidentifiedImageError  # PIL's package alone: no image library loaded

from digitize.lazy import lazy_module
from digitize.model import Book

if TYPE_CHECKING:
    from PIL import Image
else:
    Image = lazy_module("PIL.Image")  # a book without pictures never needs Pillow

# Core media types of EPUB 3.3 that browsers show too; anything else is converted to PNG.
# SVG is left out on purpose: it can carry scripts, and crops are raster anyway.
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def resolve_in_work_dir(book: Book, rel: str | None) -> Path | None:
    """The file `rel` names under the book's work dir, or None if absent or outside it."""
    if not rel:
        return None
    base = Path(book.work_dir or ".").resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


def load_image(path: Path) -> tuple[bytes, str, str]:
    """(bytes, suffix, media type) of an image, converted to PNG unless browsers show it."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in MEDIA_TYPES:
        with Image.open(io.BytesIO(data)) as im:  # a crop named .png must really be one
            im.verify()
            if Image.MIME.get(im.format or "") == MEDIA_TYPES[suffix]:
                return data, (".jpg" if suffix == ".jpeg" else suffix), MEDIA_TYPES[suffix]
    with Image.open(io.BytesIO(data)) as im:
        buf = io.BytesIO()
        im.convert("RGBA" if "A" in im.getbands() else "RGB").save(buf, "PNG")
    return buf.getvalue(), ".png", "image/png"


def figure_image(book: Book, rel: str | None) -> tuple[bytes, str, str] | None:
    """A figure's image as `load_image` gives it, or None when missing, outside the work dir
    or unreadable (one bad crop must not sink the whole export; the caption still shows).
    """
    path = resolve_in_work_dir(book, rel)
    if path is None:
        return None
    try:
        return load_image(path)
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def cover_jpeg(path: Path, max_height: int = 1600) -> bytes:
    """A reasonably sized JPEG of a (possibly huge, 300 dpi) page image for the cover."""
    with Image.open(path) as src:
        # A grey scan is resized in grey and made RGB after: a third of the work, same pixels.
        im = src.convert("L") if src.mode in ("1", "L") else src.convert("RGB")
    if im.height > max_height:
        w = max(1, round(im.width * max_height / im.height))
        im = im.resize((w, max_height), Image.Resampling.LANCZOS)
    im = im.convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85, optimize=True)
    return buf.getvalue()


def content_name(data: bytes, suffix: str) -> str:
    return hashlib.sha256(data).hexdigest()[:16] + suffix


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (reproducible builds) as an int, or None when unset or invalid."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def build_epoch(fallback: int | None) -> int | None:
    """SOURCE_DATE_EPOCH if set, else `fallback` (the run's build time, see Context)."""
    epoch = source_date_epoch()
    return epoch if epoch is not None else fallback


def modified_utc(epoch: int | None = None) -> str:
    """dcterms:modified: `epoch` if given, else now; always UTC, seconds, with Z."""
    when = epoch if epoch is not None else int(time.time())
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zip_timestamp(epoch: int | None = None) -> tuple[int, int, int, int, int, int]:
    """Zip entry time: `epoch` (UTC) if given, else a fixed 1980-01-01."""
    if epoch is None:
        return (1980, 1, 1, 0, 0, 0)
    t = datetime.fromtimestamp(max(epoch, 315532800), UTC)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)
