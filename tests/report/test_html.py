"""The HTML quality report and library index: content checks, escaping, and a real render in
headless Chromium (dump the DOM after the scripts ran, and a screenshot)."""

from __future__ import annotations

import colorsys
import dataclasses
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers.report_book import report_book
from PIL import Image, ImageStat

from digitize import bookjson
from digitize.batch.library_index import write_library_index
from digitize.model import BBox, Block, Book, BookMeta, Line, Page, PageBreak, Paragraph, Word
from digitize.report.html import script_json, write_report_html
from digitize.report.markup import conf_color
from digitize.report.pages import FlowIndex, hyphen_state, page_data, review_order, visible
from digitize.report.summary import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def make_report(book: Book) -> dict[str, Any]:
    return build_report(
        book,
        source="scans/sach-thu.pdf",
        pipeline={"name": "textbook", "lang": "vie+eng", "stages": ["ocr.tesseract@2"]},
        stage_seconds={"ocr.tesseract": 12.5, "ingest.pdf": 1.25},
        wall_seconds=15.0,
        cached_pages=1,
        outputs=["sach-thu.epub", "sach-thu.report.json"],
        warnings=["page 3: failed: <b>timeout</b>"],
        stage_cpu={"ocr.tesseract": 11.75, "ingest.pdf": 1.0},
    )


def test_time_per_stage_shows_wall_and_cpu(built: tuple[Book, dict[str, Any], Path]) -> None:
    _, report, path = built
    assert report["cpu_seconds"] == {"ocr.tesseract": 11.75, "ingest.pdf": 1.0}
    times = path.read_text(encoding="utf-8").split('<table id="times">')[1].split("</table>")[0]
    assert '<code>ocr.tesseract</code></td><td class="num">12.50 s</td>' in times
    assert "CPU 11.75 s" in times and "CPU 1.00 s" in times


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Book, dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("report")
    book = report_book(tmp)
    report = make_report(book)
    path = write_report_html(book, report, tmp / "sach-thu.report.html")
    return book, report, path


# ---------------------------------------------------------------- without a browser


def test_page_checks_mark_furniture_hyphens_and_lost_text(
    built: tuple[Book, dict[str, Any], Path],
) -> None:
    book, report, _ = built
    flow = FlowIndex.of(book)
    p0 = page_data(book, 0, flow, report["pages"][0])
    kinds = [b[0] for b in p0["blocks"]]
    assert kinds == ["header", "paragraph", "paragraph", "page_number"]
    hyph = [ln for b in p0["blocks"] for ln in b[2] if ln[2]]
    assert [(ln[2], ln[3]) for ln in hyph] == [("joined", "information")]
    assert p0["words"][hyph[0][1] - 1][5] == "infor-"
    assert len(p0["words"]) == report["pages"][0]["words"]
    assert p0["flags"] == [] and p0["coverage"] == 1.0
    lost = page_data(book, 5, flow, report["pages"][5])
    assert lost["flags"] == ["layout_unsure"] and lost["coverage"] < 0.8
    failed = page_data(book, 2, flow, report["pages"][2])
    assert failed["flags"] == ["failed"] and failed["words"] == []


def test_hyphen_states() -> None:
    flow = FlowIndex(frozenset({"information", "well", "known"}), {}, False)
    assert hyphen_state("infor-", "mation,", flow) == ("joined", "information")
    assert hyphen_state("well-", "known", flow) == ("kept", "well-known")
    assert hyphen_state("xy-", "zzz", flow) == ("line", "")
    assert hyphen_state("infor-", "mation", FlowIndex(frozenset(), {}, False)) == ("line", "")


def test_hostile_text_is_escaped_and_made_visible(
    built: tuple[Book, dict[str, Any], Path],
) -> None:
    _, _, path = built
    text = path.read_text(encoding="utf-8")
    assert "<script>alert" not in text
    assert text.count("<script") == 2  # the JSON data and the viewer: nothing injected
    assert "\u202e" not in text and "\u2066" not in text and "\x1b" not in text
    assert "Sách thử: báo cáo &lt;chất lượng&gt;" in text  # the title, escaped
    assert "&lt;b&gt;timeout&lt;/b&gt;" in text  # a warning, escaped
    assert visible("a\u202eb") == "a⟨U+202E⟩b"
    assert script_json({"t": "</script><!--&"}) == '{"t":"\\u003c/script\\u003e\\u003c!--\\u0026"}'
    assert 'http-equiv="Content-Security-Policy"' in text and "default-src 'none'" in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing fetched


def test_images_are_embedded_or_replaced_by_blank_pages(
    built: tuple[Book, dict[str, Any], Path], tmp_path: Path
) -> None:
    book, report, path = built
    text = path.read_text(encoding="utf-8")
    assert text.count('<img src="data:image/jpeg;base64,') == 5  # thumbs of 5 imaged pages
    gone = Book(book.meta, book.pages, book.flow, work_dir=str(tmp_path / "deleted"))
    blank = write_report_html(gone, report, tmp_path / "blank.html").read_text(encoding="utf-8")
    assert "data:image/jpeg" not in blank
    assert 'id="no-images">6 of 6 page images were not available' in blank


def test_a_long_book_embeds_full_views_only_for_pages_to_review(
    built: tuple[Book, dict[str, Any], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book, report, path = built
    full = path.read_text(encoding="utf-8")
    monkeypatch.setattr("digitize.report.html.FULL_VIEW_PAGES", 2)
    short = write_report_html(book, report, tmp_path / "long.html").read_text(encoding="utf-8")
    found = re.search(r'id="report-data">(.*?)</script>', short, re.S)
    assert found
    data = json.loads(found[1])["pages"]
    kept = [p for p in data if p["img"]]
    assert kept and all(p["flags"] for p in kept)
    assert all(p.get("img_left_out") for p in data if not p["flags"])
    assert 'id="images-left-out"' in short and len(short) < len(full)
    assert short.count('<img src="data:image/jpeg;base64,') == 5  # thumbnails stay


def test_library_index_lists_books_with_relative_escaped_links(tmp_path: Path) -> None:
    books = [
        {
            "name": "toan-10.pdf",
            "status": "done",
            "pages": 120,
            "mean_conf": 0.93,
            "flagged": [4, 17],
            "outputs": ["toan-10/toan-10.epub", "toan-10/toan-10.html"],
            "report": "toan-10/toan-10.report.html",
            "reason": None,
        },
        {
            "name": "<img src=x onerror=alert(1)>",
            "status": "failed",
            "pages": None,
            "mean_conf": None,
            "flagged": None,
            "outputs": ["javascript:alert(1)"],
            "report": None,
            "reason": "bad PDF & \u202eevil",
        },
    ]
    path = write_library_index(tmp_path / "LIB", books)
    assert path == tmp_path / "LIB" / "index.html"
    text = path.read_text(encoding="utf-8")
    assert text.count("<tr>") == 3  # header + 2 books
    assert '<a href="toan-10/toan-10.report.html">toan-<wbr>10<wbr>.pdf</a>' in text
    assert '<a href="toan-10/toan-10.report.html#p5">5</a>' in text
    assert 'href="toan-10/toan-10.epub"' in text
    assert "<img" not in text and "&lt;img src=x" in text
    assert 'href="javascript:' not in text and 'href="javascript%3Aalert%281%29"' in text
    assert "bad PDF &amp; ⟨U+202E⟩evil" in text
    assert "1 done · 1 failed" in text


def test_cli_report_rebuilds_from_json(
    built: tuple[Book, dict[str, Any], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from digitize.cli.app import app

    book, report, _ = built
    out = tmp_path / "out"
    out.mkdir()
    gone = Book(book.meta, book.pages, book.flow, work_dir=str(tmp_path / "gone"))
    (out / "sach-thu.book.json").write_text(bookjson.book_to_json(gone), encoding="utf-8")
    (out / "sach-thu.report.json").write_text(json.dumps(report), encoding="utf-8")
    res = CliRunner().invoke(app, ["report", str(out)])
    assert res.exit_code == 0, res.output
    html_path = out / "sach-thu.report.html"
    assert str(html_path) in res.output.replace("\n", "")
    assert "their word boxes are shown on blank pages" in html_path.read_text(encoding="utf-8")
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    res = CliRunner().invoke(app, ["report", str(out / "sach-thu.report.json"), "--open"])
    assert res.exit_code == 0 and opened == [html_path.resolve().as_uri()]
    (out / "sach-thu.book.json").unlink()
    res = CliRunner().invoke(app, ["report", str(out / "sach-thu.report.json")])
    assert res.exit_code == 3 and "sach-thu.book.json: no such file" in res.output


def test_runner_writes_report_html(plugin: Path, fake_book: Path, tmp_path: Path) -> None:
    pytest.importorskip("digitize.stages.export.json", reason="export.json not merged yet")
    from digitize import pipeline as pipelines
    from digitize.engine.run import convert
    from digitize.engine.run_options import RunOptions

    pipe = pipelines.from_dict(
        {"pipeline": {}, "stage": [{"use": "ingest.fake"}, {"use": "ocr.fake"}]}
    )
    result = convert(fake_book, tmp_path / "o", pipe, RunOptions(jobs=1))
    html_path = tmp_path / "o" / f"{result.stem}.report.html"
    assert html_path in result.outputs and html_path.name in result.report["outputs"]
    assert html_path.read_text(encoding="utf-8").count('class="thumb') == 3


# ---------------------------------------------------------------- in headless Chromium


def _rgb(css: str) -> tuple[int, int, int]:
    """`rgb(r, g, b)` or `hsl(h,s%,l%)` as integers 0..255."""
    nums = [float(x) for x in re.findall(r"[\d.]+", css)]
    if css.startswith("rgb"):
        return round(nums[0]), round(nums[1]), round(nums[2])
    r, g, b = colorsys.hls_to_rgb(nums[0] / 360, nums[2] / 100, nums[1] / 100)
    return round(r * 255), round(g * 255), round(b * 255)


class Dom(HTMLParser):
    """Elements of a dumped DOM: (tag, attrs) in document order, and text by element id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag not in ("img", "input", "meta", "br", "line", "rect"):
            self._open.append(a.get("id"))
            if a.get("id"):
                self.text[a["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in ("img", "input", "meta", "br", "line", "rect"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for i in self._open:
            if i:
                self.text[i] += data

    def find(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


def chromium(url: str, tmp: Path, *args: str) -> str:
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / 'chromium-profile'}",
        "--window-size=1366,900",
        *args,
        url,
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    return res.stdout


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_rendered_report_in_chromium(
    built: tuple[Book, dict[str, Any], Path], tmp_path: Path
) -> None:
    book, report, path = built
    dom = Dom(chromium(path.as_uri() + "#p2", tmp_path, "--dump-dom"))
    assert dom.text["s-pages"] == "6"
    assert dom.text["s-words"] == str(report["words"])
    assert dom.text["s-mean"] == f"{report['mean_conf'] * 100:.1f}%"
    thumbs = dom.find("a", "thumb")
    assert [t["href"] for t in thumbs] == [f"#p{i}" for i in range(1, 7)]
    assert [t["data-i"] for t in thumbs if "sel" in t["class"].split()] == ["1"]
    flagged = [a["data-i"] for t, a in dom.elements if t == "tr" and "data-i" in a]
    assert flagged == ["2", "1", "3", "5"]  # failed, then lowest confidence first
    assert len(dom.find("rect", "bar")) == 6
    # The viewer drew page 2: one box per word, the same words as text beside it.
    words = report["pages"][1]["words"]
    assert len(dom.find("rect", "word")) == words == len(book.pages[1].words)
    assert len(dom.find("span", "w")) == words
    furniture = [
        w for b in book.pages[1].blocks if b.kind in ("header", "page_number") for w in b.words
    ]
    assert len(dom.find("rect", "furn")) == len(furniture) == 6  # running head + page number
    assert "→ information" in dom.text["pv-text"]
    # The viewer colours a word as the Python side does (markup.conf_color, one ramp).
    strokes = [a["style"] for t, a in dom.elements if t == "rect" and "word" in a["class"].split()]
    drawn = sorted(_rgb(re.search(r"stroke: (rgb\([^)]*\))", st).group(1)) for st in strokes)  # type: ignore[union-attr]
    expected = sorted(_rgb(conf_color(w.conf, 38)) for w in book.pages[1].words)
    assert len(drawn) == len(expected) and all(
        max(abs(x - y) for x, y in zip(d, e, strict=True)) <= 1
        for d, e in zip(drawn, expected, strict=True)
    ), (drawn, expected)
    assert "Page 2" in dom.text["pv-head"] and "low confidence" in dom.text["pv-head"]

    hostile = Dom(chromium(path.as_uri() + "#p5", tmp_path, "--dump-dom"))
    assert len(hostile.find("rect", "word")) == report["pages"][4]["words"]
    assert "<script>alert(1)</script>" in hostile.text["pv-text"]  # shown as text…
    assert sum(1 for t, _ in hostile.elements if t == "script") == 2  # …not run as markup
    assert "⟨U+202E⟩" in hostile.text["pv-text"]

    shot = tmp_path / "report.png"
    chromium(path.as_uri(), tmp_path, f"--screenshot={shot}")
    with Image.open(shot) as im:
        assert im.size == (1366, 900)
        assert ImageStat.Stat(im.convert("L")).stddev[0] > 20  # drawn, not a blank page


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_blank_page_fallback_in_chromium(tmp_path: Path) -> None:
    words = tuple(Word(f"w{i}", BBox(50 + 60 * i, 100, 100 + 60 * i, 130), 0.8) for i in range(7))
    page = Page(
        index=0,
        size=(800, 1000),
        dpi=150,
        image="pages/missing.png",
        blocks=(
            Block("paragraph", (Line(words, BBox(50, 100, 510, 130)),), BBox(50, 100, 510, 130)),
        ),
    )
    book = Book(BookMeta(title="t"), (page,), (PageBreak(0), Paragraph("w0 w1 w2 w3 w4 w5 w6")))
    path = write_report_html(book, make_report(book), tmp_path / "r.html")
    dom = Dom(chromium(path.as_uri(), tmp_path, "--dump-dom"))
    assert len(dom.find("rect", "word")) == 7
    assert "blank page of the right size" in dom.text["pv-stage"]
    assert "aspect-ratio: 800 / 1000" in dom.find("div", "blank")[0]["style"]


def test_page_previews_are_cached_beside_the_image(tmp_path: Path) -> None:
    """The runner's workers make the previews; the report (and a rerun) only read them."""
    from digitize.report.pages import page_images

    (tmp_path / "pages").mkdir()
    Image.new("L", (600, 800), 200).save(tmp_path / "pages" / "p1.png")
    book = Book(BookMeta(), (), work_dir=str(tmp_path))
    page = Page(index=0, size=(600, 800), dpi=100, image="pages/p1.png")
    view, thumb = page_images(book, page)
    assert view and view.startswith("data:image/jpeg;base64,") and thumb
    (cached,) = (tmp_path / "pages").glob("p1.png.preview-*.json")  # beside the image
    assert json.loads(cached.read_text()) == [view, thumb]
    cached.write_text(json.dumps(["data:view", "data:thumb"]))
    assert page_images(book, page) == ("data:view", "data:thumb")


# ---------------------------------------------------------------- unread text (Page.gaps)

GAP = BBox(80.0, 300.0, 900.0, 330.0)


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("gaps")
    book = report_book(tmp)
    pages = list(book.pages)
    pages[3] = dataclasses.replace(pages[3], gaps=(GAP,))  # the nearly blank page lost a line
    pages[0] = dataclasses.replace(pages[0], gaps=(GAP, BBox(80.0, 400.0, 700.0, 430.0)))
    book = book.with_pages(pages)
    report = make_report(book)
    return book, report, write_report_html(book, report, tmp / "gaps.report.html")


def test_a_page_with_a_gap_is_flagged_for_review_worst_first(gapped) -> None:  # type: ignore[no-untyped-def]
    book, report, _ = gapped
    p0 = report["pages"][0]
    assert p0["flags"] == ["unread_text"] and p0["gaps"] == [
        [80, 300, 900, 330],
        [80, 400, 700, 430],
    ]
    assert report["pages"][3]["flags"] == ["unread_text", "few_words"]
    assert report["pages"][2]["flags"] == ["failed"]  # a failed page has no gaps to speak of
    # failed first, then pages that lost text (by confidence), then the rest
    assert report["flagged_pages"] == [2, 3, 0, 1]
    flow = FlowIndex.of(book)
    views = [page_data(book, i, flow, report["pages"][i]) for i in range(len(book.pages))]
    assert [v["i"] for v in review_order(views)][:3] == [2, 3, 0]
    assert views[0]["gaps"] == [[80, 300, 900, 330], [80, 400, 700, 430]]
    assert views[1]["gaps"] == []


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_gaps_are_drawn_on_the_page_view(gapped, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _book, _report, path = gapped
    dom = Dom(chromium(path.as_uri() + "#p1", tmp_path, "--dump-dom"))
    gaps = dom.find("rect", "gap")
    assert [(g["x"], g["y"], g["width"], g["height"]) for g in gaps] == [
        ("80", "300", "820", "30"),
        ("80", "400", "620", "30"),
    ]
    assert "unread text" in dom.text["pv-head"]
    rows = [a["data-i"] for t, a in dom.elements if t == "tr" and "data-i" in a]
    assert rows[:3] == ["2", "3", "0"]
    assert "2 lines of text not read" in dom.text["flagged"]
    other = Dom(chromium(path.as_uri() + "#p2", tmp_path, "--dump-dom"))
    assert other.find("rect", "gap") == []


# ---------------------------------------------------------------- readings that disagree

DISAGREE = (
    "readings disagree: the vie and eng models read 9 of 120 Vietnamese words with other "
    "letters: check the text"
)


def test_a_page_whose_readings_disagree_is_flagged_and_says_why(tmp_path: Path) -> None:
    """ocr.tesseract's warning (`_marks.contested_warning`) puts the page on the review list,
    its row saying why, though its confidence is high."""
    book = report_book(tmp_path)
    pages = list(book.pages)
    pages[0] = dataclasses.replace(pages[0], warnings=("coverage: 1 word(s) re-read", DISAGREE))
    book = book.with_pages(pages)
    report = make_report(book)
    assert report["pages"][0]["flags"] == ["readings_disagree"]
    assert "readings_disagree" not in report["pages"][1]["flags"]
    assert 0 in report["flagged_pages"]
    html = write_report_html(book, report, tmp_path / "r.report.html").read_text(encoding="utf-8")
    row = html[html.index('<table id="flagged">') :]
    row = row[row.index('<tr data-i="0">') :]
    row = row[: row.index("</tr>")]
    assert "readings_disagree" in row and "9 of 120 Vietnamese words" in row
