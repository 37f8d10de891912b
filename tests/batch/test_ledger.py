"""The batch ledger: claims are exclusive, done books are skipped, stale locks are taken over."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from digitize.batch.ledger import Ledger


def claim(led: Ledger, path: str = "/in/a.pdf", h: str = "h1", d: str = "p1", **kw: bool) -> str:
    dec = led.claim(path, "a", "sig", h, "textbook", d, **kw)
    return ("claimed:" if dec.claimed else "skip:") + dec.reason


def other_process(led_path: Path) -> Ledger:
    """A second ledger user that looks like another live process on this host."""
    other = Ledger(led_path)
    other.pid = os.getppid()  # alive, and not us
    return other


def test_claim_is_exclusive_and_done_books_are_skipped(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    a = Ledger(db)
    b = other_process(db)
    assert claim(a) == "claimed:new"
    assert claim(b) == "skip:running"  # a holds it and is alive
    a.start_pages("/in/a.pdf", 3)
    assert [p["status"] for p in a.pages("/in/a.pdf")] == ["pending"] * 3
    a.finish("/in/a.pdf", "done", pages=[(0, None), (1, "page 2: blurry"), (2, None)], seconds=1.5)
    row = a.get("/in/a.pdf")
    assert row and row["status"] == "done" and row["pages_failed"] == 1 and row["owner_pid"] is None
    assert [p["status"] for p in a.pages("/in/a.pdf")] == ["done", "failed", "done"]
    assert claim(b) == "skip:done"
    assert claim(b, h="h2") == "claimed:changed"  # new content
    b.finish("/in/a.pdf", "done")
    assert claim(a, h="h2", d="p2") == "claimed:changed"  # new pipeline options
    assert a.get("/in/a.pdf")["attempts"] == 3  # type: ignore[index]
    assert a.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_failed_books_wait_for_retry(tmp_path: Path) -> None:
    led = Ledger(tmp_path / "l.sqlite")
    claim(led)
    led.finish("/in/a.pdf", "failed", "not a PDF")
    assert claim(led) == "skip:failed"
    assert claim(led, retry_failed=True) == "claimed:retry"
    led.finish("/in/a.pdf", "pending", "interrupted")
    assert claim(led) == "claimed:resumed"


def test_stale_locks_are_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    holder = Ledger(db)
    holder.pid = int(dead.stdout)  # a process that has exited
    assert claim(holder) == "claimed:new"
    me = Ledger(db)
    assert claim(me) == "claimed:taken over"  # dead pid on this host
    # Another host (so the pid cannot be checked): only an old heartbeat frees the lock.
    me.db.execute("UPDATE books SET owner_host = 'elsewhere', owner_pid = 1")
    assert claim(Ledger(db)) == "skip:running"
    me.db.execute("UPDATE books SET heartbeat = ?", (time.time() - 3600,))
    assert claim(Ledger(db, stale_seconds=600)) == "claimed:taken over"


def test_own_pid_from_an_earlier_life_is_stale(tmp_path: Path) -> None:
    """Pids repeat (containers restart at the same pid): a lock with our pid that this process
    did not take is a leftover of a killed run."""
    db = tmp_path / "l.sqlite"
    first = Ledger(db)
    assert claim(first) == "claimed:new"
    assert claim(Ledger(db)) == "claimed:taken over"


def test_heartbeat_only_touches_own_books(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    a = Ledger(db)
    claim(a)
    a.db.execute("UPDATE books SET heartbeat = 0")
    other_process(db).heartbeat("/in/a.pdf")
    assert a.get("/in/a.pdf")["heartbeat"] == 0  # type: ignore[index]
    a.heartbeat("/in/a.pdf")
    assert a.get("/in/a.pdf")["heartbeat"] > time.time() - 60  # type: ignore[index]


def test_processes_opening_a_new_ledger_at_once_all_get_in(tmp_path: Path) -> None:
    """Creating the schema / switching to WAL races when runs start together (cron + manual)."""
    code = (
        "import os, sys; from pathlib import Path; from digitize.batch.ledger import Ledger\n"
        "for i in range(10):\n"
        "    led = Ledger(Path(sys.argv[1]))\n"
        "    assert led.claim(f'/x/{os.getpid()}-{i}', 's', 'sig', 'h', 'p', 'd').claimed\n"
        "    led.close()\n"
    )
    db = tmp_path / "l.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)]) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 4
    assert len(Ledger(db).books()) == 40
