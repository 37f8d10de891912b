"""Pipeline files (`pipelines/*.toml`): load, validate everything before work starts, override.

A pipeline is the ordered list of stages a book goes through. Validation happens up front so that
an unattended run fails in the first second, not after an hour of OCR: unknown stage (listing the
installed ones), unknown option key (listing the valid ones), wrong type, impossible order.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import digitize
from digitize import registry
from digitize.errors import PipelineError
from digitize.options import coerce_option, option_specs
from digitize.stage import BookStage, Exporter, Ingester, PageStage, Stage

# Stage kinds in the only order that makes sense: boxes from OCR refer to the preprocessed image,
# and book stages see every page.
_KIND_RANK = {"ingest": 0, "preprocess": 1, "ocr": 2, "layout": 3, "export": 5}

PIPELINE_KEYS = {
    "name": "short name of the pipeline",
    "description": "one line shown by `digitize pipelines`",
    "lang": "Tesseract languages, e.g. 'vie+eng'",
    "on_error": "per failed page: 'abort' the book or 'skip' the page (listed in the report)",
    "max_failed_ratio": "with on_error='skip': fail the book when more pages than this fail",
    "dpi": "resolution PDF pages are rasterised at",
}


@dataclass(frozen=True)
class StageSpec:
    """One configured stage: its class and validated options."""

    name: str
    cls: type[Stage[Any]]
    options: Any

    def create(self) -> Stage[Any]:
        return self.cls(self.options)

    @property
    def kind(self) -> str:
        return self.cls.kind

    @property
    def identity(self) -> tuple[str, str, str]:
        """(name, version, options digest): what this stage's cached results depend on. Every
        cache key and pipeline digest is built from these three."""
        return self.name, self.cls.version, self.create().options_digest()


@dataclass(frozen=True)
class Pipeline:
    name: str
    description: str = ""
    lang: str = "vie+eng"
    on_error: Literal["abort", "skip"] = "skip"
    max_failed_ratio: float = 0.2
    dpi: int = 300
    stages: tuple[StageSpec, ...] = ()
    source: str = ""

    @property
    def identities(self) -> tuple[tuple[str, str, str], ...]:
        """Each stage's `StageSpec.identity`, in order."""
        return tuple(s.identity for s in self.stages)

    @property
    def ingesters(self) -> tuple[StageSpec, ...]:
        return tuple(s for s in self.stages if issubclass(s.cls, Ingester))

    @property
    def page_stages(self) -> tuple[StageSpec, ...]:
        return tuple(s for s in self.stages if issubclass(s.cls, PageStage))

    @property
    def book_stages(self) -> tuple[StageSpec, ...]:
        return tuple(s for s in self.stages if issubclass(s.cls, BookStage))

    @property
    def exporters(self) -> tuple[StageSpec, ...]:
        return tuple(s for s in self.stages if issubclass(s.cls, Exporter))

    def to_toml(self) -> str:
        """The pipeline as a TOML file (for `digitize pipelines show`)."""
        lines = ["[pipeline]"]
        for key in PIPELINE_KEYS:
            lines.append(f"{key} = {_toml_value(getattr(self, key))}")
        for spec in self.stages:
            lines += ["", "[[stage]]", f"use = {_toml_value(spec.name)}"]
            default = spec.cls.Options()
            for f in dataclasses.fields(spec.options):
                value = getattr(spec.options, f.name)
                if value != getattr(default, f.name):
                    lines.append(f"{f.name} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if v is None:
        return '"none"'
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


# ---------------------------------------------------------------- finding pipeline files


def search_dirs() -> list[Path]:
    """Where `-p NAME` looks: $DIGITIZE_PIPELINES, ./pipelines, then the ones shipped with
    digitize (`digitize/pipelines` links to the checkout's pipelines/, so a wheel carries them)."""
    dirs = []
    env = os.environ.get("DIGITIZE_PIPELINES")
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(Path.cwd() / "pipelines")
    dirs.append(Path(digitize.__file__).parent / "pipelines")
    seen: list[Path] = []
    for d in dirs:
        d = d.resolve()
        if d not in seen:
            seen.append(d)
    return seen


def available() -> dict[str, Path]:
    """Pipeline name → file, earlier search dirs winning."""
    found: dict[str, Path] = {}
    for d in reversed(search_dirs()):
        if d.is_dir():
            for f in sorted(d.glob("*.toml")):
                found[f.stem] = f
    return dict(sorted(found.items()))


def find(name_or_path: str) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or os.sep in name_or_path:
        if not p.is_file():
            raise PipelineError(f"pipeline file {p} not found")
        return p
    known = available()
    if name_or_path in known:
        return known[name_or_path]
    raise PipelineError(
        f"unknown pipeline {name_or_path!r}; available: {', '.join(known) or 'none'}"
    )


# ---------------------------------------------------------------- loading and validation


def load(name_or_path: str, overrides: list[str] | tuple[str, ...] = ()) -> Pipeline:
    path = find(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise PipelineError(f"{path}: TOML syntax error: {e}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise PipelineError(f"{path}: cannot read: {e}") from e
    return from_dict(data, source=str(path), overrides=overrides)


def from_dict(
    data: dict[str, Any], source: str = "<pipeline>", overrides: list[str] | tuple[str, ...] = ()
) -> Pipeline:
    where = source
    unknown_top = set(data) - {"pipeline", "stage"}
    if unknown_top:
        raise PipelineError(
            f"{where}: unknown table(s) {', '.join(sorted(unknown_top))}; expected [pipeline] and [[stage]]"
        )
    head = data.get("pipeline", {})
    stages_raw = data.get("stage", [])
    if not isinstance(head, dict) or not isinstance(stages_raw, list):
        raise PipelineError(f"{where}: [pipeline] must be a table and [[stage]] an array of tables")
    head = dict(head)
    stage_opts: list[dict[str, Any]] = [dict(s) for s in stages_raw if isinstance(s, dict)]
    if len(stage_opts) != len(stages_raw):
        raise PipelineError(f"{where}: every [[stage]] must be a table")

    kwargs: dict[str, Any] = {"name": Path(source).stem, "source": source}
    kwargs.update(_head_values(head, f"{where}: [pipeline]"))
    specs = tuple(_stage_spec(raw, i, where) for i, raw in enumerate(stage_opts, 1))
    _check_order(specs, where)
    return with_overrides(Pipeline(stages=specs, **kwargs), overrides)


_HEAD_TYPES: dict[str, Any] = {
    "name": str,
    "description": str,
    "lang": str,
    "on_error": Literal["abort", "skip"],
    "max_failed_ratio": float,
    "dpi": int,
}


def _head_values(head: dict[str, Any], where: str) -> dict[str, Any]:
    """Validated `[pipeline]` settings (all of them, or the one a `--set pipeline.KEY` names)."""
    _check_keys(head, PIPELINE_KEYS, where)
    values: dict[str, Any] = {}
    for key, value in head.items():
        try:
            values[key] = coerce_option(_HEAD_TYPES[key], value)
        except ValueError as e:
            raise PipelineError(f"{where} {key}: {e}, got {value!r}") from e
    if not 0.0 <= values.get("max_failed_ratio", 0.2) <= 1.0:
        raise PipelineError(f"{where} max_failed_ratio must be between 0 and 1")
    if not 50 <= values.get("dpi", 300) <= 1200:
        raise PipelineError(f"{where} dpi must be between 50 and 1200")
    return values


def _stage_spec(raw: dict[str, Any], number: int, where: str) -> StageSpec:
    raw = dict(raw)
    name = raw.pop("use", None)
    if not isinstance(name, str):
        raise PipelineError(f'{where}: stage #{number} has no `use = "kind.name"`')
    cls = registry.load_stage(name)
    return StageSpec(name, cls, make_options(cls, raw, f"{where}: stage {name!r}"))


def make_options(cls: type[Stage[Any]], raw: dict[str, Any], where: str) -> Any:
    """Validate `raw` against the stage's Options schema and build the Options instance."""
    specs = {s.name: s for s in option_specs(cls.Options)}
    _check_keys(raw, specs, where)
    values = {}
    for key, value in raw.items():
        try:
            values[key] = coerce_option(specs[key].type, value)
        except ValueError as e:
            raise PipelineError(f"{where}: option {key!r}: {e}, got {value!r}") from e
    return cls.Options(**values)


def _check_keys(given: dict[str, Any], valid: Any, where: str) -> None:
    for key in given:
        if key not in valid:
            close = difflib.get_close_matches(key, list(valid), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise PipelineError(
                f"{where}: unknown option {key!r}; {hint}valid: {', '.join(valid) or 'none'}"
            )


def _check_order(specs: tuple[StageSpec, ...], where: str) -> None:
    seen_book_stage: str | None = None
    prev: StageSpec | None = None
    for spec in specs:
        if prev and _KIND_RANK.get(spec.kind, 3) < _KIND_RANK.get(prev.kind, 3):
            raise PipelineError(
                f"{where}: stage {spec.name!r} ({spec.kind}) cannot come after "
                f"{prev.name!r} ({prev.kind}); order is ingest, preprocess, ocr, layout, export"
            )
        if issubclass(spec.cls, PageStage) and seen_book_stage:
            raise PipelineError(
                f"{where}: page stage {spec.name!r} cannot follow book stage {seen_book_stage!r}"
            )
        if issubclass(spec.cls, BookStage):
            seen_book_stage = spec.name
        prev = spec
    names = [s.name for s in specs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise PipelineError(f"{where}: stage(s) listed twice: {', '.join(sorted(dupes))}")


def with_overrides(pipeline: Pipeline, overrides: list[str] | tuple[str, ...]) -> Pipeline:
    """Apply `--set STAGE.OPTION=VALUE` (or `pipeline.KEY=VALUE`) items to the stages the run
    uses: call it after `with_exporters`, so an exporter chosen by `--to` (a plugin's too) can
    be set. Values are strings from the command line, coerced to the option's type."""
    for item in overrides:
        target, eq, value = item.partition("=")
        stage, _, key = target.strip().rpartition(".")
        if not eq or not stage or not key:
            raise PipelineError(
                f"--set {item!r}: expected STAGE.OPTION=VALUE, e.g. ocr.tesseract.psm=6"
            )
        if stage == "pipeline":
            changes = _head_values({key: value}, f"--set {item!r}: [pipeline]")
            pipeline = dataclasses.replace(pipeline, **changes)
            continue
        if stage.startswith("ingest.") and not pipeline.ingesters:
            pipeline = _with_installed_ingesters(pipeline)
        spec = next((s for s in pipeline.stages if s.name == stage), None)
        if spec is None:
            used = ", ".join(s.name for s in pipeline.stages)
            raise PipelineError(
                f"--set {item!r}: stage {stage!r} is not in pipeline {pipeline.source or pipeline.name}; "
                f"its stages: {used}"
            )
        coerced = getattr(
            make_options(spec.cls, {key: value}, f"--set {item!r}: stage {stage!r}"), key
        )
        pipeline = with_stage_options(pipeline, stage, **{key: coerced})
    return pipeline


def _with_installed_ingesters(pipeline: Pipeline) -> Pipeline:
    """A pipeline that lists no ingester uses every installed one (the first that accepts the
    input wins); list them, so that `--set ingest.images.min_side=32` has a stage to reach."""
    specs = []
    for name in registry.stage_names():
        if name.startswith("ingest."):
            cls = registry.load_stage(name)
            specs.append(StageSpec(name, cls, cls.Options()))
    return dataclasses.replace(pipeline, stages=(*specs, *pipeline.stages))


def with_exporters(pipeline: Pipeline, formats: list[str]) -> Pipeline:
    """Replace the pipeline's exporters by `export.<name>` for each name in `formats` (`--to`).

    Options configured in the pipeline for an exporter that stays are kept.
    """
    kept = {s.name: s for s in pipeline.exporters}
    specs: list[StageSpec] = []
    for fmt in formats:
        name = fmt if fmt.startswith("export.") else f"export.{fmt}"
        if name in kept:
            specs.append(kept[name])
            continue
        try:
            cls = registry.load_stage(name)
        except PipelineError:
            known = [
                n.removeprefix("export.") for n in registry.stage_names() if n.startswith("export.")
            ]
            raise PipelineError(
                f"--to {fmt!r}: no exporter {name!r}; available: {', '.join(known)}"
            ) from None
        specs.append(StageSpec(name, cls, cls.Options()))
    stages = tuple(s for s in pipeline.stages if not issubclass(s.cls, Exporter)) + tuple(specs)
    return dataclasses.replace(pipeline, stages=stages)


def with_stage_options(pipeline: Pipeline, name: str, **changes: Any) -> Pipeline:
    """Return a copy with options of stage `name` changed (used by the CLI's own flags)."""
    stages = tuple(
        dataclasses.replace(s, options=dataclasses.replace(s.options, **changes))
        if s.name == name
        else s
        for s in pipeline.stages
    )
    return dataclasses.replace(pipeline, stages=stages)


__all__ = [
    "Pipeline",
    "StageSpec",
    "available",
    "find",
    "from_dict",
    "load",
    "make_options",
    "with_exporters",
    "with_overrides",
    "with_stage_options",
]
