"""Run the `digitize` command as a user does (a subprocess, or in-process for quick commands)
and check its one-line errors."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner, Result

from helpers import ROOT


def digitize_cmd() -> list[str]:
    """The installed `digitize` script of this interpreter, or the checkout's cli.py."""
    exe = shutil.which("digitize", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, str(ROOT / "cli.py")]


def run(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    preexec: Callable[[], object] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """`digitize *args`, output captured as text."""
    return subprocess.run(
        [*digitize_cmd(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        preexec_fn=preexec,
        timeout=timeout,
    )


Outcome = subprocess.CompletedProcess[str] | Result  # a subprocess's, or `invoke`'s


def error_lines(proc: Outcome) -> list[str]:
    """The non-blank lines on stderr."""
    return [ln for ln in proc.stderr.splitlines() if ln.strip()]


def assert_one_line_error(proc: Outcome, code: int, *needles: str) -> str:
    """The documented exit code, no traceback, one `digitize: error: ...` line holding every
    needle. Returns that line."""
    got = proc.returncode if isinstance(proc, subprocess.CompletedProcess) else proc.exit_code
    assert got == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("digitize: error: "), lines[0]
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """`digitize *args` in this process (Typer's CliRunner): quick, for commands that start no
    pool. The app installs a SIGTERM handler; the test process gets its own back."""
    from digitize.cli.app import app

    old = signal.getsignal(signal.SIGTERM)
    try:
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    finally:
        signal.signal(signal.SIGTERM, old)


def cli(*args: str) -> tuple[int, str]:
    """`digitize *args` in this process (see `invoke`): the exit code and what it printed."""
    res = invoke(*args)
    return res.exit_code, res.output
