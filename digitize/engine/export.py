"""Writing a book's formats: the one path `digitize convert` and `digitize export` share.

Every run writes `book.json` (export.json), the editable checkpoint, whatever formats were asked
for. Exporters write into a staging folder that is published whole (`outputs`).

`rebuild` makes the formats again from a book.json (`digitize export`; the proofreading
editor's Publish runs `publish_formats` the same way). A book.json is a file people edit and pass
around, so its `work_dir` (where page images and figure crops live) is not trusted blindly: a
crafted one could otherwise pull any picture on this machine into an e-book that then gets
published. It is used when it lies inside the page cache (where digitize puts every book it
converts) or when the user names it.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from digitize import bookjson, registry
from digitize.engine.outputs import check_output_dir, publish, staging
from digitize.errors import BadInput
from digitize.model import Book, Figure, PageBreak
from digitize.pipeline import StageSpec, make_options
from digitize.stage import Context, Exporter

CHECKPOINT = "export.json"


def with_checkpoint(exporters: tuple[StageSpec, ...] | list[StageSpec]) -> list[StageSpec]:
    """`exporters` plus export.json when it is not among them."""
    specs = list(exporters)
    if CHECKPOINT not in {s.name for s in specs}:
        cls = registry.load_stage(CHECKPOINT)
        specs.append(StageSpec(CHECKPOINT, cls, make_options(cls, {}, CHECKPOINT)))
    return specs


def write_formats(
    book: Book,
    exporters: list[StageSpec],
    out_dir: Path,
    ctx: Context,
    on_stage: Callable[[str, float], None] | None = None,
) -> list[Path]:
    """Run every exporter into `out_dir`; `on_stage(name, seconds)` after each."""
    written: list[Path] = []
    for spec in exporters:
        exporter = spec.create()
        assert isinstance(exporter, Exporter)
        t0 = time.perf_counter()
        written += exporter.export(book, out_dir, ctx)
        if on_stage is not None:
            on_stage(spec.name, time.perf_counter() - t0)
    return written


def publish_formats(
    book: Book, out_dir: Path, formats: list[str], images: str, build_time: int
) -> list[Path]:
    """Write `formats` (`epub`, `html`, ... = export.<name>) of `book` into `out_dir`, all of
    them appearing together or none; returns the published files. `images`: the trusted work
    dir (see `trusted_work_dir`), or "" for none; `build_time`: the timestamp stamped into the
    outputs (a book.json's mtime keeps a re-export reproducible)."""
    from digitize import pipeline as pipelines

    pipe = pipelines.with_exporters(pipelines.Pipeline(name="export"), formats)
    with tempfile.TemporaryDirectory(prefix="digitize-export-") as empty:
        # No trusted work dir: an empty one, so nothing resolves (not the current folder).
        book = dataclasses.replace(book, work_dir=images or empty)
        ctx = Context(lang=book.meta.lang, work_dir=book.work_dir, build_time=build_time)
        with staging(out_dir) as stage_dir:
            written = write_formats(book, list(pipe.exporters), stage_dir, ctx)
            return publish(stage_dir, out_dir, written)


def rebuild(
    book_json: Path, out_dir: Path, formats: list[str], work_dir: Path | None, cache_root: Path
) -> tuple[list[Path], list[str]]:
    """The formats made again from a (corrected) book.json into `out_dir`: (the files
    published, warnings: one per image the formats need that is not there, e.g. after
    `digitize cache clear`; the books show a placeholder instead). `work_dir`: where its images
    are, when the user says so."""
    book = read_book_json(book_json)
    if work_dir is not None and not work_dir.is_dir():
        raise BadInput(f"--work-dir {work_dir}: no such directory")
    check_output_dir(out_dir)
    images, warning = trusted_work_dir(book.work_dir, work_dir, cache_root)
    warnings = [warning] if warning else []
    warnings += [f"image missing: {m}" for m in missing_images(book, images, formats)]
    when = int(book_json.stat().st_mtime)
    return publish_formats(book, out_dir, formats, images, when), warnings


def missing_images(book: Book, images: str, formats: list[str]) -> list[str]:
    """The images `formats` of `book` would show that are not in the work dir `images` ("" for
    none), each once, with what it is for: figures, the EPUB's cover (the first page), the page
    scans of the searchable PDF, hOCR and ALTO."""
    base = Path(images).resolve() if images else None

    def absent(rel: str | None) -> bool:
        if not rel:
            return False
        if base is None:
            return True
        path = (base / rel).resolve()
        return not (path.is_relative_to(base) and path.is_file())

    found: dict[str, str] = {}
    page = 0
    for item in book.flow:
        if isinstance(item, PageBreak):
            page = item.index + 1
        elif isinstance(item, Figure) and absent(item.image):
            found.setdefault(item.image, f"a figure{f' on page {page}' if page else ''}")
    # Page-faithful formats carry every page's scan; the EPUB's cover is the first one.
    names = {"pdf": "the searchable PDF", "hocr": "hOCR", "alto": "ALTO"}
    faithful = [name for f, name in names.items() if f in formats]
    pages = book.pages if faithful else book.pages[:1] if "epub" in formats else ()
    for p in pages:
        if absent(p.image):
            uses = (["the EPUB cover"] if p.index == 0 and "epub" in formats else []) + faithful
            found.setdefault(p.image or "", f"page {p.index + 1}'s image, for {', '.join(uses)}")
    return [f"{rel} ({what})" for rel, what in found.items()]


def read_book_json(path: Path) -> Book:
    """The Book in `path`, checked field by field; BadInput (one line) when it is not one."""
    from digitize.validate import check_book

    try:
        book = bookjson.book_from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not a valid book.json: {e}") from e
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror or e}") from e
    check_book(book, str(path))  # a hand-edited field of the wrong type
    return book


def trusted_work_dir(named: str, explicit: Path | None, cache_root: Path) -> tuple[str, str]:
    """(the work dir to read images from, a warning or ""): `explicit` if given; `named` (the
    book.json's) when it lies inside `cache_root`; otherwise none at all."""
    if explicit is not None:
        return str(explicit.resolve()), ""
    where = Path(named).resolve() if named else None
    if where is not None and where.is_dir():  # (a --no-cache run's is gone: nothing to use)
        if where.is_relative_to(cache_root.resolve()):
            return str(where), ""
        return "", (
            f"the book.json names work dir {named}, outside digitize's cache ({cache_root}): "
            "page images and figures are left out; pass --work-dir to use it"
        )
    return "", ""
