"""export.html: contract, single-file and site editions, and a real render in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digitize.stage import Context
from digitize.stages.export.html import HtmlExporter, HtmlOptions
from digitize.testing import check_exporter, sample_book


class _Dom(HTMLParser):
    """Collects tags with their attributes and the text of headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._in, self._buf = tag, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self.headings.append(f"{tag}:{self._buf}")
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf += data


def _parse(html: str) -> _Dom:
    dom = _Dom()
    dom.feed(html)
    return dom


def test_contract_single_file(tmp_path: Path) -> None:
    (path,) = check_exporter(HtmlExporter, tmp_path)
    assert path.name == "sach-mau.html"


def test_contract_site(tmp_path: Path) -> None:
    paths = check_exporter(HtmlExporter, tmp_path, HtmlOptions(single_file=False))
    root = tmp_path / "out1" / "sach-mau_html"
    assert {p.relative_to(root).as_posix() for p in paths} >= {
        "index.html", "style.css", "chapter-001.html", "chapter-002.html"
    }  # fmt: skip
    index = _parse((root / "index.html").read_text("utf-8"))
    hrefs = [a["href"] for t, a in index.tags if t == "a" and a.get("href")]
    for href in hrefs:
        assert (root / str(href).split("#")[0]).is_file(), href
    ch1 = _parse((root / "chapter-001.html").read_text("utf-8"))
    srcs = [a["src"] for t, a in ch1.tags if t == "img"]
    assert srcs and all((root / str(s)).is_file() for s in srcs)
    assert any(t == "link" and a.get("href") == "style.css" for t, a in ch1.tags)


def test_single_file_is_self_contained(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    (path,) = HtmlExporter().export(book, tmp_path / "out", Context())
    dom = _parse(path.read_text("utf-8"))
    imgs = [a for t, a in dom.tags if t == "img"]
    assert imgs and all(str(a["src"]).startswith("data:image/png;base64,") for a in imgs)
    assert imgs[0]["alt"] == "Hình 1"  # the caption's label: the caption is shown once, below
    assert not any(t in ("script", "link", "iframe") for t, _ in dom.tags)
    ids = {a.get("id") for _, a in dom.tags}
    assert {"page-1", "page-2", "page-3", "page-4", "fn-1", "ref-fn-1"} <= ids
    assert dom.headings[0] == "h2:Mục lục"
    assert dom.headings[1] == "h1:Chương 1. Số và phép tính"
    assert "h1:Chương 2. <script>alert(1)</script> </p> & ]]>  gnp.exe x" in dom.headings


@pytest.mark.chromium
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    (path,) = HtmlExporter().export(sample_book(tmp_path), tmp_path / "out", Context())
    shot = tmp_path / "html-edition.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=412,915", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = _parse(proc.stdout)
    assert next(h for h in dom.headings if h.startswith("h1:")) == "h1:Chương 1. Số và phép tính"
    # Layout's level 3 right under a chapter is shown as h2: no level is skipped.
    assert any(h.startswith("h2:Mục sâu") for h in dom.headings)
    assert sum(1 for t, a in dom.tags if t == "img" and str(a.get("src")).startswith("data:")) == 1
    ids = {a.get("id") for _, a in dom.tags}
    assert {"page-1", "page-2", "page-3", "page-4"} <= ids
    assert not any(t == "script" for t, _ in dom.tags)  # hostile text stayed text
    assert shot.is_file() and shot.stat().st_size > 5000
