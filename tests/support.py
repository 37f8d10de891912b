"""Helpers shared by tests (importable: tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout; a git worktree one level deeper (wt/NAME) finds it one up.
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
    ROOT.parent / "shared",
)


def digitize_cmd() -> list[str]:
    """The installed `digitize` script of this interpreter, or the checkout's cli.py."""
    exe = shutil.which("digitize", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, str(ROOT / "cli.py")]
