from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from helpers.fake import fake_pipeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitize import pipeline as pipelines
from digitize.errors import PipelineError

GOOD = """
[pipeline]
name = "t"
lang = "vie"
on_error = "abort"
[[stage]]
use = "ocr.fake"
conf = 0.5
[[stage]]
use = "layout.fakeflow"
[[stage]]
use = "export.shout"
bang = "?"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "p.toml"
    p.write_text(text)
    return p


def test_loads_and_validates(plugin: Path, tmp_path: Path) -> None:
    pipe = pipelines.load(str(write(tmp_path, GOOD)))
    assert [s.name for s in pipe.stages] == ["ocr.fake", "layout.fakeflow", "export.shout"]
    assert pipe.lang == "vie" and pipe.on_error == "abort"
    assert pipe.page_stages[0].options.conf == 0.5
    assert pipe.exporters[0].options.bang == "?"


def test_unknown_stage_lists_installed(plugin: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as e:
        pipelines.load(str(write(tmp_path, GOOD.replace("ocr.fake", "ocr.fak"))))
    assert "did you mean 'ocr.fake'" in str(e.value)
    assert "export.shout" in str(e.value)  # the installed stages are listed


def test_unknown_option_lists_valid(plugin: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"unknown option 'conff'.*valid: conf"):
        pipelines.load(str(write(tmp_path, GOOD.replace("conf = 0.5", "conff = 0.5"))))


def test_wrong_type(plugin: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="expected a number"):
        pipelines.load(str(write(tmp_path, GOOD.replace("conf = 0.5", 'conf = "high"'))))
    with pytest.raises(PipelineError, match="on_error"):
        pipelines.load(str(write(tmp_path, GOOD.replace('"abort"', '"ignore"'))))


def test_impossible_order(plugin: Path, tmp_path: Path) -> None:
    text = """
[[stage]]
use = "layout.fakeflow"
[[stage]]
use = "ocr.fake"
"""
    with pytest.raises(PipelineError, match=r"cannot come after|cannot follow"):
        pipelines.load(str(write(tmp_path, text)))


def test_syntax_error_is_a_pipeline_error(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="TOML syntax error"):
        pipelines.load(str(write(tmp_path, "[pipeline\nname=")))


def test_overrides(plugin: Path, tmp_path: Path) -> None:
    pipe = pipelines.load(
        str(write(tmp_path, GOOD)),
        ["ocr.fake.conf=0.25", "pipeline.lang=eng", "export.shout.bang=!!"],
    )
    assert pipe.page_stages[0].options.conf == 0.25
    assert pipe.lang == "eng"
    assert pipe.exporters[0].options.bang == "!!"
    with pytest.raises(PipelineError, match="not in pipeline"):
        pipelines.load(str(write(tmp_path, GOOD)), ["ocr.tesseract.psm=6"])
    with pytest.raises(PipelineError, match=r"expected STAGE\.OPTION=VALUE"):
        pipelines.load(str(write(tmp_path, GOOD)), ["psm6"])


def test_to_replaces_exporters(plugin: Path, tmp_path: Path) -> None:
    pipe = pipelines.load(str(write(tmp_path, GOOD)))
    assert [s.name for s in pipelines.with_exporters(pipe, ["shout"]).exporters] == ["export.shout"]
    assert pipelines.with_exporters(pipe, ["shout"]).exporters[0].options.bang == "?"  # kept
    with pytest.raises(PipelineError, match=r"no exporter .export\.nope."):
        pipelines.with_exporters(pipe, ["nope"])


def test_round_trips_through_toml(plugin: Path, tmp_path: Path) -> None:
    pipe = pipelines.load(str(write(tmp_path, GOOD)))
    again = pipelines.load(str(write(tmp_path, pipe.to_toml())))
    assert [(s.name, s.options) for s in again.stages] == [(s.name, s.options) for s in pipe.stages]


def test_bundled_pipelines_are_valid() -> None:
    found = pipelines.available()
    assert "textbook" in found
    for name in found:
        pipe = pipelines.load(name)
        assert pipe.exporters, f"{name} exports nothing"


values = st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=8), st.booleans())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=st.dictionaries(st.text(max_size=10), values, max_size=4),
    stages=st.lists(
        st.dictionaries(
            st.sampled_from(["use", "conf", "bang", "psm", "x"]),
            st.one_of(
                values, st.sampled_from(["ocr.fake", "export.shout", "layout.fakeflow", "nope"])
            ),
            max_size=3,
        ),
        max_size=4,
    ),
)
def test_loader_never_crashes_on_random_input(plugin: Path, head: dict, stages: list) -> None:
    """Random pipeline data either loads or raises PipelineError — nothing else."""
    with contextlib.suppress(PipelineError):
        pipelines.from_dict({"pipeline": head, "stage": stages})


def test_shipped_pipelines_are_package_data_found_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel carries pipelines/ as digitize/pipelines (a link in the checkout): `-p textbook`
    must work wherever the user runs it, not only inside a checkout."""
    import tomllib

    import digitize

    shipped = Path(digitize.__file__).parent / "pipelines"
    assert (shipped / "textbook.toml").is_file()
    root = Path(digitize.__file__).parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "pipelines/*.toml" in config["tool"]["setuptools"]["package-data"]["digitize"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGITIZE_PIPELINES", raising=False)
    assert pipelines.available()["textbook"].resolve() == (shipped / "textbook.toml").resolve()


def test_a_stage_identity_is_what_its_cache_keys_depend_on(plugin: Path) -> None:
    pipe = pipelines.from_dict(fake_pipeline(shout={"bang": "?"}))
    shout = pipe.stages[-1]
    assert shout.identity == ("export.shout", shout.cls.version, shout.create().options_digest())
    assert pipe.identities == tuple(s.identity for s in pipe.stages)
    other = pipelines.from_dict(fake_pipeline(shout={"bang": "!"}))
    assert other.identities[:-1] == pipe.identities[:-1]
    assert other.identities[-1] != pipe.identities[-1]
