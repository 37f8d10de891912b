"""A finished book's record, so a rerun of an unchanged book redoes nothing at all.

The page cache already skips OCR on a rerun, but the book stages, the exporters and reading
every cached page back still cost ~10 % of a cold run. After a full run the runner records the
outputs it wrote (size and mtime; the final book is its own `book.json` output among them) in the
book's work dir under a key covering everything that shapes them: the book key (source bytes, ingester, languages,
resolutions), every stage's name, version and options, the pipeline's policies, the metadata
overrides, the output directory and digitize's version. A rerun with the same key whose outputs
are all still there, unmodified, reads the book back and only rewrites the run report.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import digitize
from digitize import bookjson
from digitize.engine.cache import chain_key
from digitize.fileio import write_text
from digitize.model import Book
from digitize.pipeline import Pipeline


def done_key(book_key: str, pipeline: Pipeline, meta_fields: dict[str, Any], out_dir: Path) -> str:
    stages = list(pipeline.identities)
    policy = (pipeline.on_error, pipeline.max_failed_ratio, pipeline.dpi)
    blob = json.dumps(
        [stages, policy, sorted(meta_fields.items()), str(Path(out_dir).resolve())],
        default=str,
        ensure_ascii=False,
    )
    return chain_key(book_key, "finished", digitize.__version__, blob)


def _record(work_dir: Path, key: str) -> Path:
    return Path(work_dir) / f"finished-{key[:32]}.json"


def _stamp(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_size, st.st_mtime_ns


def save(work_dir: Path, key: str, book_json: Path, outputs: list[Path]) -> None:
    """Record the outputs' stamps; the book itself is the run's own `book_json` output (always
    written, and stamped like the others), not a second copy. Best effort: a run that cannot
    write its record is still a good run."""
    with contextlib.suppress(OSError):
        files = [(str(p), *_stamp(p)) for p in outputs]
        doc = {"outputs": files, "book": str(book_json)}
        write_text(_record(work_dir, key), json.dumps(doc, ensure_ascii=False), durable=False)


def load(work_dir: Path, key: str) -> tuple[Book, list[Path]] | None:
    """The finished book and its outputs, or None when anything changed or is missing."""
    try:
        doc = json.loads(_record(work_dir, key).read_text(encoding="utf-8"))
        files = doc["outputs"]
        if doc["book"] not in {name for name, *_ in files}:
            return None
        for name, size, mtime in files:
            if _stamp(Path(name)) != (size, mtime):
                return None
        book = bookjson.book_from_json(Path(doc["book"]).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return book, [Path(name) for name, *_ in files]
