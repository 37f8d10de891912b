"""digitize.engine.processes: whether the process behind a claim or a staging folder runs."""

from __future__ import annotations

import os
import subprocess
import sys

from digitize.engine.processes import pid_alive


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    assert not pid_alive(int(child.stdout))  # exited and reaped
