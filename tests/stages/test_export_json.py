"""export.json: the book.json checkpoint round-trips losslessly."""

from __future__ import annotations

from pathlib import Path

from digitize.bookjson import book_from_json
from digitize.stage import Context
from digitize.stages.export.json import BookJsonExporter
from digitize.testing import check_exporter, sample_book


def test_contract_and_round_trip(tmp_path: Path) -> None:
    (path,) = check_exporter(BookJsonExporter, tmp_path)
    assert path.name == "sach-mau.book.json"
    book = sample_book(tmp_path / "x")
    (out,) = BookJsonExporter().export(book, tmp_path / "o", Context())
    assert book_from_json(out.read_text("utf-8")) == book
