"""The runner on fake stages: caching, splitting, error policy, parallel workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.fake import fake_pipeline

from digitize import pipeline as pipelines
from digitize.engine.cache import PageCache
from digitize.engine.run import convert
from digitize.engine.run_options import RunOptions
from digitize.errors import BadInput, OutputNotWritable, PageError

PIPE = fake_pipeline(on_error="skip", max_failed_ratio=0.5)


def pipe(**head: object) -> pipelines.Pipeline:
    data = json.loads(json.dumps(PIPE))
    data["pipeline"].update(head)
    return pipelines.from_dict(data)


def ocr_calls(log: Path) -> list[int]:
    return [int(x) for x in log.read_text().split()] if log.exists() else []


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    p = tmp_path / "ocr.log"
    monkeypatch.setenv("FAKE_OCR_LOG", str(p))
    return p


def test_convert_writes_outputs_report_and_checkpoint(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    out = tmp_path / "out"
    result = convert(fake_book, out, pipe(), RunOptions(jobs=1))
    assert (out / "book.fake.shout").read_text().splitlines() == [
        "MỘT HAI BA!",
        "BỐN NĂM!",
        "SÁU BẢY TÁM CHÍN!",
    ]
    report = json.loads((out / "book.fake.report.json").read_text())
    assert report["pages_total"] == 3 and report["words"] == 9
    assert report["mean_conf"] == pytest.approx(0.9)
    assert "ocr.fake" in report["seconds"]
    assert (out / "book.fake.book.json").is_file()
    assert sorted(p.name for p in result.outputs) == [
        "book.fake.book.json",
        "book.fake.report.html",
        "book.fake.report.json",
        "book.fake.shout",
    ]
    assert not list(out.glob("*.part")) and not list(out.glob(".*"))


def test_rerun_comes_from_cache_and_option_change_redoes(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    cache = PageCache(tmp_path / "cache")
    convert(fake_book, tmp_path / "o1", pipe(), RunOptions(jobs=1, cache=cache))
    assert sorted(ocr_calls(log)) == [0, 1, 2]
    r2 = convert(fake_book, tmp_path / "o2", pipe(), RunOptions(jobs=1, cache=cache))
    assert len(ocr_calls(log)) == 3  # nothing redone
    assert r2.report["pages_cached"] == 3
    assert (tmp_path / "o1/book.fake.shout").read_text() == (
        tmp_path / "o2/book.fake.shout"
    ).read_text()
    changed = pipelines.from_dict(
        {**PIPE, "stage": [PIPE["stage"][0], {"use": "ocr.fake", "conf": 0.5}, *PIPE["stage"][2:]]}
    )
    convert(fake_book, tmp_path / "o3", changed, RunOptions(jobs=1, cache=cache))
    assert len(ocr_calls(log)) == 6  # the changed stage reran


def test_failed_page_is_skipped_and_reported(plugin: Path, tmp_path: Path, log: Path) -> None:
    book = tmp_path / "b.fake"
    book.write_text('{"pages": ["một", "FAIL", "ba"]}')
    result = convert(book, tmp_path / "out", pipe(), RunOptions(jobs=1))
    assert result.failed_pages and result.failed_pages[0][0] == 1
    assert "simulated OCR crash" in result.failed_pages[0][1]
    assert result.report["pages_failed"] == 1 and 1 in result.report["flagged_pages"]
    assert (tmp_path / "out/b.fake.shout").read_text().splitlines() == ["MỘT!", "BA!"]


def test_abort_policy_and_max_failed_ratio(plugin: Path, tmp_path: Path, log: Path) -> None:
    book = tmp_path / "b.fake"
    book.write_text('{"pages": ["một", "FAIL", "ba"]}')
    with pytest.raises(PageError, match=r"page 2: ocr\.fake failed"):
        convert(book, tmp_path / "o1", pipe(on_error="abort"), RunOptions(jobs=1))
    with pytest.raises(BadInput, match="max_failed_ratio"):
        convert(book, tmp_path / "o2", pipe(max_failed_ratio=0.1), RunOptions(jobs=1))
    assert not (tmp_path / "o2/b.fake.shout").exists()


def test_split_stage_makes_more_pages(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    data = json.loads(json.dumps(PIPE))
    data["stage"].insert(1, {"use": "preprocess.fakesplit"})
    # ocr.fake reads text by page index from the ingest, so split pages 0a/0b both read page 0's
    # text before re-indexing: the runner re-indexes only after all page stages.
    result = convert(
        fake_book,
        tmp_path / "out",
        pipelines.from_dict(data),
        RunOptions(jobs=1, cache=PageCache(tmp_path / "c")),
    )
    assert [p.index for p in result.book.pages] == list(range(6))
    assert [p.label for p in result.book.pages] == [None, "b"] * 3
    again = convert(
        fake_book,
        tmp_path / "out2",
        pipelines.from_dict(data),
        RunOptions(jobs=1, cache=PageCache(tmp_path / "c")),
    )
    assert again.report["pages_cached"] == 3 and len(again.book.pages) == 6


def test_parallel_pool_gives_same_result(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    one = convert(fake_book, tmp_path / "o1", pipe(), RunOptions(jobs=1))
    two = convert(fake_book, tmp_path / "o2", pipe(), RunOptions(jobs=2))
    assert one.book.flow == two.book.flow
    assert sorted(ocr_calls(log)) == [0, 0, 1, 1, 2, 2]


def test_bad_inputs(plugin: Path, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file"):
        convert(tmp_path / "missing.fake", tmp_path / "o", pipe(), RunOptions(jobs=1))
    odd = tmp_path / "x.docx"
    odd.write_text("hello")
    with pytest.raises(BadInput, match="unsupported input"):
        convert(odd, tmp_path / "o", pipe(), RunOptions(jobs=1))
    broken = tmp_path / "broken.fake"
    broken.write_text("{")
    with pytest.raises(BadInput, match="not a fake book"):
        convert(broken, tmp_path / "o", pipe(), RunOptions(jobs=1))


def test_output_path_that_is_a_file_fails_before_work(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputNotWritable, match="not writable"):
        convert(fake_book, blocker / "out", pipe(), RunOptions(jobs=1))
    assert ocr_calls(log) == []


def test_sidecar_metadata(plugin: Path, fake_book: Path, tmp_path: Path, log: Path) -> None:
    (tmp_path / "book.book.toml").write_text('title = "Lịch sử 6"\nauthors = ["Nguyễn Văn A"]\n')
    result = convert(fake_book, tmp_path / "out", pipe(), RunOptions(jobs=1))
    assert result.book.meta.title == "Lịch sử 6" and result.book.meta.authors == ("Nguyễn Văn A",)
    result = convert(
        fake_book, tmp_path / "out", pipe(), RunOptions(jobs=1, meta={"title": "Khác"})
    )
    assert result.book.meta.title == "Khác"
    (tmp_path / "book.book.toml").write_text('titel = "x"\n')
    with pytest.raises(BadInput, match="unknown key"):
        convert(fake_book, tmp_path / "out", pipe(), RunOptions(jobs=1))


def test_a_scanned_book_starts_warm_workers_before_ingest(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool starts, and each worker loads its engines (`warm_up`), while the parent
    ingests; the pages then run in that pool, not in a second one."""
    from digitize import registry
    from digitize.engine import pages as page_schedule

    events: list[str] = []
    real_make = page_schedule.make_executor

    def spy(name: str, jobs: int, **kw: object) -> object:
        events.append(f"pool {jobs}")
        return real_make(name, jobs, **kw)

    ingester = registry.load_stage("ingest.fake")
    real_ingest = ingester.ingest

    def ingest(self: object, src: Path, ctx: object) -> object:
        events.append("ingest")
        return real_ingest(self, src, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(page_schedule, "make_executor", spy)
    monkeypatch.setattr(ingester, "ingest", ingest)
    warm_log = tmp_path / "warm.log"
    monkeypatch.setenv("FAKE_WARM_LOG", str(warm_log))
    result = convert(fake_book, tmp_path / "out", pipe(), RunOptions(jobs=2))
    assert [e for e in events if e != "pool 1"] == ["pool 2", "ingest"]  # 1: in-process
    assert len(set(warm_log.read_text().split())) == 2  # both workers warmed up
    assert sorted(ocr_calls(log)) == [0, 1, 2] and not result.failed_pages


def test_born_digital_pages_start_no_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text-layer pages need no OCR: they run in-process, a pool would cost more than them."""
    import pymupdf

    from digitize.engine import pages as page_schedule

    made: list[tuple[str, int]] = []
    real = page_schedule.make_executor

    def spy(name: str, jobs: int, **kw: object) -> object:
        made.append((name, jobs))
        return real(name, jobs, **kw)

    monkeypatch.setattr(page_schedule, "make_executor", spy)
    doc = pymupdf.open()
    for n in range(3):
        page = doc.new_page(width=300, height=420)
        text = f"Trang {n + 1}: " + " ".join(f"chữ{i}" for i in range(30))
        page.insert_htmlbox(pymupdf.Rect(20, 40, 280, 400), text)
    src = tmp_path / "born.pdf"
    doc.save(src)
    pipe = pipelines.from_dict(
        {
            "pipeline": {"lang": "vie+eng"},
            "stage": [{"use": "ocr.tesseract"}, {"use": "export.txt"}],
        }
    )
    result = convert(src, tmp_path / "out", pipe, RunOptions(jobs=2))
    assert all(p.source == "textlayer" for p in result.book.pages)
    assert made and all(jobs == 1 for _, jobs in made)  # in-process only
    words = [
        w.text for p in result.book.pages for b in p.blocks for ln in b.lines for w in ln.words
    ]
    assert "chữ29" in words and "Trang" in words


def test_born_digital_book_loads_no_image_library(tmp_path: Path) -> None:
    """A book with nothing to OCR and no picture converts (default pipeline, two jobs) without
    loading NumPy, OpenCV, Pillow or tesserocr: ~0.2 s of a 100-page book's 2 s (issue #19)."""
    import pymupdf

    doc = pymupdf.open()
    for n in range(3):
        page = doc.new_page(width=300, height=420)
        page.insert_htmlbox(pymupdf.Rect(20, 40, 280, 400), f"Trang {n + 1}: chữ " * 20)
    src = tmp_path / "born.pdf"
    doc.save(src)
    code = (
        "import sys\n"
        "from digitize.cli.app import app\n"
        "try:\n"
        f"    app(['-q', 'convert', {str(src)!r}, '-o', {str(tmp_path / 'out')!r}, '-j', '2',"
        f" '--cache-dir', {str(tmp_path / 'cache')!r}])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(*(m for m in ('numpy', 'cv2', 'PIL.Image', 'tesserocr') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert "Trang 3" in (tmp_path / "out" / "born.txt").read_text(encoding="utf-8")


def test_rerun_of_finished_book_redoes_nothing_but_the_report(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    out, opts = tmp_path / "out", RunOptions(jobs=1, cache=PageCache(tmp_path / "c"))
    first = convert(fake_book, out, pipe(), opts)
    shout = out / "book.fake.shout"
    stamp = shout.stat().st_mtime_ns
    again = convert(fake_book, out, pipe(), opts)
    assert shout.stat().st_mtime_ns == stamp  # not exported again
    assert again.book == first.book and again.report["pages_cached"] == 3
    assert sorted(ocr_calls(log)) == [0, 1, 2]
    assert json.loads((out / "book.fake.report.json").read_text())["pages_total"] == 3
    third = convert(fake_book, out, pipe(), opts)  # the rerun rewrote the reports: still done
    assert shout.stat().st_mtime_ns == stamp and third.report["seconds"] == {}
    shout.unlink()  # an output gone: the book stages and exporters run again (pages cached)
    convert(fake_book, out, pipe(), opts)
    assert shout.read_text().splitlines()[0] == "MỘT HAI BA!"
    stamp = shout.stat().st_mtime_ns
    other = convert(fake_book, out, pipe(on_error="abort"), opts)  # another pipeline policy
    assert other.report["pages_cached"] == 3 and shout.stat().st_mtime_ns != stamp


def test_page_images_are_rendered_in_the_workers(tmp_path: Path) -> None:
    """ingest.pdf defers rasterising to the workers; every image exists after the run, even
    when no page stage needs it, and a deleted image is rendered again on a rerun."""
    import pymupdf
    from PIL import Image

    doc = pymupdf.open()
    for n in range(3):
        page = doc.new_page(width=200, height=280)
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 400, 560), False)
        pix.clear_with(200 + n)
        page.insert_image(page.rect, pixmap=pix)
    src = tmp_path / "scan.pdf"
    doc.save(src)
    pipe = pipelines.from_dict({"pipeline": {"dpi": 100}, "stage": [{"use": "export.txt"}]})
    opts = RunOptions(jobs=2, cache=PageCache(tmp_path / "c"))
    result = convert(src, tmp_path / "out", pipe, opts)
    images = [Path(result.book.work_dir) / p.image for p in result.book.pages if p.image]
    assert len(images) == 3
    for n, img in enumerate(images):
        with Image.open(img) as im:
            assert im.size == result.book.pages[n].size == (278, 389)
            assert im.getpixel((10, 10)) == 200 + n
    images[1].unlink()
    for f in (tmp_path / "out").iterdir():
        f.unlink()  # outputs gone: the book is rebuilt from the page cache
    convert(src, tmp_path / "out", pipe, opts)
    assert images[1].is_file()


def test_rerun_of_a_finished_book_lists_each_output_once(
    plugin: Path, fake_book: Path, tmp_path: Path, log: Path
) -> None:
    cache = PageCache(tmp_path / "cache")
    convert(fake_book, tmp_path / "o", pipe(), RunOptions(jobs=1, cache=cache))
    again = convert(fake_book, tmp_path / "o", pipe(), RunOptions(jobs=1, cache=cache))
    names = [p.name for p in again.outputs]
    assert len(names) == len(set(names)) and "book.fake.report.json" in names
    assert len(again.report["outputs"]) == len(set(again.report["outputs"]))


def test_a_local_pool_preloads_the_modules_of_the_stages_its_workers_run() -> None:
    """Imported once in the forkserver, OpenCV/tesserocr cost each worker nothing; the parent,
    which runs no page stage, never imports OpenCV."""
    from digitize.engine.pages import pool_args
    from digitize.engine.run_options import RunOptions
    from digitize.engine.worker import PageSource
    from digitize.stage import Context

    pipe = pipelines.load("textbook")
    source = PageSource("ingest.pdf", None, "book.pdf")
    args = pool_args(RunOptions(), pipe, Context(), source, 2)
    assert "digitize.stages.ocr.tesseract" in args["preload"]
    assert "digitize.stages.preprocess.deskew" in args["preload"]
    assert "digitize.stages.ingest.pdf" in args["preload"]
    assert {"cv2", "numpy"} <= set(args["preload"])  # what the preprocess modules load lazily
    assert "digitize.stages.layout.flow" not in args["preload"]  # a book stage: parent only
    assert callable(args["warm"])
    assert "preload" not in pool_args(RunOptions(executor="dask"), pipe, Context(), None, 2)
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from digitize import pipeline; "
         "pipeline.load('textbook'); print('cv2' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert loaded.stdout.strip() == "False"


def test_a_pool_that_cannot_start_its_workers_says_nothing_from_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The early start runs in a thread; its failure is left to the first page's submit (which
    the runner reports), never printed as a thread's traceback."""
    import threading

    from digitize.engine.executors import LocalPool

    pool = LocalPool(2)
    printed: list[object] = []
    monkeypatch.setattr(threading, "excepthook", printed.append)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(pool._pool, "submit", refuse)
    pool.start()
    pool.close()
    assert printed == []
