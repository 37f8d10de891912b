"""docs/plugins.md: its code is the example package's files, and its commands work as written."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from helpers import ROOT
from helpers.cli import digitize_cmd

from digitize.testing import check_exporter

GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "plugin-wordcount"
FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", re.S)


def sh_commands(markdown: str) -> list[str]:
    """The commands of a markdown text's ```sh blocks, comments removed."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def load_example(source: str, name: str = "digitize_wordcount_guide") -> ModuleType:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}_{os.getpid()}.py"
    path.write_text(source, encoding="utf-8")
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        path.unlink()


def test_the_guide_shows_the_example_files_verbatim() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    shown = {path: body for path, body in FILE_BLOCK.findall(text)}
    files = {
        str(p.relative_to(ROOT))
        for p in EXAMPLE.iterdir()
        if p.is_file() and p.suffix in (".py", ".toml")
    }
    assert set(shown) == files
    for path, body in shown.items():
        assert body == (ROOT / path).read_text(encoding="utf-8"), f"{path} differs from the guide"


def test_the_example_exporter_passes_the_contract_and_needs_clean_text(tmp_path: Path) -> None:
    source = (EXAMPLE / "digitize_wordcount.py").read_text(encoding="utf-8")
    module = load_example(source)
    [path] = check_exporter(module.WordCountExporter, tmp_path / "ok")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "words\tsection" and lines[-1].endswith("\ttotal")
    assert any(line.split("\t")[1].startswith("Chương 1.") for line in lines[2:])
    # The guide says the contract fails without clean_text: check that it does.
    raw = source.replace("from digitize.text import clean_text", "clean_text = str")
    assert raw != source
    unsafe = load_example(raw, "digitize_wordcount_unsafe")
    with pytest.raises(AssertionError, match="control/bidi character"):
        check_exporter(unsafe.WordCountExporter, tmp_path / "unsafe")


@pytest.mark.slow
@pytest.mark.tesseract
def test_the_guide_commands_run_as_written(tmp_path: Path, shared_cache: Path) -> None:
    """A copy of the checkout's example and sample; `pip install PATH` is run as a wheel build
    (offline: --no-build-isolation) installed with --target into a folder on PYTHONPATH, so the
    project's environment is left as it was."""
    work = tmp_path / "checkout"
    shutil.copytree(EXAMPLE, work / "examples" / "plugin-wordcount")
    (work / "samples").mkdir()
    shutil.copy(ROOT / "samples" / "sach-mau.pdf", work / "samples")
    site = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(shared_cache)}
    commands = sh_commands(GUIDE.read_text(encoding="utf-8"))
    assert any(c.startswith("pip install") for c in commands)
    assert any("--to epub,wordcount" in c for c in commands)
    for command in commands:
        argv = shlex.split(command)
        if argv[:2] == ["pip", "install"]:
            pip = [sys.executable, "-m", "pip", "-q"]
            dist = tmp_path / "dist"
            build = subprocess.run(
                [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), *argv[2:]],
                cwd=work, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert build.returncode == 0, build.stderr
            argv = [
                *pip,
                "install",
                "--no-deps",
                "--target",
                str(site),
                *map(str, dist.glob("*.whl")),
            ]
        elif argv[0] == "digitize":
            argv = [*digitize_cmd(), *argv[1:]]
        elif argv[0] == "pytest":
            argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv[1:]]
        proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"
        if argv[-1] == "stages":
            assert "export.wordcount" in proc.stdout
    counts = (work / "out" / "sach-mau.wordcount.txt").read_text(encoding="utf-8").splitlines()
    assert (work / "out" / "sach-mau.epub").is_file()
    total = int(counts[-1].split("\t")[0])
    assert total == sum(int(line.split("\t")[0]) for line in counts[2:-1]) > 100
