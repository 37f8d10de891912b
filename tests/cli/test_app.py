"""The CLI as a user meets it: one-line errors, documented exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import assert_one_line_error, cli, run
from helpers.fake import as_toml, fake_pipeline

from digitize.errors import ExitCode

PIPE = as_toml(fake_pipeline(name="plug", shout={"bang": "!!"}))


def test_third_party_exporter_runs_from_a_pipeline_file(
    plugin: Path, fake_book: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE)
    proc = run(
        "convert", str(fake_book), "-o", str(tmp_path / "out"), "-p", str(pipe), "--jobs", "2"
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out/book.fake.shout").read_text().splitlines()[0] == "MỘT HAI BA!!"
    report = json.loads((tmp_path / "out/book.fake.report.json").read_text())
    assert report["pipeline"]["stages"][-1] == "export.shout@1"
    stages = run("stages")
    assert "export.shout" in stages.stdout and "appended to each paragraph" in stages.stdout


def test_missing_input(plugin: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE)
    proc = run("convert", str(tmp_path / "nope.pdf"), "-o", str(tmp_path / "o"), "-p", str(pipe))
    assert_one_line_error(proc, ExitCode.BAD_INPUT, "nope.pdf", "no such file")


def test_unsupported_input(plugin: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE)
    bad = tmp_path / "notes.docx"
    bad.write_text("x")
    proc = run("convert", str(bad), "-o", str(tmp_path / "o"), "-p", str(pipe))
    assert_one_line_error(proc, ExitCode.BAD_INPUT, "notes.docx", "unsupported input")
    assert not (tmp_path / "o" / "notes.docx.shout").exists()


def test_unknown_stage_and_option(plugin: Path, fake_book: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE.replace("export.shout", "export.shoot"))
    proc = run("convert", str(fake_book), "-p", str(pipe), "-o", str(tmp_path / "o"))
    assert_one_line_error(proc, ExitCode.USAGE, "unknown stage 'export.shoot'", "export.shout")
    pipe.write_text(PIPE)
    proc = run("convert", str(fake_book), "-p", str(pipe), "--set", "ocr.fake.confidence=1")
    assert_one_line_error(proc, ExitCode.USAGE, "unknown option 'confidence'", "valid: conf")
    proc = run("check", str(pipe))
    assert proc.returncode == 0 and "ingest.fake → ocr.fake" in proc.stdout


def test_unknown_pipeline_name(tmp_path: Path) -> None:
    proc = run("convert", "x.pdf", "-p", "no-such-pipeline", cwd=tmp_path)
    assert_one_line_error(proc, ExitCode.USAGE, "unknown pipeline 'no-such-pipeline'", "textbook")


def test_partial_failure_exit_code(plugin: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE.replace('name = "plug"', 'name = "plug"\nmax_failed_ratio = 0.5'))
    book = tmp_path / "b.fake"
    book.write_text('{"pages": ["một", "FAIL", "ba"]}')
    proc = run("--quiet", "convert", str(book), "-p", str(pipe), "-o", str(tmp_path / "o"))
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    assert "page 2" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "o/b.fake.shout").is_file()


def test_json_log_events(plugin: Path, fake_book: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE)
    log = tmp_path / "log.jsonl"
    proc = run(
        "--log-format",
        "json",
        "--log-file",
        str(log),
        "convert",
        str(fake_book),
        "-p",
        str(pipe),
        "-o",
        str(tmp_path / "o"),
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["event"] for e in events] == ["book_started", "book_finished"]
    assert events[1]["pages"] == 3 and events[1]["pages_failed"] == 0


@pytest.mark.tesseract
def test_doctor_reports_tesseract_and_languages() -> None:
    proc = run("doctor")
    assert proc.returncode == 0, proc.stderr
    tess = next(line for line in proc.stdout.splitlines() if "│ tesseract " in line)
    assert "not found" not in tess and "5." in tess
    langs = next(line for line in proc.stdout.splitlines() if "│ languages" in line)
    assert "vie" in langs and "eng" in langs and "missing" not in langs


def test_site_and_cover_flags(plugin: Path, fake_book: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(
        PIPE.replace(
            'use = "export.shout"\nbang = "!!"',
            'use = "export.html"\n[[stage]]\nuse = "export.epub"',
        )
    )
    cover = tmp_path / "bia.png"
    from PIL import Image

    Image.new("RGB", (60, 90), "red").save(cover)
    out = tmp_path / "o"
    proc = run(
        "convert", str(fake_book), "-p", str(pipe), "-o", str(out), "--site", "--cover", str(cover)
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "book.fake_html" / "index.html").is_file() and not (
        out / "book.fake.html"
    ).exists()
    import zipfile

    with zipfile.ZipFile(out / "book.fake.epub") as z:
        assert any("cover" in n and n.endswith((".png", ".jpg")) for n in z.namelist())
    proc = run(
        "convert",
        str(fake_book),
        "-p",
        str(pipe),
        "-o",
        str(out),
        "--cover",
        str(tmp_path / "nope.png"),
    )
    assert_one_line_error(proc, ExitCode.USAGE, "--cover", "no such file")


@pytest.mark.parametrize("jobs", ["2", "1"])  # in workers, and in-process (--jobs 1)
def test_native_stderr_of_workers_stays_out_of_json_logs(
    plugin: Path, fake_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    pipe = tmp_path / "plug.toml"
    pipe.write_text(PIPE)
    monkeypatch.setenv("FAKE_OCR_STDERR", "1")
    args = [
        "convert",
        str(fake_book),
        "-p",
        str(pipe),
        "-o",
        str(tmp_path / "o"),
        "--jobs",
        jobs,
        "--no-cache",
    ]
    proc = run("--log-format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    assert "native noise" not in proc.stderr
    assert all(json.loads(line) for line in proc.stderr.splitlines())  # every line is JSON
    args[args.index("-o") + 1] = str(tmp_path / "o2")  # a fresh output: the OCR runs again
    proc = run("--debug", *args)
    assert "native noise" in proc.stderr


def test_doctor_says_when_tesserocr_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tesserocr wheel with its own libtesseract is installed but `auto` runs the CLI: the
    doctor says so, and how to build a matching one (else OCR is slower, silently)."""
    from digitize.stages.ocr import _tesseract_engines as eng

    monkeypatch.setattr(eng, "tesserocr_version", lambda: "2.13.0 (libtesseract 5.5.4)")
    monkeypatch.setattr(eng, "cli_version", lambda: "5.3.0")
    code, text = cli("doctor")
    row = " ".join(text.split())
    assert code == 0
    assert "2.13.0 (libtesseract 5.5.4) not used" in row and "install-tesserocr.sh" in row
    monkeypatch.setattr(eng, "cli_version", lambda: "5.5.4")
    code, text = cli("doctor")
    assert "not used" not in " ".join(text.split())
