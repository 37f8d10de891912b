"""Global options before or after the command name, `batch -o`, honest help (issue #20)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from helpers.cli import cli, digitize_cmd
from helpers.fake import as_toml, fake_pipeline

from digitize.errors import ExitCode


@pytest.fixture
def pipe(plugin: Path, tmp_path: Path) -> Path:
    p = tmp_path / "plug.toml"
    p.write_text(as_toml(fake_pipeline(name="plug")))
    return p


@pytest.mark.parametrize("where", ["before", "after"])
def test_log_options_before_or_after_the_command(
    pipe: Path, fake_book: Path, tmp_path: Path, where: str
) -> None:
    log = tmp_path / "log.jsonl"
    glob = ["--log-format", "json", "--log-file", str(log), "--quiet"]
    cmd = ["convert", str(fake_book), "-p", str(pipe), "-o", str(tmp_path / "o")]
    code, output = cli(*(glob + cmd if where == "before" else cmd + glob))
    assert code == 0, output
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    assert events == ["book_started", "book_finished"]


def test_a_global_option_after_the_command_wins(
    pipe: Path, fake_book: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log.txt"
    code, output = cli(
        "--log-format",
        "json",
        "convert",
        str(fake_book),
        "-p",
        str(pipe),
        "-o",
        str(tmp_path / "o"),
        "--log-format",
        "text",
        "--log-file",
        str(log),
    )
    assert code == 0, output
    text = log.read_text()
    assert "done in" in text and not text.lstrip().startswith("{")


def test_batch_takes_json_logs_after_the_command_and_o_for_the_library(
    pipe: Path, fake_book: Path, tmp_path: Path
) -> None:
    """The cron line of the issue, through the installed script."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fake_book.rename(inbox / "b.fake")
    log = tmp_path / "batch.log"
    proc = subprocess.run(
        [
            *digitize_cmd(),
            "batch",
            str(inbox),
            "-o",
            str(tmp_path / "lib"),
            "-p",
            str(pipe),
            "--settle",
            "0",
            "--log-format",
            "json",
            "--log-file",
            str(log),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lib/b.fake/b.fake.shout").is_file()
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    assert "book_finished" in events


def test_batch_library_positional_still_works_and_conflicts_are_usage_errors(
    pipe: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    code, _ = cli("batch", str(inbox), str(tmp_path / "lib"), "-p", str(pipe))
    assert code == 0
    assert (tmp_path / "lib/.digitize-ledger.sqlite").is_file()
    # the same library both ways is fine; two different ones are not
    code, _ = cli("batch", str(inbox), str(tmp_path / "lib"), "-o", str(tmp_path / "lib/"))
    assert code == 0
    code, output = cli("batch", str(inbox), str(tmp_path / "a"), "-o", str(tmp_path / "b"))
    assert code == ExitCode.USAGE and "two libraries" in output
    code, output = cli("batch", str(inbox))
    assert code == ExitCode.USAGE and "-o LIBRARY" in output


def test_bad_log_format_after_the_command_is_a_usage_error(tmp_path: Path) -> None:
    code, output = cli("batch", str(tmp_path), "-o", str(tmp_path / "l"), "--log-format", "xml")
    assert code == ExitCode.USAGE and "expected text or json" in output


@pytest.mark.parametrize("command", ["convert", "batch", "export", "check", "cache info"])
def test_every_command_lists_the_global_options_in_its_help(command: str) -> None:
    code, output = cli(*command.split(), "--help")
    assert code == 0
    for option in ("--debug", "--quiet", "--log-format", "--log-file"):
        assert option in output, f"{command} --help lacks {option}"
    assert "Global options" in output


@pytest.mark.parametrize("command", ["", "convert", "batch", "export"])
def test_help_shows_no_type_after_flags(command: str) -> None:
    code, output = cli(*command.split(), "--help")
    assert code == 0
    assert "<bool>" not in output
    assert re.search(r"--(no-cache|debug)\s", output)


def test_to_help_lists_the_installed_exporters_plugins_included(plugin: Path) -> None:
    code, output = cli("convert", "--help")
    assert code == 0
    flat = " ".join(output.replace("│", " ").split())
    for name in ("epub", "html", "txt", "md", "pdf", "alto", "hocr", "shout"):
        assert re.search(rf"\b{name}\b", flat), f"--to help lacks {name}"
