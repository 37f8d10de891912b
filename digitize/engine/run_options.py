"""How the caller wants a book run: parallelism, cache, languages, metadata, progress sink."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize.engine.cache import PageCache
from digitize.engine.events import Progress


@dataclass
class RunOptions:
    """The caller's settings for `convert` (the pipeline says what to do, these say how)."""

    #: pages processed in parallel
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: the page cache (None: nothing cached, a killed run starts over)
    cache: PageCache | None = None
    #: Tesseract languages overriding the pipeline's
    lang: str | None = None
    #: resolution of images that carry none
    dpi: int | None = None
    #: metadata fields given on the command line (title, authors, ...)
    meta: dict[str, Any] = field(default_factory=dict)
    #: a metadata file (TOML or JSON) given on the command line
    meta_file: Path | None = None
    progress: Progress = field(default_factory=Progress)
    #: where page work runs: "local" (processes of this machine) or "dask"
    executor: str = "local"
    executor_args: dict[str, Any] = field(default_factory=dict)
