"""The batch inbox's pipeline digest: a rerun redoes books only when the pipeline changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.fake import fake_pipeline

from digitize import pipeline as pipelines
from digitize.batch.inbox import pipeline_digest


def test_pipeline_digest_is_unchanged_by_the_shared_stage_identity(plugin: Path) -> None:
    """The digest is stored in users' ledgers: computed as it always was, it must stay equal."""
    pipe = pipelines.from_dict(fake_pipeline(name="p", on_error="skip", shout={"bang": "?"}))
    parts = [pipe.lang, str(pipe.dpi), pipe.on_error, str(pipe.max_failed_ratio)]
    parts += [f"{s.name}@{s.cls.version}:{s.create().options_digest()}" for s in pipe.stages]
    assert pipeline_digest(pipe) == hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def test_pipeline_digest_changes_with_an_option_and_only_then(plugin: Path) -> None:
    def digest(**shout: str) -> str:
        return pipeline_digest(pipelines.from_dict(fake_pipeline(shout=shout)))

    assert digest(bang="?") == digest(bang="?") != digest(bang="!")
    assert digest() == digest(bang="!")  # the default, spelled out or not
