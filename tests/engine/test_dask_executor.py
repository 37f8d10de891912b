"""Page work on a Dask cluster gives the same book as the local pool, with no shared files."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.fake import PLUGIN_DIR, fake_pipeline

from digitize import bookjson, model
from digitize import pipeline as pipelines
from digitize.batch.run import Batch, BatchOptions
from digitize.engine.cache import PageCache
from digitize.engine.dask_executor import ShippedPage, run_shipped_page
from digitize.engine.run import convert
from digitize.engine.run_options import RunOptions
from digitize.engine.worker import PageTask
from digitize.stage import Context

distributed = pytest.importorskip("distributed")

PIPE = fake_pipeline(split=True, on_error="skip", max_failed_ratio=0.5)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Two single-threaded worker processes (started once for this module: ~3 s); they import
    the fake plugin through PYTHONPATH, as real workers would import installed plugins."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUGIN_DIR), old]))
    sys.path.insert(0, str(PLUGIN_DIR))  # spawned worker processes inherit the parent's sys.path
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()
    sys.path.remove(str(PLUGIN_DIR))
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old


def test_dask_gives_the_same_book_and_fills_the_coordinators_cache(
    client: Any, plugin: Path, fake_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "ocr.log"
    monkeypatch.setenv("FAKE_OCR_LOG", str(log))
    pipe = pipelines.from_dict(PIPE)
    # The local reference runs in-process: starting the forkserver pool here would freeze this
    # test's FAKE_OCR_LOG into every later test's workers (forkserver keeps its start-up env).
    local = convert(fake_book, tmp_path / "local", pipe, RunOptions(jobs=1))
    cache = PageCache(tmp_path / "cache")
    remote = convert(
        fake_book,
        tmp_path / "dask",
        pipe,
        RunOptions(jobs=2, cache=cache, executor="dask", executor_args={"client": client}),
    )
    assert remote.book.flow == local.book.flow and len(remote.book.flow) == 12
    (lj,) = (tmp_path / "local").glob("*.book.json")
    (dj,) = (tmp_path / "dask").glob("*.book.json")
    assert (
        bookjson.book_from_json(lj.read_text()).flow == bookjson.book_from_json(dj.read_text()).flow
    )
    (ls,) = (tmp_path / "local").glob("*.shout")
    (ds,) = (tmp_path / "dask").glob("*.shout")
    assert ls.read_text() == ds.read_text()
    calls = len(log.read_text().split())
    # The workers wrote no cache of their own: the coordinator did, so a local rerun is all hits.
    again = convert(fake_book, tmp_path / "again", pipe, RunOptions(jobs=1, cache=cache))
    assert len(log.read_text().split()) == calls
    assert again.report["pages_cached"] == 3 and again.book.flow == local.book.flow


def test_failed_page_on_a_worker_is_skipped_like_locally(
    client: Any, tmp_path: Path, plugin: Path
) -> None:
    book = tmp_path / "b.fake"
    book.write_text(json.dumps({"pages": ["một", "FAIL", "ba", "bốn"]}))
    pipe = pipelines.from_dict(PIPE)
    local = convert(book, tmp_path / "local", pipe, RunOptions(jobs=1))
    r = convert(
        book,
        tmp_path / "o",
        pipe,
        RunOptions(jobs=2, executor="dask", executor_args={"client": client}),
    )
    assert r.failed_pages == local.failed_pages and [i for i, _ in r.failed_pages] == [2]
    assert "simulated OCR crash" in r.failed_pages[0][1]
    assert r.book.flow == local.book.flow


def test_batch_on_dask(client: Any, tmp_path: Path, plugin: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"b{i}.fake").write_text(json.dumps({"pages": [f"sách {i}", "trang hai"]}))
    run = RunOptions(
        jobs=2,
        cache=PageCache(tmp_path / "cache"),
        executor="dask",
        executor_args={"client": client},
    )
    b = Batch(
        inbox, tmp_path / "lib", pipelines.from_dict(PIPE), BatchOptions(run, settle_seconds=0)
    )
    b.run()
    b.close()
    assert len(b.summary.done) == 3 and b.summary.pages == 12


def test_worker_side_runs_in_a_private_dir_and_returns_new_files(
    plugin: Path, tmp_path: Path
) -> None:
    """What a worker gets (the page image and side files) and gives back (files it wrote)."""
    page = model.Page(index=0, size=(10, 10), dpi=300, image="pages/p0001.png")
    stages = pipelines.from_dict(PIPE).page_stages
    task = PageTask(
        page,
        "k" * 64,
        tuple((s.name, s.cls.version, s.create().options_digest(), s.options) for s in stages),
        Context(lang="vie", work_dir="/nonexistent/on/this/worker"),
        "/nonexistent/cache",
    )
    shipped = ShippedPage(
        task, {"pages/p0001.png": b"img", "texts.json": json.dumps(["xin chào"]).encode()}, True
    )
    landed = run_shipped_page(shipped)
    assert [p.label for p in landed.outcome.pages] == [None, "b"]
    assert landed.outcome.pages[0].blocks[0].text == "xin chào"
    assert landed.work_files == {}  # inputs unchanged: nothing to send back
    assert len(landed.cache_files) == 3  # the split page and each half's OCR
    assert all(k.startswith("pages/") for k in landed.cache_files)
    with pytest.raises(ValueError, match="outside the work dir"):
        run_shipped_page(ShippedPage(task, {"../evil": b"x"}, False))
