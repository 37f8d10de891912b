"""Find stages by name through the `digitize.stages` entry-point group.

Built-in stages are declared in our own pyproject.toml exactly like third-party ones, so a
plugin package adds a stage with one class and one entry-point line. Only the stages a
pipeline names are imported.
"""

from __future__ import annotations

import difflib
from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from digitize.errors import PipelineError
from digitize.stage import Stage

GROUP = "digitize.stages"


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def stage_names() -> list[str]:
    """Names of every installed stage, sorted."""
    return sorted(_entry_points())


def refresh() -> None:
    """Forget the cached entry points (after installing a plugin in the same process)."""
    _entry_points.cache_clear()
    load_stage.cache_clear()


@cache
def load_stage(name: str) -> type[Stage[Any]]:
    """Import and return the stage class registered as `name`.

    Raises PipelineError listing the installed stages when `name` is unknown.
    """
    eps = _entry_points()
    ep = eps.get(name)
    if ep is None:
        close = difflib.get_close_matches(name, eps, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise PipelineError(
            f"unknown stage {name!r}; {hint}installed stages: {', '.join(sorted(eps))}"
        )
    try:
        cls = ep.load()
    except Exception as e:  # a broken plugin must not take the whole tool down with a traceback
        raise PipelineError(f"stage {name!r} ({ep.value}) failed to import: {e}") from e
    if not (isinstance(cls, type) and issubclass(cls, Stage)):
        raise PipelineError(f"stage {name!r} ({ep.value}) is not a digitize Stage subclass")
    if getattr(cls, "name", None) != name:
        raise PipelineError(
            f"stage {ep.value} declares name {getattr(cls, 'name', None)!r} "
            f"but is registered as {name!r}"
        )
    return cls
