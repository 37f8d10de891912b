"""`digitize cache info|clear` on a cache a real (fake-stage) run filled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import invoke
from helpers.fake import fake_pipeline

from digitize import pipeline as pipelines
from digitize.engine.cache import PageCache
from digitize.engine.run import RunOptions, convert


def _bytes_under(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _info(cache: Path) -> dict[str, object]:
    result = invoke("cache", "info", "--cache-dir", str(cache))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_info_and_clear_a_filled_cache(
    plugin: Path, fake_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "ocr.log"
    monkeypatch.setenv("FAKE_OCR_LOG", str(log))
    cache = tmp_path / "cache"
    pipe = pipelines.from_dict(fake_pipeline())

    def run() -> None:
        convert(fake_book, tmp_path / "out", pipe, RunOptions(jobs=1, cache=PageCache(cache)))

    run()
    filled = _bytes_under(cache)
    assert filled > 0
    assert _info(cache) == {"path": str(cache), "bytes": filled}

    result = invoke("cache", "clear", "--cache-dir", str(cache))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"cleared {cache} ({filled / 1e6:.1f} MB)"
    assert _info(cache) == {"path": str(cache), "bytes": 0}

    log.unlink()
    run()  # nothing cached any more: every page is OCRed again
    assert sorted(log.read_text().split()) == ["0", "1", "2"]


def test_info_of_a_cache_not_made_yet(tmp_path: Path) -> None:
    assert _info(tmp_path / "none") == {"path": str(tmp_path / "none"), "bytes": 0}


def test_default_cache_dir_follows_xdg_cache_home(tmp_path: Path) -> None:
    result = invoke("cache", "info", env={"XDG_CACHE_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"path": str(tmp_path / "digitize"), "bytes": 0}
