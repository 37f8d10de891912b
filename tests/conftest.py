"""Shared fixtures: the fake plugin (tests/plugins) registered through a real entry point, a
fake book for it, and the release of worker-process caches after each test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.fake import PLUGIN_DIR

from digitize import registry


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the fake plugin for this process and for subprocesses (PYTHONPATH)."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(PLUGIN_DIR), os.environ.get("PYTHONPATH", "")])
    )
    registry.refresh()
    yield PLUGIN_DIR
    sys.modules.pop("digitize_fakeplugin", None)
    registry.refresh()


@pytest.fixture
def fake_book(tmp_path: Path) -> Path:
    p = tmp_path / "book.fake"
    p.write_text('{"title": "Sách giả", "pages": ["Một hai ba", "bốn năm", "sáu bảy tám chín"]}')
    return p
