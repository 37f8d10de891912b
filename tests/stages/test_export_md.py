"""export.md: headings, lists, tables, figures, footnotes, page comments; OCR text escaped."""

from __future__ import annotations

from pathlib import Path

from digitize.stage import Context
from digitize.stages.export.md import MarkdownExporter, md_escape
from digitize.testing import check_exporter, sample_book


def test_contract(tmp_path: Path) -> None:
    paths = check_exporter(MarkdownExporter, tmp_path)
    assert paths[0].name == "sach-mau.md"
    assert paths[1].parent.name == "sach-mau_files" and paths[1].suffix == ".png"


def test_content(tmp_path: Path) -> None:
    out = tmp_path / "out"
    md, img = MarkdownExporter().export(sample_book(tmp_path), out, Context())
    text = md.read_text("utf-8")
    assert text.startswith("<!-- page 1 -->\n\n# Chương 1. Số và phép tính\n\n")
    assert "\n## 1.1 Phép cộng\n" in text and "\n### Mục sâu (cấp 3)\n" in text
    assert "trang 2 <!-- page 3 -->và tiếp tục" in text
    assert "Xem chú thích[^1] ở cuối trang." in text
    assert "\n[^1]: Chú thích cuối trang, tiếng Việt.\n" in text
    assert "1. Bước một\n2. Bước hai" in text
    assert "| Số | Bình phương |\n| --- | --- |\n| 2 | 4 |" in text
    rel = img.relative_to(out).as_posix()
    assert f"![Hình 1. Một hình chữ nhật]({rel})" in text and img.is_file()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text
    assert "\x00" not in text and "\u202e" not in text


def test_escape() -> None:
    assert md_escape("a *b* _c_ [l](u) `x` | ~y~") == r"a \*b\* \_c\_ \[l\](u) \`x\` \| \~y\~"
    assert md_escape("<b>&amp;</b>") == r"&lt;b&gt;\&amp;&lt;/b&gt;"
    assert md_escape("- not a list") == r"\- not a list"
    assert md_escape("# not a heading") == r"\# not a heading"
    assert md_escape("1. not a list") == r"1\. not a list"
    assert md_escape("2024. năm", first=False) == "2024. năm"
