"""Test helpers for exporter authors: a sample book and a contract check.

    from digitize.testing import check_exporter

    def test_contract(tmp_path):
        check_exporter(MyExporter, tmp_path)

Or, in a conftest: `pytest_plugins = ["digitize.testing"]` to get the `digitize_sample_book`
fixture. The sample book holds everything an exporter must handle: two heading levels (and a
skipped level), page breaks with printed labels, a break inside a paragraph, a figure with its
image in the work dir, lists, a table, a footnote, Vietnamese text and hostile text.
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from digitize.model import (
    BBox,
    Block,
    Book,
    BookMeta,
    Figure,
    Footnote,
    Heading,
    Line,
    ListBlock,
    Page,
    PageBreak,
    Paragraph,
    Step,
    Table,
    Word,
    nfc,
)
from digitize.stage import Context, Exporter, PageStage

HOSTILE = "<script>alert(1)</script> </p> & ]]> \x00\x07\x1b \u202egnp.exe\u202c \u2066x\u2069"
"""Text an OCR engine (or an edited book.json) could produce: markup, CDATA end, controls, bidi."""
VIETNAMESE = nfc("Tiếng Việt có đủ dấu: ắ ằ ẳ ẵ ặ, ố ồ ổ ỗ ộ, ứ ừ ử ữ ự, Đ đ.")
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\u202a-\u202e\u2066-\u2069]")
_MARKUP_SUFFIXES = {".html", ".htm", ".xhtml", ".xml", ".opf", ".md", ".ncx", ".svg", ".hocr"}
SOURCE_DATE_EPOCH = "1700000000"


def _image(path: Path, size: tuple[int, int], text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(im)
    d.rectangle((10, 10, size[0] - 10, size[1] - 10), outline="black", width=3)
    d.text((20, 20), text, fill="black")
    im.save(path, "PNG")


def sample_book(tmp_path: Path) -> Book:
    """A small, complete book whose images live in `tmp_path / "work"`."""
    work = Path(tmp_path) / "work"
    _image(work / "pages" / "p0001.png", (300, 420), "page 1")
    _image(work / "figures" / "fig1.png", (160, 120), "figure")
    pages = tuple(
        Page(index=i, size=(300, 420), dpi=72, label=str(i + 1), image=img)
        for i, img in enumerate(("pages/p0001.png", None, None, None))
    )
    # Page 1 carries OCR words (archival exporters read them): a running header, a Vietnamese
    # line, a hostile word; page 2 is born-digital (text layer, no image).
    pages = (
        replace(pages[0], blocks=_sample_blocks()),
        replace(pages[1], source="textlayer", blocks=(_block("paragraph", [("Born", 20, 60)]),)),
        *pages[2:],
    )
    inner = nfc("Đoạn văn này bắt đầu ở trang 2 và tiếp tục sang trang 3 mà không bị ngắt.")
    flow = (
        PageBreak(0, "1"),
        Heading(nfc("Chương 1. Số và phép tính"), 1),
        Paragraph(VIETNAMESE + nfc(" Xem chú thích1 ở cuối trang.")),
        Heading(nfc("1.1 Phép cộng"), 2),
        PageBreak(1, "2"),
        Paragraph(inner, breaks=((inner.index("và"), 2, "3"),)),
        Figure("figures/fig1.png", nfc("Hình 1. Một hình chữ nhật"), 160, 120),
        ListBlock((nfc("Bước một"), nfc("Bước hai")), ordered=True),
        ListBlock(("apple", "banana & <cherry>")),
        Table(((nfc("Số"), nfc("Bình phương")), ("2", "4"), ("3", "9")), nfc("Bảng 1")),
        Footnote("1", nfc("Chú thích cuối trang, tiếng Việt.")),
        Heading("1.2 English section", 2, lang="en"),
        Paragraph("Plain English text in a Vietnamese book.", lang="en"),
        PageBreak(3, "4"),
        Heading(nfc("Chương 2. ") + HOSTILE, 1),
        Paragraph(HOSTILE),
        Heading(nfc("Mục sâu (cấp 3)"), 3),
        Paragraph(nfc("Một đoạn ngắn.")),
    )
    meta = BookMeta(
        title=nfc("Sách mẫu: Toán 10"),
        authors=(nfc("Nguyễn Văn An"), nfc("Trần Thị Bình")),
        lang="vi",
        source=nfc("Sách mẫu: Toán 10, Nhà xuất bản Mẫu, 2024"),
        isbn="978-604-0-00000-0",
        file="sach-mau.pdf",
        date="2024",
        publisher=nfc("Nhà xuất bản Mẫu"),
    )
    return Book(meta=meta, pages=pages, flow=flow, work_dir=str(work))


def _block(kind: str, words: list[tuple[str, float, float]], conf: float = 0.9) -> Block:
    """One line of 14 px high words, each (text, x0, y0), 8 px per character."""
    ws = tuple(Word(t, BBox(x, y, x + 8 * len(t), y + 14), conf) for t, x, y in words)
    box = BBox.enclosing([w.bbox for w in ws])
    return Block(kind, (Line(ws, box),), box)


def _sample_blocks() -> tuple[Block, ...]:
    return (
        _block("header", [(nfc("Toán"), 120, 20), ("10", 160, 20)]),
        _block("paragraph", [(nfc("Tiếng"), 30, 100), (nfc("Việt"), 80, 100)], 0.87),
        _block("paragraph", [("<script>&]]>\x00\u202ex\u202c", 30, 140)], 0.5),
        _block("page_number", [("1", 145, 390)]),
    )


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _snapshot(root: Path, skip: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not any(p.is_relative_to(s) for s in skip):
            st = p.stat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every markup or text document in an output file (zip members too)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if Path(name).suffix.lower() in _MARKUP_SUFFIXES | {".txt"}:
                    yield f"{path.name}!{name}", z.read(name).decode("utf-8")
    elif path.suffix.lower() in _MARKUP_SUFFIXES | {".txt"}:
        yield path.name, path.read_text("utf-8")


def run_page_stage(stage: PageStage[Any], page: Page, ctx: Context) -> tuple[Page, ...]:
    """Run a page stage on one page as the engine does (outside a worker: its new images are
    written at once), recording its step; returns the pages it made (two for a split)."""
    ctx.notes.clear()
    out = stage.process_page(page, ctx)
    step = Step(stage.name, stage.version, stage.options_digest(), note="; ".join(ctx.notes))
    return tuple(p.with_step(step) for p in (out if isinstance(out, tuple) else (out,)))


def check_exporter(
    exporter_cls: type[Exporter[Any]], tmp_path: Path, options: Any = None
) -> list[Path]:
    """Assert the exporter contract on the sample book; return the paths of the first run.

    `tmp_path` is an empty folder the check writes the sample book and both runs' outputs into
    (with pytest, its `tmp_path` fixture); `options` an instance of the exporter's Options
    (default: its defaults). docs/plugins.md shows it in use.

    Checks: returns existing, non-empty paths inside out_dir; writes nothing outside it; leaves
    no `.part` files; two runs give byte-identical trees (SOURCE_DATE_EPOCH is set during the
    check); hostile text never appears as raw markup, control or bidi characters.
    """
    tmp_path = Path(tmp_path)
    assert exporter_cls.kind == "export" and exporter_cls.name.startswith("export.")
    book = sample_book(tmp_path / "book")
    ctx = Context(work_dir=book.work_dir)
    outs = (tmp_path / "out1", tmp_path / "out2")
    before = _snapshot(tmp_path, outs)
    runs = []
    with _env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH):
        for out in outs:
            out.mkdir(parents=True, exist_ok=True)
            runs.append(exporter_cls(options).export(book, out, ctx))
    assert _snapshot(tmp_path, outs) == before, "exporter wrote or changed files outside out_dir"
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    for out, paths in zip(outs, runs, strict=True):
        assert paths, "exporter returned no paths"
        for p in paths:
            p = Path(p)
            assert p.exists(), f"{p} does not exist"
            assert p.resolve().is_relative_to(out.resolve()), f"{p} is outside {out}"
            assert (p.is_file() and p.stat().st_size > 0) or (p.is_dir() and any(p.iterdir()))
    assert [Path(p).name for p in runs[0]] == [Path(p).name for p in runs[1]]
    assert _tree(outs[0]) == _tree(outs[1]), "two exports of the same book differ"
    for p in outs[0].rglob("*"):
        if not p.is_file():
            continue
        for name, text in _texts(p):
            bad = _FORBIDDEN.search(text)
            assert bad is None, f"{name}: control/bidi character {bad.group()!r} in output"
            if Path(name).suffix.lower() in _MARKUP_SUFFIXES:
                assert "<script" not in text.lower(), f"{name}: hostile text became markup"
                assert "]]>" not in text, f"{name}: unescaped ']]>'"
    return [Path(p) for p in runs[0]]


try:  # a fixture for `pytest_plugins = ["digitize.testing"]`; pytest is a dev dependency
    import pytest

    @pytest.fixture
    def digitize_sample_book(tmp_path: Path) -> Book:
        """The sample book (see `sample_book`), its work dir under `tmp_path`."""
        return sample_book(tmp_path)

except ImportError:  # pragma: no cover
    pass
