"""Worker processes end when the process that started them dies, by any signal (issue #16):
after `kill -9` of `digitize convert` or `digitize batch` mid-book, no process of its tree (the
forkserver, its resource tracker, the busy workers) is alive 10 s later."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import ROOT
from helpers.cli import digitize_cmd

SAMPLE = ROOT / "samples" / "sach-mau.pdf"  # a real scan: its pages keep the workers busy

_REAL = (pytest.mark.slow, pytest.mark.tesseract)


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live (non-zombie) process, else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[1]), fields[0]) if fields[0] not in "ZX" else None


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (st := _stat(int(d.name))):
            children.setdefault(st[0], []).append(int(d.name))
    found, todo = set(), [root]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill_when_busy(cmd: list[str]) -> dict[int, str]:
    """Start `cmd`, wait until its pool's workers exist and work, SIGKILL it; its process tree
    as it was (pid → command line)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        tree: set[int] = set()
        while time.monotonic() < deadline:
            tree = descendants(proc.pid)
            workers = [p for p in tree if _stat(p) and _stat(p)[0] in tree]  # type: ignore[index]
            if len(workers) >= 2:  # the forkserver's children
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.2)
        else:
            pytest.fail("no workers started within 2 minutes")
        time.sleep(2)  # pages in flight (and the workers' watch started)
        tree = descendants(proc.pid)
        before = {p: cmdline(p) for p in tree}
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        return before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def assert_all_gone(tree: dict[int, str]) -> None:
    assert any("forkserver" in c for c in tree.values()), tree
    deadline = time.monotonic() + 10
    alive = tree
    while time.monotonic() < deadline:
        alive = {p: c for p, c in tree.items() if _stat(p) and cmdline(p) == c}
        if not alive:
            return
        time.sleep(0.25)
    for p in alive:  # do not leak them into the rest of the test run
        os.kill(p, signal.SIGKILL)
    pytest.fail(f"alive 10 s after kill -9: {sorted(alive.values())}")


@_REAL[0]
@_REAL[1]
def test_kill_9_of_convert_leaves_no_process(tmp_path: Path) -> None:
    cmd = [
        *digitize_cmd(), "convert", str(SAMPLE), "-o", str(tmp_path / "out"),
        "--cache-dir", str(tmp_path / "cache"), "-j", "2",
    ]  # fmt: skip
    assert_all_gone(kill_when_busy(cmd))


@_REAL[0]
@_REAL[1]
def test_kill_9_of_batch_leaves_no_process(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "book.pdf")
    cmd = [
        *digitize_cmd(), "batch", str(inbox), str(tmp_path / "lib"), "--settle", "0",
        "--cache-dir", str(tmp_path / "cache"), "-j", "2",
    ]  # fmt: skip
    assert_all_gone(kill_when_busy(cmd))


_POOL_FROM_A_THREAD = """
import threading, time
from digitize.engine.executors import LocalPool

def busy(x):
    time.sleep(600)

def run():
    pool = LocalPool(2)
    for _ in pool.map_unordered(busy, range(4)):
        pass

if __name__ == "__main__":
    threading.Thread(target=run, daemon=True).start()
    time.sleep(600)
"""


def test_workers_of_a_pool_started_from_a_thread_watch_their_parent(tmp_path: Path) -> None:
    """No death signal for a forkserver a short-lived thread started (it would die with the
    thread): the workers' own watch on the parent ends them, then the forkserver sees EOF."""
    script = tmp_path / "pool.py"
    script.write_text(_POOL_FROM_A_THREAD)
    import sys

    assert_all_gone(kill_when_busy([sys.executable, str(script)]))
