"""The batch inbox: which entries are books, when a copied-in file has settled, and digests that
tell a rerun whether a book or the pipeline changed."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from digitize.errors import DigitizeError
from digitize.naming import IMAGE_SUFFIXES
from digitize.pipeline import Pipeline

BOOK_SUFFIXES = {".pdf", ".tif", ".tiff"}


def _accepted_by_ingester(path: Path, pipeline: Pipeline) -> bool:
    from digitize import registry
    from digitize.engine.run import choose_ingester

    if path.suffix.lower() in set(IMAGE_SUFFIXES) - BOOK_SUFFIXES:
        return False  # a loose page image is not a book: put pages in a folder
    if not pipeline.ingesters and not any(n.startswith("ingest.") for n in registry.stage_names()):
        return False
    try:
        choose_ingester(path, pipeline)
    except DigitizeError:
        return False
    return True


def is_book(path: Path, pipeline: Pipeline) -> bool:
    """A PDF, a (multi-page) TIFF, a folder holding page images, or any other file one of the
    pipeline's ingesters accepts. Hidden entries and metadata sidecars are not books."""
    if path.name.startswith(".") or path.name.endswith((".book.toml", ".book.json")):
        return False
    if path.is_dir():
        return any(p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir())
    if not path.is_file():
        return False
    return path.suffix.lower() in BOOK_SUFFIXES or _accepted_by_ingester(path, pipeline)


def scan_inbox(inbox: Path, pipeline: Pipeline) -> list[Path]:
    """Every book directly inside `inbox`, in name order (stable across runs)."""
    return sorted(p for p in inbox.iterdir() if is_book(p, pipeline))


def signature(path: Path) -> str:
    """Size and mtime of a file, or of a folder's files: cheap change detection."""
    if path.is_file():
        st = path.stat()
        return f"{st.st_size}:{st.st_mtime_ns}"
    files = sorted(p for p in path.rglob("*") if p.is_file())
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f.relative_to(path)}\0{st.st_size}:{st.st_mtime_ns}\n".encode())
    return f"{len(files)}:{h.hexdigest()[:32]}"


def pipeline_digest(pipeline: Pipeline) -> str:
    """Changes whenever a stage, its version or its options change (or the language, dpi)."""
    parts = [pipeline.lang, str(pipeline.dpi), pipeline.on_error, str(pipeline.max_failed_ratio)]
    parts += [f"{name}@{version}:{digest}" for name, version, digest in pipeline.identities]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


class Settler:
    """A path is ready once its signature has not changed for `seconds` (a copy has finished)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._seen: dict[Path, tuple[str, float]] = {}

    def ready(self, path: Path) -> bool:
        if self.seconds <= 0:
            return True
        try:
            sig = signature(path)
            mtime = _newest_mtime(path)
        except OSError:
            return False
        now = time.time()
        old = self._seen.get(path)
        if old is None or old[0] != sig:
            self._seen[path] = (sig, now)
            # An untouched old file is ready at once: only recent writes need watching.
            return now - mtime >= self.seconds
        return now - old[1] >= self.seconds or now - mtime >= self.seconds


def _newest_mtime(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    return max((p.stat().st_mtime for p in path.rglob("*")), default=path.stat().st_mtime)
