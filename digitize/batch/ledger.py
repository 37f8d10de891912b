"""The batch ledger: which book of an inbox is done, failed (why), pending or being worked on.

SQLite in WAL mode with a busy timeout, so several batch processes (and a reader such as
`sqlite3` on the command line) can share one ledger. A book is claimed with a single
`BEGIN IMMEDIATE` transaction whose UPDATE only succeeds when nobody else holds it (or the holder
is stale: a dead pid on this host, or a heartbeat older than `stale_seconds`), so two runs never
convert the same book.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitize.engine.processes import pid_alive
from digitize.errors import Locked, OutputNotWritable

LEDGER_NAME = ".digitize-ledger.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS books (
    path TEXT PRIMARY KEY,
    stem TEXT NOT NULL,
    signature TEXT,            -- size and mtime: skip rehashing an unchanged input
    content_hash TEXT,
    pipeline TEXT,
    pipeline_digest TEXT,
    status TEXT NOT NULL DEFAULT 'pending',  -- pending | running | done | failed
    reason TEXT,
    started REAL,
    finished REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    owner_pid INTEGER,
    owner_host TEXT,
    heartbeat REAL,
    pages_total INTEGER,
    pages_failed INTEGER,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS pages (
    book TEXT NOT NULL REFERENCES books(path) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    status TEXT NOT NULL,      -- pending | done | failed
    reason TEXT,
    PRIMARY KEY (book, idx)
);
"""


@dataclass(frozen=True)
class Decision:
    """What `Ledger.claim` decided: `claimed` True means this process now owns the book."""

    claimed: bool
    reason: str  # new | changed | resumed | retry | taken over | done | failed | running


class Ledger:
    def __init__(self, path: Path, stale_seconds: float = 600.0) -> None:
        self.path = Path(path)
        self.stale_seconds = stale_seconds
        self.pid = os.getpid()
        self.host = socket.gethostname()
        self._held: set[str] = set()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._setup()
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise Locked(f"ledger {self.path} is locked: {e}") from e
            raise OutputNotWritable(f"cannot open the ledger {self.path}: {e}") from e
        self.db.row_factory = sqlite3.Row

    def _setup(self) -> None:
        """WAL mode and the schema. Switching to WAL and creating tables can meet SQLITE_BUSY
        without the busy handler when another process opens the ledger at the same moment:
        retry for a while instead of failing the run."""
        deadline = time.monotonic() + 60
        while True:
            try:
                self.db.execute("PRAGMA busy_timeout = 60000")
                if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA foreign_keys = ON")
                self.db.executescript(SCHEMA)
                return
            except sqlite3.OperationalError as e:
                if ("locked" not in str(e) and "busy" not in str(e)) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05 + random.random() * 0.1)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get(self, path: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM books WHERE path = ?", (path,)).fetchone()
        return dict(row) if row else None

    def known_hash(self, path: str, signature: str) -> str | None:
        """The recorded content hash when the file's size and mtime did not change."""
        row = self.get(path)
        if row and row["signature"] == signature and row["content_hash"]:
            return str(row["content_hash"])
        return None

    def _stale(self, row: dict[str, Any], now: float) -> bool:
        """The holder is gone: a dead pid on this host, our own pid from an earlier life (pids
        repeat in containers), or a heartbeat older than `stale_seconds`."""
        if row["owner_host"] == self.host and row["owner_pid"]:
            pid = int(row["owner_pid"])
            if pid == self.pid:
                return row["path"] not in self._held
            if not pid_alive(pid):
                return True
        return (now - (row["heartbeat"] or 0.0)) > self.stale_seconds

    def claim(
        self,
        path: str,
        stem: str,
        signature: str,
        content_hash: str,
        pipeline: str,
        pipeline_digest: str,
        retry_failed: bool = False,
    ) -> Decision:
        """Take the book if it needs work and nobody else holds it; atomic across processes."""
        now = time.time()
        with self._tx() as db:
            row = self.get(path)
            if row is None:
                db.execute("INSERT INTO books (path, stem) VALUES (?, ?)", (path, stem))
                why = "new"
            else:
                same = (
                    row["content_hash"] == content_hash
                    and row["pipeline_digest"] == pipeline_digest
                )
                if row["status"] == "running" and not self._stale(row, now):
                    return Decision(False, "running")
                if same and row["status"] == "done":
                    return Decision(False, "done")
                if same and row["status"] == "failed" and not retry_failed:
                    return Decision(False, "failed")
                why = {
                    "running": "taken over",
                    "failed": "retry",
                    "pending": "resumed",
                }.get(row["status"], "changed")
                if not same:
                    why = "changed"
            cur = db.execute(
                """UPDATE books SET status = 'running', reason = NULL, stem = ?, signature = ?,
                   content_hash = ?, pipeline = ?, pipeline_digest = ?, started = ?,
                   finished = NULL, attempts = attempts + 1, owner_pid = ?, owner_host = ?,
                   heartbeat = ?
                   WHERE path = ? AND (status != 'running' OR ?)""",
                (
                    stem,
                    signature,
                    content_hash,
                    pipeline,
                    pipeline_digest,
                    now,
                    self.pid,
                    self.host,
                    now,
                    path,
                    why == "taken over",
                ),
            )
            if cur.rowcount != 1:
                return Decision(False, "running")
        self._held.add(path)
        return Decision(True, why)

    def heartbeat(self, path: str) -> None:
        self.db.execute(
            "UPDATE books SET heartbeat = ? WHERE path = ? AND owner_pid = ? AND owner_host = ?",
            (time.time(), path, self.pid, self.host),
        )

    def start_pages(self, path: str, pages: int) -> None:
        """Pages of a book about to be processed; pages already recorded keep their status."""
        with self._tx() as db:
            db.execute("DELETE FROM pages WHERE book = ? AND idx >= ?", (path, pages))
            db.executemany(
                "INSERT OR IGNORE INTO pages (book, idx, status) VALUES (?, ?, 'pending')",
                [(path, i) for i in range(pages)],
            )
            db.execute("UPDATE books SET pages_total = ? WHERE path = ?", (pages, path))

    def finish(
        self,
        path: str,
        status: str,
        reason: str | None = None,
        pages: list[tuple[int, str | None]] | None = None,
        seconds: float | None = None,
    ) -> None:
        """Record the outcome (done | failed | pending) and release the lock."""
        self._held.discard(path)
        with self._tx() as db:
            if pages is not None:
                db.execute("DELETE FROM pages WHERE book = ?", (path,))
                db.executemany(
                    "INSERT INTO pages (book, idx, status, reason) VALUES (?, ?, ?, ?)",
                    [(path, i, "failed" if r else "done", r) for i, r in pages],
                )
            db.execute(
                """UPDATE books SET status = ?, reason = ?, finished = ?, owner_pid = NULL,
                   owner_host = NULL, heartbeat = NULL, seconds = COALESCE(?, seconds),
                   pages_total = COALESCE(?, pages_total), pages_failed = COALESCE(?, pages_failed)
                   WHERE path = ?""",
                (
                    status,
                    reason,
                    time.time() if status != "pending" else None,
                    seconds,
                    len(pages) if pages is not None else None,
                    sum(1 for _, r in pages if r) if pages is not None else None,
                    path,
                ),
            )

    def books(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM books ORDER BY path")]

    def pages(self, path: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.db.execute("SELECT * FROM pages WHERE book = ? ORDER BY idx", (path,))
        ]
