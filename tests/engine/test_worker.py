"""The page chain's cache entries: cheap for pages no stage changes, one read on a rerun."""

from __future__ import annotations

from pathlib import Path

from digitize.engine.cache import PageCache
from digitize.engine.worker import PageTask, run_page_chain
from digitize.model import BBox, Block, Line, Page, Word
from digitize.stage import Context
from digitize.stages.preprocess.denoise import DenoiseOptions
from digitize.stages.preprocess.deskew import DeskewOptions

STAGES = (
    ("preprocess.deskew", "3", "d", DeskewOptions()),
    ("preprocess.denoise", "3", "n", DenoiseOptions()),
)


def _page(source: str | None) -> Page:
    word = Word("chào", BBox(10, 10, 60, 30), 1.0)
    block = Block("paragraph", (Line((word,), word.bbox),), word.bbox)
    return Page(index=0, size=(600, 800), dpi=300, blocks=(block,), source=source)


def _entries(cache: Path) -> list[str]:
    return sorted(p.read_text(encoding="utf-8") for p in (cache / "pages").rglob("*.json"))


def test_born_digital_page_caches_only_its_last_step(tmp_path: Path) -> None:
    task = PageTask(
        _page("textlayer"), "k" * 64, STAGES, Context(work_dir=str(tmp_path)), str(tmp_path)
    )
    out = run_page_chain(task)
    assert out is not None and [s.name for s in out.pages[0].steps] == [s[0] for s in STAGES]
    (entry,) = _entries(tmp_path)
    assert "chào" in entry
    again = run_page_chain(task, execute=False)
    assert again is not None and again.pages == out.pages and again.cached_steps == 2


def test_unchanged_page_is_an_empty_entry(tmp_path: Path) -> None:
    """Any other page: every step's entry, but an empty one where the stage changed nothing
    (here: no image, so preprocessing passes it through); it reads back as the same page."""
    task = PageTask(_page(None), "k" * 64, STAGES, Context(work_dir=str(tmp_path)), str(tmp_path))
    out = run_page_chain(task)
    assert out is not None
    assert _entries(tmp_path) == ["[]", "[]"]
    cache = PageCache(tmp_path)
    assert cache.get(next(iter((tmp_path / "pages").rglob("*.json"))).stem) == []
    again = run_page_chain(task, execute=False)
    assert again is not None and again.pages == out.pages and again.cached_steps == 2


def test_image_page_steps_record_cpu_and_decision(tmp_path: Path) -> None:
    """A stage run in the chain leaves its CPU seconds on the page (the outcome adds them up
    per stage) and what it decided, in its step."""
    import numpy as np

    from digitize.images import encode_png

    img = np.full((900, 700), 255, np.uint8)
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "in.png").write_bytes(encode_png(img, 300))
    page = Page(index=0, size=(700, 900), dpi=300, image="pages/in.png")
    task = PageTask(page, "k" * 64, STAGES[1:], Context(work_dir=str(tmp_path)), None)
    out = run_page_chain(task)
    assert out is not None
    (step,) = out.pages[0].steps
    assert step.name == "preprocess.denoise" and step.cpu_seconds > 0
    assert step.note == "skipped: 0.00 isolated specks/in² < 1"
    assert step.cpu_seconds == round(out.cpu["preprocess.denoise"], 4)
