"""export.txt: plain text, blank line between blocks, no page markers, no control characters."""

from __future__ import annotations

from pathlib import Path

from digitize.stage import Context
from digitize.stages.export.txt import TextExporter
from digitize.testing import check_exporter, sample_book


def test_contract(tmp_path: Path) -> None:
    (path,) = check_exporter(TextExporter, tmp_path)
    assert path.name == "sach-mau.txt"


def test_content(tmp_path: Path) -> None:
    (path,) = TextExporter().export(sample_book(tmp_path), tmp_path / "out", Context())
    text = path.read_text("utf-8")
    blocks = text.split("\n\n")
    assert blocks[0] == "Chương 1. Số và phép tính"
    assert blocks[1].startswith("Tiếng Việt có đủ dấu: ắ ằ ẳ ẵ ặ")
    assert "Đoạn văn này bắt đầu ở trang 2 và tiếp tục sang trang 3" in text
    assert "1. Bước một\n2. Bước hai" in text and "- banana & <cherry>" in text
    assert "Số | Bình phương\n2 | 4" in text
    assert "[1] Chú thích cuối trang" in text
    assert "<!--" not in text and "page-" not in text
    assert "\x00" not in text and "\u202e" not in text
    assert text.endswith("Một đoạn ngắn.\n")


def test_printed_list_markers_are_not_numbered_again(tmp_path: Path) -> None:
    from digitize.model import Book, BookMeta, ListBlock
    from digitize.stage import Context
    from digitize.stages.export.txt import TextExporter

    book = Book(
        BookMeta(title="t", source="t.pdf"),
        flow=(
            ListBlock(("a) một", "b) hai"), ordered=True),
            ListBlock(("ba", "bốn"), ordered=True),
        ),
    )
    (path,) = TextExporter().export(book, tmp_path, Context())
    assert path.read_text().strip().split("\n\n") == ["a) một\nb) hai", "1. ba\n2. bốn"]
