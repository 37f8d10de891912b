"""`digitize pipelines list|show`: the pipelines a user can name with `-p`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from helpers.cli import assert_one_line_error, invoke

from digitize import pipeline as pipelines
from digitize.errors import ExitCode

MINE = """
[pipeline]
name = "mine"
description = "My own: text only"
[[stage]]
use = "ingest.pdf"
[[stage]]
use = "export.txt"
"""


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A $DIGITIZE_PIPELINES folder with one good and one broken pipeline, from an empty cwd."""
    d = tmp_path / "user"
    d.mkdir()
    (d / "mine.toml").write_text(MINE)
    (d / "broken.toml").write_text(MINE.replace("export.txt", "export.nope"))
    monkeypatch.setenv("DIGITIZE_PIPELINES", str(d))
    monkeypatch.chdir(tmp_path)
    return d


def test_list_shows_shipped_user_and_broken_pipelines(user_dir: Path) -> None:
    result = invoke("pipelines", "list")
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert {"textbook", "textbook-fast", "mine", "broken"} <= set(rows)
    assert "My own: text only" in rows["mine"]
    assert "invalid" in rows["broken"] and "Scanned textbook" in rows["textbook"]


def test_show_prints_toml_that_loads_back_into_the_same_pipeline() -> None:
    result = invoke("pipelines", "show", "textbook")
    assert result.exit_code == 0, result.output
    shown = pipelines.from_dict(tomllib.loads(result.stdout))
    shipped = pipelines.load("textbook")
    assert shown.name == "textbook" and shown.lang == shipped.lang
    assert [(s.name, s.options) for s in shown.stages] == [
        (s.name, s.options) for s in shipped.stages
    ]
    assert (shown.on_error, shown.max_failed_ratio, shown.dpi) == (
        shipped.on_error,
        shipped.max_failed_ratio,
        shipped.dpi,
    )


def test_show_an_unknown_pipeline_is_a_one_line_usage_error(user_dir: Path) -> None:
    result = invoke("pipelines", "show", "textbok")
    assert_one_line_error(result, ExitCode.USAGE, "textbok", "textbook")
