"""`digitize batch` on fake stages: whole inboxes, reruns, kills, concurrent runs, bad books."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import digitize_cmd
from helpers.fake import as_toml, fake_pipeline

from digitize import bookjson
from digitize import pipeline as pipelines
from digitize.batch.inbox import scan_inbox
from digitize.batch.run import Batch, BatchOptions
from digitize.engine.cache import PageCache
from digitize.engine.run_options import RunOptions
from digitize.errors import ExitCode
from digitize.naming import safe_stem

PIPE = as_toml(fake_pipeline(name="fakebatch", on_error="skip"))
WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def make_inbox(root: Path, books: int, pages: int) -> Path:
    inbox = root / "inbox"
    inbox.mkdir()
    for b in range(books):
        texts = [f"sách {b} trang {WORDS[p % 10]}" for p in range(pages)]
        (inbox / f"book{b}.fake").write_text(json.dumps({"title": f"B{b}", "pages": texts}))
    old = time.time() - 3600  # settled long ago
    for p in inbox.iterdir():
        os.utime(p, (old, old))
    return inbox


def ocr_calls(log: Path) -> int:
    return len(log.read_text().split()) if log.exists() else 0


def outputs_valid(library: Path, inbox: Path) -> None:
    """Every book has whole, parseable outputs with the right text."""
    for src in sorted(inbox.glob("*.fake")):
        data = json.loads(src.read_text())
        out = library / safe_stem(src.name)
        (book_json,) = out.glob("*.book.json")
        book = bookjson.book_from_json(book_json.read_text())
        assert len(book.pages) == len(data["pages"])
        (shout,) = out.glob("*.shout")
        assert shout.read_text().splitlines() == [t.upper() + "!" for t in data["pages"]]
        assert not list(out.glob(".*.part"))


def ledger_rows(library: Path) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(library / ".digitize-ledger.sqlite")
    db.row_factory = sqlite3.Row
    return {Path(r["path"]).name: dict(r) for r in db.execute("SELECT * FROM books")}


@pytest.fixture
def env(plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    log = tmp_path / "ocr.log"
    monkeypatch.setenv("FAKE_OCR_LOG", str(log))
    pipe = tmp_path / "fakebatch.toml"
    pipe.write_text(PIPE)
    return {"log": log, "pipe": pipe, "cache": tmp_path / "cache", "lib": tmp_path / "library"}


def batch(inbox: Path, env: dict[str, Path], **kw: Any) -> Batch:
    run = RunOptions(jobs=1, cache=PageCache(env["cache"]))
    b = Batch(
        inbox,
        env["lib"],
        pipelines.load(str(env["pipe"])),
        BatchOptions(run=run, settle_seconds=0, **kw),
    )
    b.run()
    b.close()
    return b


def cli(env: dict[str, Path], *args: str, **popen: Any) -> list[str]:
    return [
        *digitize_cmd(),
        "--log-format",
        "json",
        "batch",
        *args,
        str(env["lib"]),
        "-p",
        str(env["pipe"]),
        "--cache-dir",
        str(env["cache"]),
        "--jobs",
        "1",
        "--settle",
        "0",
    ]


def events(stderr: str, name: str) -> list[dict[str, Any]]:
    evs = [json.loads(x) for x in stderr.splitlines() if x.startswith("{")]
    return [e for e in evs if e["event"] == name]


def test_scan_finds_books_not_sidecars(env: dict[str, Path], tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path, 2, 1)
    (inbox / "book0.book.toml").write_text('title = "Toán 6"\n')
    (inbox / "notes.txt").write_text("x")
    (inbox / "loose.png").write_bytes(b"\x89PNG")
    (inbox / "loose.gif").write_bytes(b"GIF89a")  # a loose page image of any kind is no book
    (inbox / "scans").mkdir()
    (inbox / "scans" / "p1.png").write_bytes(b"\x89PNG")
    (inbox / "gifs").mkdir()  # a folder of any page images the image ingester reads is one
    (inbox / "gifs" / "p1.gif").write_bytes(b"GIF89a")
    (inbox / "empty").mkdir()
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4")
    names = [p.name for p in scan_inbox(inbox, pipelines.load(str(env["pipe"])))]
    assert names == ["book0.fake", "book1.fake", "gifs", "scan.pdf", "scans"]


def test_batch_completes_and_rerun_does_no_ocr(env: dict[str, Path], tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path, 3, 2)
    (inbox / "book1.book.toml").write_text('title = "Lịch sử 6"\n')
    first = batch(inbox, env)
    assert [d["book"] for d in first.summary.done] == ["book0.fake", "book1.fake", "book2.fake"]
    assert ocr_calls(env["log"]) == 6 and first.summary.pages == 6
    outputs_valid(env["lib"], inbox)
    meta = json.loads(next((env["lib"] / safe_stem("book1.fake")).glob("*.book.json")).read_text())
    assert "Lịch sử 6" in json.dumps(meta, ensure_ascii=False)
    rows = ledger_rows(env["lib"])
    assert {r["status"] for r in rows.values()} == {"done"} and len(rows) == 3
    again = batch(inbox, env)
    assert ocr_calls(env["log"]) == 6  # nothing redone, not even from the cache
    assert not again.summary.done and len(again.summary.skipped) == 3
    # A changed book is redone, alone.
    (inbox / "book2.fake").write_text(json.dumps({"pages": ["mới", "trang", "thêm"]}))
    third = batch(inbox, env)
    assert [d["book"] for d in third.summary.done] == ["book2.fake"]
    assert ocr_calls(env["log"]) == 9
    assert ledger_rows(env["lib"])["book2.fake"]["attempts"] == 2


def test_corrupt_book_fails_alone_with_reason(env: dict[str, Path], tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path, 2, 2)
    (inbox / "broken.fake").write_text("{ not json")
    summary_file = tmp_path / "summary.json"
    proc = subprocess.run(
        cli(env, str(inbox), "--summary", str(summary_file)), capture_output=True, text=True
    )
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    summary = json.loads(summary_file.read_text())
    assert summary["books"] == {"done": 2, "failed": 1, "skipped": 0, "waiting": 0}
    assert summary["failed"][0]["book"] == "broken.fake"
    assert "not a fake book" in summary["failed"][0]["reason"]
    assert summary["pages"]["total"] == 4 and summary["seconds"] > 0
    assert [e["book"] for e in events(proc.stderr, "book_failed")] == ["broken.fake"]
    assert len(events(proc.stderr, "book_finished")) == 2
    row = ledger_rows(env["lib"])["broken.fake"]
    assert row["status"] == "failed" and "not a fake book" in row["reason"]
    index = (env["lib"] / "index.html").read_text()  # the batch overview
    assert index.count('class="status done"') == 2 and 'class="status failed"' in index
    assert "not a fake book" in index
    assert 'href="book0.fake/book0.fake.report.html"' in index
    # Rerun: the failure is reported, not retried, unless asked.
    proc = subprocess.run(cli(env, str(inbox)), capture_output=True, text=True)
    assert proc.returncode == ExitCode.PARTIAL
    assert any("failed before" in e["reason"] for e in events(proc.stderr, "book_skipped"))
    assert ledger_rows(env["lib"])["broken.fake"]["attempts"] == 1
    (inbox / "broken.fake").write_text(json.dumps({"pages": ["sửa rồi"]}))
    proc = subprocess.run(cli(env, str(inbox)), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr  # changed content: tried again, and it works
    assert ledger_rows(env["lib"])["broken.fake"]["status"] == "done"


def test_nothing_could_run_exits_7(env: dict[str, Path], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.fake").write_text("{")
    proc = subprocess.run(cli(env, str(inbox), "--retry-failed"), capture_output=True, text=True)
    assert proc.returncode == ExitCode.NOTHING_DONE, proc.stderr
    proc = subprocess.run(cli(env, str(inbox), "--retry-failed"), capture_output=True, text=True)
    assert proc.returncode == ExitCode.NOTHING_DONE
    assert ledger_rows(env["lib"])["a.fake"]["attempts"] == 2


def wait_for(cond: Any, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_sigkill_mid_book_resumes_without_redoing(
    env: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = make_inbox(tmp_path, 3, 4)
    monkeypatch.setenv("FAKE_OCR_DELAY", "0.15")
    proc = subprocess.Popen(cli(env, str(inbox)), stderr=subprocess.PIPE, text=True)
    wait_for(lambda: ocr_calls(env["log"]) >= 6)  # inside the second book
    proc.kill()
    _, err1 = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert ledger_rows(env["lib"])["book1.fake"]["status"] == "running"  # the dead run's lock
    monkeypatch.setenv("FAKE_OCR_DELAY", "0")
    again = subprocess.run(cli(env, str(inbox)), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    outputs_valid(env["lib"], inbox)
    finished = [
        e["book"] for e in events(err1, "book_finished") + events(again.stderr, "book_finished")
    ]
    assert sorted(finished) == [
        safe_stem(f"book{i}.fake") for i in range(3)
    ]  # each book done exactly once
    assert ocr_calls(env["log"]) <= 12 + 1  # at most the page in flight was redone
    claimed = {e["book"]: e["why"] for e in events(again.stderr, "book_claimed")}
    assert claimed == {"book1.fake": "taken over", "book2.fake": "new"}
    assert {r["status"] for r in ledger_rows(env["lib"]).values()} == {"done"}


def test_sigterm_stops_cleanly_and_marks_pending(
    env: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = make_inbox(tmp_path, 1, 6)
    monkeypatch.setenv("FAKE_OCR_DELAY", "0.1")
    summary_file = tmp_path / "s.json"
    proc = subprocess.Popen(
        cli(env, str(inbox), "--summary", str(summary_file)), stderr=subprocess.PIPE, text=True
    )
    wait_for(lambda: ocr_calls(env["log"]) >= 2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    row = ledger_rows(env["lib"])["book0.fake"]
    assert row["status"] == "pending" and row["owner_pid"] is None
    assert json.loads(summary_file.read_text())["interrupted"] is True
    monkeypatch.setenv("FAKE_OCR_DELAY", "0")
    done_before = ocr_calls(env["log"])
    again = subprocess.run(cli(env, str(inbox)), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert ocr_calls(env["log"]) <= 6 + 1 and ocr_calls(env["log"]) > done_before
    assert events(again.stderr, "book_claimed")[0]["why"] == "resumed"
    outputs_valid(env["lib"], inbox)


def test_two_concurrent_runs_split_the_work(
    env: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = make_inbox(tmp_path, 6, 2)
    monkeypatch.setenv("FAKE_OCR_DELAY", "0.2")
    procs = [
        subprocess.Popen(cli(env, str(inbox)), stderr=subprocess.PIPE, text=True) for _ in "ab"
    ]
    errs = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    done = [[e["book"] for e in events(err, "book_finished")] for err in errs]
    assert sorted(done[0] + done[1]) == [
        safe_stem(f"book{i}.fake") for i in range(6)
    ]  # each exactly once
    assert done[0] and done[1]  # both worked
    assert ocr_calls(env["log"]) == 12
    outputs_valid(env["lib"], inbox)


def test_watch_converts_new_books_and_stops_on_sigterm(
    env: dict[str, Path], tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path, 1, 1)
    args = cli(env, str(inbox), "--watch", "--poll", "0.2")
    args[args.index("--settle") + 1] = "0.6"
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: (env["lib"] / safe_stem("book0.fake")).is_dir() and ocr_calls(env["log"]) == 1)
    late = inbox / "late.fake"
    late.write_text(json.dumps({"pages": ["đến muộn"]}))
    t_written = time.monotonic()
    # Done means recorded in the ledger: outputs appear on disk a moment before, and a SIGTERM in
    # between (seen on a loaded machine) rightly interrupts the book.
    wait_for(lambda: ledger_rows(env["lib"]).get("late.fake", {}).get("status") == "done")
    assert list((env["lib"] / safe_stem("late.fake")).glob("*.shout"))
    assert time.monotonic() - t_written >= 0.5  # waited for the file to settle
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert [e["book"] for e in events(err, "book_finished")] == [
        safe_stem("book0.fake"),
        safe_stem("late.fake"),
    ]
