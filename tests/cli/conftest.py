"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One page cache (an XDG_CACHE_HOME) for the tests that convert the sample as documented:
    the first conversion does the OCR, the others reuse its pages."""
    return tmp_path_factory.mktemp("xdg-cache")
