"""The README as a new user reads it: its commands run as written, from a folder that is not the
checkout, and its reference tables match the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pymupdf
import pytest
from helpers import ROOT

from digitize.engine.metadata import BOOK_TOML_KEYS, load_meta
from digitize.errors import BadInput

README = (ROOT / "README.md").read_text(encoding="utf-8")
# Commands the test does not run: they install system packages, touch services, never end, open
# a browser or a server (proof), or take many minutes. Everything else in a ```sh block must exit 0.
DENY = ("make ", "systemctl ", "journalctl ", "--watch", "--open", "digitize proof")


def sh_commands(markdown: str) -> list[str]:
    """The commands of the ```sh blocks, with their trailing comments."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        for line in block.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(line.strip())
    return commands


def test_alternatives_are_not_written_as_pipes() -> None:
    """`digitize cache info | digitize cache clear`, typed as shown, empties the cache."""
    for command in sh_commands(README):
        code = command.split("  #")[0]
        assert not re.search(r"\|\s*digitize\b", code), f"a pipe into digitize: {command}"
    for block in re.findall(r"```(?:sh|cron|ini)\n(.*?)```", README, re.S):
        assert "pipelines/textbook.toml" not in block, "runs only inside the checkout"


def test_book_toml_table_lists_exactly_the_keys_the_loader_accepts(tmp_path: Path) -> None:
    section = README.split("### Book metadata", 1)[1].split("\n## ", 1)[0]
    keys = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert sorted(keys) == sorted(BOOK_TOML_KEYS)
    assert len(keys) == len(set(keys))
    # and the example in that section is a book.toml the loader takes
    example = re.search(r"```toml\n# book.toml\n(.*?)```", section, re.S)
    assert example
    (tmp_path / "book.toml").write_text(example[1], encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"")
    meta = load_meta(tmp_path / "b.pdf", None, {})
    assert meta["title"] == "Toán 10" and len(meta["authors"]) == 2 and meta["date"] == "2024"
    (tmp_path / "book.toml").write_text('titel = "x"\n', encoding="utf-8")
    with pytest.raises(BadInput, match="valid: " + ", ".join(sorted(keys))):
        load_meta(tmp_path / "b.pdf", None, {})


def _settled(path: Path) -> None:
    """Books copied long ago: --settle takes them at once (a fresh copy waits, by design)."""
    old = time.time() - 3600
    for p in [path, *path.rglob("*")]:
        os.utime(p, (old, old))


@pytest.mark.slow
@pytest.mark.tesseract
def test_readme_commands_run_as_written_outside_the_checkout(
    tmp_path: Path, shared_cache: Path
) -> None:
    """In a folder holding what the README's prose names (book.pdf, scans/, inbox/, ~/scans),
    each command of its ```sh blocks is run by the shell exactly as written."""
    work, home = tmp_path / "work", tmp_path / "home"
    sample = ROOT / "samples" / "sach-mau.pdf"
    for folder in (work / "inbox", home / "scans", work / "scans"):
        folder.mkdir(parents=True)
    shutil.copy(sample, work / "book.pdf")
    shutil.copy(sample, work / "inbox" / "sach-mau.pdf")
    shutil.copy(sample, home / "scans" / "sach-mau.pdf")
    with pymupdf.open(sample) as doc:
        for i in range(2):
            doc[i].get_pixmap(dpi=200).save(work / "scans" / f"page-{i + 1}.png")
    _settled(work / "inbox")
    _settled(home / "scans")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(shared_cache),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("DIGITIZE_PIPELINES", None)
    ran = []
    for command in sh_commands(README):
        if any(d in command.split("  #")[0] for d in DENY):
            continue
        proc = subprocess.run(
            ["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=900
        )
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        ran.append(command)
    assert len(ran) >= 16 and any(c.startswith("digitize report") for c in ran), ran
    assert (work / "out" / "book.epub").is_file()
    assert (work / "fixed" / "book.epub").is_file()
    assert (work / "out" / "book_html" / "index.html").is_file()  # --site
    assert (work / "library" / "sach-mau" / "sach-mau.epub").is_file()
    assert (home / "library" / "last-run.json").is_file()
    assert "[[stage]]" in (work / "my-pipeline.toml").read_text(encoding="utf-8")
