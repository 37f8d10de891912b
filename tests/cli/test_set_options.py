"""`--set STAGE.OPTION=VALUE` reaches every stage of the run, `--to`'s exporters included."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from helpers.cli import cli
from helpers.fake import as_toml, fake_pipeline

from digitize import pipeline as pipelines
from digitize.errors import ExitCode, PipelineError


def convert(book: Path, pipe: Path, *args: str) -> tuple[int, str]:
    """`digitize convert BOOK -p PIPE -o BOOK_DIR/o ARGS...`."""
    return cli("convert", str(book), "-p", str(pipe), "-o", str(book.parent / "o"), *args)


@pytest.fixture
def pipe(plugin: Path, tmp_path: Path) -> Path:
    p = tmp_path / "plug.toml"
    p.write_text(as_toml(_ending_in("export.txt")))
    return p


def test_set_reaches_a_plugin_exporter_added_by_to(
    pipe: Path, fake_book: Path, tmp_path: Path
) -> None:
    code, output = convert(fake_book, pipe, "--set", "export.shout.bang=?!", "--to", "txt,shout")
    assert code == 0, output
    assert (tmp_path / "o/book.fake.shout").read_text().splitlines()[0] == "MỘT HAI BA?!"
    assert (tmp_path / "o/book.fake.txt").is_file()


def test_set_reaches_a_builtin_exporter_added_by_to(
    pipe: Path, fake_book: Path, tmp_path: Path
) -> None:
    """The issue's own line: `--set export.pdf.jpeg_quality=50 --to pdf`."""
    code, output = convert(
        fake_book,
        pipe,
        "--set",
        "export.pdf.jpeg_quality=50",
        "--to",
        "pdf",
        "--set",
        "ocr.fake.conf=0.5",
    )
    assert code == 0, output
    with pymupdf.open(tmp_path / "o/book.fake.ocr.pdf") as doc:
        assert doc.page_count == 3
    report = json.loads((tmp_path / "o/book.fake.report.json").read_text())
    assert report["pipeline"]["stages"][-1].startswith("export.pdf@")
    pipe_obj = pipelines.with_overrides(
        pipelines.with_exporters(pipelines.load(str(pipe)), ["pdf"]),
        ["export.pdf.jpeg_quality=50"],
    )
    assert pipe_obj.exporters[0].options.jpeg_quality == 50


def test_unknown_keys_and_stages_still_fail_with_the_valid_ones(
    pipe: Path, fake_book: Path, tmp_path: Path
) -> None:
    args = [
        "convert",
        str(fake_book),
        "-p",
        str(pipe),
        "-o",
        str(fake_book.parent / "o"),
        "--to",
        "shout",
    ]
    code, output = cli(*args, "--set", "export.shout.bangs=!")
    assert code == ExitCode.USAGE
    assert "unknown option 'bangs'" in output and "valid: bang" in output
    code, output = cli(*args, "--set", "export.txt.wrap=3")  # txt was replaced by --to
    assert code == ExitCode.USAGE
    flat = " ".join(output.split())
    assert "'export.txt' is not in pipeline" in flat
    assert "its stages: ingest.fake, ocr.fake, layout.fakeflow, export.shout" in flat
    code, output = cli(*args, "--set", "export.shout.bang")
    assert code == ExitCode.USAGE and "expected STAGE.OPTION=VALUE" in output
    assert not (tmp_path / "o").exists()


def test_pipeline_keys_are_validated_when_set(pipe: Path) -> None:
    p = pipelines.load(str(pipe), ["pipeline.lang=eng", "pipeline.dpi=200"])
    assert (p.lang, p.dpi) == ("eng", 200)
    with pytest.raises(PipelineError, match="dpi must be between"):
        pipelines.load(str(pipe), ["pipeline.dpi=20"])
    with pytest.raises(PipelineError, match="unknown option 'langs'"):
        pipelines.load(str(pipe), ["pipeline.langs=eng"])


def _ending_in(exporter: str) -> dict[str, object]:
    """The fake plugin's pipeline with `exporter` instead of its own."""
    data = fake_pipeline(name="plug")
    data["stage"][-1] = {"use": exporter}
    return data
