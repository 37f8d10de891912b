"""Preprocess stages inside a page chain (`digitize.engine.worker`): images handed on in memory, only
the last one written, and the cache still right when an intermediate image was never written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.preprocess_pages import (
    have_font,
    load,
    make_page,
    render_page,
    rotate,
    shadow,
    speckle,
)

from digitize.engine.worker import PageSource, PageTask, run_page_chain
from digitize.stages.preprocess.deskew import DeskewOptions, measure_skew
from digitize.stages.preprocess.illumination import IlluminationOptions

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")

DESKEW = ("preprocess.deskew", "3", "d", DeskewOptions())
DENOISE = ("preprocess.denoise", "3", "n", None)


def _illum(window: float) -> tuple[str, str, str, object]:
    return ("preprocess.illumination", "3", f"i{window}", IlluminationOptions(window=window))


def _task(page, ctx, stages, cache: Path | None) -> PageTask:
    from digitize.registry import load_stage

    full = tuple(
        (n, v, d, o if o is not None else load_stage(n).Options()) for n, v, d, o in stages
    )
    return PageTask(page, "k" * 64, full, ctx, str(cache) if cache else None)


def _written(work: Path) -> set[str]:
    return {str(p.relative_to(work)) for p in (work / "pages").glob("*.png")}


def test_only_the_last_image_is_written(tmp_path):
    """Three stages change the page; one PNG is written, and it is straight and flat."""
    page, ctx = make_page(tmp_path, speckle(shadow(rotate(render_page()[0], 1.5))))
    out = run_page_chain(_task(page, ctx, (DESKEW, _illum(0.12), DENOISE), None))
    assert out is not None
    (final,) = out.pages
    assert [s.name for s in final.steps][-3:] == [
        "preprocess.deskew",
        "preprocess.illumination",
        "preprocess.denoise",
    ]
    assert abs(final.skew - 1.5) < 0.2
    assert _written(tmp_path) == {final.image}
    img = load(tmp_path, final.image)
    assert abs(measure_skew(img, 300, DeskewOptions())[0]) < 0.2
    # The report's previews were made from the pixels in memory, the same as from the file.
    from digitize.report.pages import make_previews

    image = tmp_path / final.image
    (previews,) = image.parent.glob(f"{image.name}.preview-*.json")
    kept = json.loads(previews.read_text(encoding="utf-8"))
    assert kept == list(make_previews(tmp_path / final.image))


def test_straight_clean_page_writes_nothing(tmp_path):
    page, ctx = make_page(tmp_path, render_page()[0])
    out = run_page_chain(_task(page, ctx, (DESKEW, _illum(0.12), DENOISE), None))
    assert out is not None and out.pages[0].image == page.image
    assert not (tmp_path / "pages").exists()


def test_cached_page_whose_image_was_never_written(tmp_path):
    """Changing a later stage's option reuses the cached earlier pages, whose images only ever
    lived in memory: the chain redoes them rather than fail on a missing file."""
    page, ctx = make_page(tmp_path, shadow(rotate(render_page()[0], 2.0)))
    cache = tmp_path / "cache"
    first = run_page_chain(_task(page, ctx, (DESKEW, _illum(0.12)), cache))
    assert first is not None and first.cached_steps == 0
    second = run_page_chain(_task(page, ctx, (DESKEW, _illum(0.2)), cache))
    assert second is not None
    assert "preprocess.deskew" in second.seconds  # redone: its image was gone
    assert (tmp_path / second.pages[0].image).is_file()
    assert second.pages[0].image != first.pages[0].image
    # And an unchanged rerun is a pure cache hit, without running anything.
    again = run_page_chain(_task(page, ctx, (DESKEW, _illum(0.2)), cache), execute=False)
    assert again is not None and again.cached_steps == 2
    assert again.pages[0].image == second.pages[0].image


def test_rendered_pdf_page_is_never_written_when_preprocessing_replaces_it(tmp_path):
    """ingest.pdf renders in the worker; deskew replaces that render, so only the straightened
    page reaches the disk, and an unchanged rerun is a cache hit without the render."""
    import pymupdf
    from helpers.preprocess_pages import save

    from digitize.registry import load_stage
    from digitize.stage import Context

    png = save(rotate(render_page()[0], 1.2), tmp_path / "scan.png")
    pdf = tmp_path / "scan.pdf"
    with pymupdf.open() as doc:
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, filename=str(png))
        doc.save(pdf)
    work, cache = tmp_path / "work", tmp_path / "cache"
    ingester = load_stage("ingest.pdf")()
    ctx = Context(work_dir=str(work), defer_images=True)
    (page0,) = ingester.ingest(pdf, ctx).pages
    assert page0.image and not (work / page0.image).exists()  # deferred to the worker
    spec = PageSource("ingest.pdf", ingester.options, str(pdf))
    task = _task(page0, ctx, (DESKEW,), cache)
    task = PageTask(task.page, task.key, task.stages, ctx, task.cache_root, spec)
    out = run_page_chain(task)
    assert out is not None and abs(out.pages[0].skew - 1.2) < 0.2
    assert _written(work) == {out.pages[0].image}
    again = run_page_chain(task, execute=False)
    assert again is not None and again.pages == out.pages
