"""The standard evaluation corpus: a fixed set of book specs across languages and levels."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from digitize.lab.synth.book import BookSpec, generate_book

# name -> spec; names are directory names. 3 languages x 3 levels, 10 pages each.
STANDARD_CORPUS: dict[str, BookSpec] = {
    f"{lang.replace('+', '-')}-{level}": BookSpec(lang=lang, pages=10, level=level, seed=seed)
    for seed, (lang, level) in enumerate(
        [(lg, lv) for lg in ("vi", "en", "vi+en") for lv in ("clean", "light", "heavy")], start=1
    )
}


def _one(args: tuple[BookSpec, str]) -> str:
    spec, out = args
    generate_book(spec, out)
    return out


def make_corpus(
    out_dir: Path | str, specs: dict[str, BookSpec] | None = None, jobs: int = 2, **override: Any
) -> list[Path]:
    """Generate every book of `specs` (default: STANDARD_CORPUS) under `out_dir/<name>/`.

    `override` replaces spec fields for all books (e.g. pages=3 for a quick corpus). This is a
    developer tool, not a stage, so it may use a process pool.
    """
    from dataclasses import replace

    specs = specs if specs is not None else STANDARD_CORPUS
    todo = [(replace(s, **override), str(Path(out_dir) / name)) for name, s in specs.items()]
    if jobs <= 1:
        return [Path(_one(t)) for t in todo]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [Path(p) for p in pool.map(_one, todo)]
