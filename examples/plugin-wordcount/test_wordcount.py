"""The plugin's own test: digitize's contract for exporters, on digitize's sample book."""

from pathlib import Path

from digitize_wordcount import WordCountExporter, WordCountOptions

from digitize.testing import check_exporter


def test_contract(tmp_path: Path) -> None:
    check_exporter(WordCountExporter, tmp_path)  # pytest's tmp_path: a fresh folder per test


def test_sections(tmp_path: Path) -> None:
    [path] = check_exporter(WordCountExporter, tmp_path, WordCountOptions(level=2))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "words\tsection"
    assert lines[-1].endswith("\ttotal")
    assert int(lines[-1].split("\t")[0]) == sum(int(ln.split("\t")[0]) for ln in lines[2:-1])
