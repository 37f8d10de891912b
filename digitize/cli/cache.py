"""`digitize cache info|clear`: the page cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from digitize.cli._common import errors_to_exit_codes, out
from digitize.engine.cache import PageCache, default_cache_dir

commands = typer.Typer(no_args_is_help=True)


@commands.command("clear")
def cache_clear(
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir")] = None,
) -> None:
    """Delete every cached page result and work directory."""
    with errors_to_exit_codes():
        cache = PageCache(cache_dir or default_cache_dir())
        freed = cache.clear()
        out.print(f"cleared {cache.root} ({freed / 1e6:.1f} MB)")


@commands.command("info")
def cache_info(cache_dir: Annotated[Path | None, typer.Option("--cache-dir")] = None) -> None:
    """Where the cache is and how big."""
    with errors_to_exit_codes():
        cache = PageCache(cache_dir or default_cache_dir())
        size = cache.size() if cache.root.exists() else 0
        out.print(json.dumps({"path": str(cache.root), "bytes": size}))
