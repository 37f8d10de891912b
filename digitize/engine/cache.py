"""The content-addressed page cache and per-book work directories.

A page result is stored under a key chained from its input: key(stage n) = hash(key(stage n-1),
stage name, version, canonical options). So a rerun of an unchanged book redoes nothing, and
changing one stage's options redoes only that stage onward. Entries are written atomically, so a
run killed at any moment leaves either a whole entry or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from pathlib import Path

from platformdirs import user_cache_dir

from digitize import bookjson
from digitize.fileio import write_text
from digitize.model import Page

#: the book as ingest left it, kept in its work dir so a rerun need not rasterise again
INGEST_FILE = "ingest.json"


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/digitize` (platformdirs honours XDG_CACHE_HOME)."""
    return Path(user_cache_dir("digitize", appauthor=False))


def chain_key(prev: str, name: str, version: str, options_digest: str) -> str:
    blob = "\x1f".join((prev, name, version, options_digest)).encode()
    return hashlib.sha256(blob).hexdigest()


def sub_key(key: str, i: int) -> str:
    """Key of the i-th page a stage made out of one (a split spread)."""
    return hashlib.sha256(f"{key}#{i}".encode()).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file, or of a folder's file names and contents (a folder of page images)."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        if path.is_dir():
            h.update(str(f.relative_to(path)).encode() + b"\0")
        try:
            with f.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            if f == path:
                raise
            h.update(b"\0unreadable\0")  # one unreadable page: ingest marks it failed
    return h.hexdigest()


class PageCache:
    """Page results (JSON) under `root/pages`, book work dirs under `root/books`."""

    def __init__(self, root: Path, max_bytes: int | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def _entry(self, key: str) -> Path:
        return self.root / "pages" / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Page] | None:
        try:
            text = self._entry(key).read_text(encoding="utf-8")
        except OSError:
            return None
        try:
            pages = bookjson.loads(text)
        except (ValueError, TypeError, KeyError):
            return None  # a damaged entry is a miss, recomputed and overwritten
        return list(pages) if isinstance(pages, list) else None

    def put(self, key: str, pages: list[Page]) -> None:
        write_text(self._entry(key), bookjson.dumps(pages), durable=False)

    def work_dir(self, book_key: str) -> Path:
        d = self.root / "books" / book_key
        d.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.utime(d)  # recency for eviction
        return d

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def clear(self) -> int:
        """Delete everything; return the bytes freed."""
        freed = self.size() if self.root.exists() else 0
        for sub in ("pages", "books"):
            shutil.rmtree(self.root / sub, ignore_errors=True)
        return freed

    def evict(self) -> int:
        """Enforce `max_bytes`: drop least recently used book work dirs and old page entries."""
        if not self.max_bytes or not self.root.exists():
            return 0
        total = self.size()
        freed = 0
        if total <= self.max_bytes:
            return 0
        books = sorted((self.root / "books").glob("*"), key=lambda p: p.stat().st_mtime)
        entries = sorted((self.root / "pages").rglob("*.json"), key=lambda p: p.stat().st_mtime)
        cutoff = time.time() - 60  # never evict what the current run just wrote
        for victim in books + entries:
            if total - freed <= self.max_bytes:
                break
            if victim.stat().st_mtime > cutoff:
                continue
            size = (
                sum(f.stat().st_size for f in victim.rglob("*") if f.is_file())
                if victim.is_dir()
                else victim.stat().st_size
            )
            shutil.rmtree(victim, ignore_errors=True) if victim.is_dir() else victim.unlink(
                missing_ok=True
            )
            freed += size
        return freed
