"""The small messages of issue #20: each says what to do, and where the files really are."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.cli import digitize_cmd
from helpers.fake import as_toml, fake_pipeline
from PIL import Image

from digitize.batch.library_index import render_library_index
from digitize.errors import ExitCode
from digitize.report.markup import asset


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*digitize_cmd(), *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.mark.tesseract
def test_too_small_says_how_to_override_and_the_override_works(tmp_path: Path) -> None:
    Image.new("RGB", (40, 50), "white").save(tmp_path / "tiny.png")
    proc = run("convert", "tiny.png", "-o", "out", "--to", "txt", "--no-cache", cwd=tmp_path)
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert "too small to be a page" in proc.stderr
    hint = re.search(r"--set (ingest\.images\.min_side=\d+)", proc.stderr)
    assert hint, proc.stderr
    proc = run(
        "convert", "tiny.png", "-o", "out", "--to", "txt", "--no-cache", "--set", hint[1],
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out/tiny.txt").is_file()


def test_site_done_line_names_the_real_paths(plugin: Path, fake_book: Path, tmp_path: Path) -> None:
    (tmp_path / "plug.toml").write_text(as_toml(fake_pipeline(name="plug")))
    proc = run(
        "convert", fake_book.name, "-p", "plug.toml", "-o", "out", "--to", "html,shout", "--site",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    done = next(ln for ln in proc.stderr.splitlines() if "done in" in ln)
    listed = done.split("→", 1)[1].strip()
    folder, files = listed.split(": ", 1)
    assert folder == "out/"
    names = [f.split(" (+")[0] for f in files.split(", ")]
    assert "book.fake_html/index.html" in names
    for name in names:  # every path shown is a real file, relative to the folder shown
        assert (tmp_path / folder / name).is_file(), name


def test_library_index_breaks_names_between_words_not_inside() -> None:
    page = render_library_index([{"name": "sach-mau-3small.pdf", "status": "done", "pages": 3}])
    cell = re.search(r'<td class="name">(.*?)</td>', page)
    assert cell
    assert cell[1] == "sach-<wbr>mau-<wbr>3small<wbr>.pdf"
    assert re.sub("<wbr>", "", cell[1]) == "sach-mau-3small.pdf"
    rule = re.search(r"\.lib td\.name \{[^}]*\}", asset("report.css"))
    assert rule and "anywhere" not in rule[0]


def test_fresh_copies_are_reported_as_waiting_with_the_settle_hint(
    plugin: Path, fake_book: Path, tmp_path: Path
) -> None:
    """`cp -r` gives fresh mtimes: a one-shot run with the default --settle takes none of them,
    and must say why and what to do, in the text line and in the JSON summary."""
    (tmp_path / "plug.toml").write_text(as_toml(fake_pipeline(name="plug")))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.fake", "b.fake"):
        shutil.copy(fake_book, inbox / name)
        os.utime(inbox / name)  # just copied
    summary = tmp_path / "summary.json"
    proc = run(
        "batch", "inbox", "-o", "lib", "-p", "plug.toml", "--summary", str(summary), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "0 done" in last and "2 waiting" in last and "--settle 0" in last, last
    data = json.loads(summary.read_text())
    assert data["books"]["done"] == 0 and data["books"]["waiting"] == 2
    assert sorted(data["waiting"]) == ["a.fake", "b.fake"]
    assert all("--settle 0" in s["reason"] for s in data["skipped"])
    # JSON logs end with the same counts (copies made just now again: on a loaded machine the
    # first run alone can outlast the default settle time)
    for name in ("a.fake", "b.fake"):
        os.utime(inbox / name)
    log = tmp_path / "log.jsonl"
    proc = run(
        "batch", "inbox", "-o", "lib", "-p", "plug.toml", "--log-format", "json",
        "--log-file", str(log), cwd=tmp_path,
    )  # fmt: skip
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[-1]["event"] == "batch_finished" and events[-1]["waiting"] == 2
    # and the hint works
    proc = run("batch", "inbox", "-o", "lib", "-p", "plug.toml", "--settle", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "2 done" in proc.stderr.strip().splitlines()[-1]
