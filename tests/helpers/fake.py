"""The fake plugin (tests/plugins/digitize_fakeplugin.py) and pipelines made of its stages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A folder to put on sys.path / PYTHONPATH: the plugin module and its .dist-info (entry points).
PLUGIN_DIR = Path(__file__).resolve().parents[1] / "plugins"


def fake_pipeline(
    *, split: bool = False, shout: dict[str, Any] | None = None, **head: Any
) -> dict[str, Any]:
    """A pipeline (as `pipeline.from_dict` takes it): fake ingest → [split] → OCR → flow →
    the `export.shout` exporter with options `shout`; `head` goes in the [pipeline] table."""
    stages: list[dict[str, Any]] = [{"use": "ingest.fake"}]
    if split:
        stages.append({"use": "preprocess.fakesplit"})
    stages += [
        {"use": "ocr.fake"},
        {"use": "layout.fakeflow"},
        {"use": "export.shout", **(shout or {})},
    ]
    return {"pipeline": head, "stage": stages}


def as_toml(data: dict[str, Any]) -> str:
    """A pipeline dict as a pipeline file (flat scalar values only, which is all pipelines use)."""

    def table(values: dict[str, Any]) -> list[str]:
        return [f"{k} = {json.dumps(v)}" for k, v in values.items()]

    lines = ["[pipeline]", *table(data["pipeline"])]
    for stage in data["stage"]:
        lines += ["[[stage]]", *table(stage)]
    return "\n".join(lines) + "\n"
