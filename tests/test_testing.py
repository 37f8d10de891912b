"""digitize.testing: the sample book covers every flow type, and check_exporter catches bad
exporters (raw markup, writes outside out_dir, non-determinism, leftover temp files)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from digitize.fileio import write_text
from digitize.model import (
    Book,
    Figure,
    Footnote,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
)
from digitize.stage import Context, Exporter
from digitize.testing import HOSTILE, check_exporter, sample_book


def test_sample_book_has_everything(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    kinds = {type(i) for i in book.flow}
    assert kinds == {PageBreak, Heading, Paragraph, Figure, ListBlock, Table, Footnote}
    assert {h.level for h in book.flow if isinstance(h, Heading)} >= {1, 2}
    assert any(p.breaks for p in book.flow if isinstance(p, Paragraph))
    assert all(pb.label for pb in book.flow if isinstance(pb, PageBreak))
    fig = next(f for f in book.flow if isinstance(f, Figure))
    assert (Path(book.work_dir) / fig.image).is_file()
    assert any(HOSTILE in getattr(i, "text", "") for i in book.flow)
    assert any("ắ" in getattr(i, "text", "") for i in book.flow)


class _Base(Exporter):  # type: ignore[type-arg]
    name: ClassVar[str] = "export.bad"

    def body(self, book: Book) -> str:
        return "<p>ok</p>"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        return [write_text(out_dir / "book.html", self.body(book))]


class _Raw(_Base):
    def body(self, book: Book) -> str:
        return "".join(f"<p>{p.text}</p>" for p in book.flow if isinstance(p, Paragraph))


class _Clock(_Base):
    def body(self, book: Book) -> str:
        return f"<p>{time.perf_counter_ns()}</p>"


class _Outside(_Base):
    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        write_text(Path(book.work_dir) / "stray.txt", "x")
        return super().export(book, out_dir, ctx)


class _Leaky(_Base):
    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        (out_dir / ".book.html.123.part").write_text("half")
        return super().export(book, out_dir, ctx)


class _Nothing(_Base):
    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        return []


def test_good_exporter_passes(tmp_path: Path) -> None:
    assert [p.name for p in check_exporter(_Base, tmp_path)] == ["book.html"]


@pytest.mark.parametrize(
    ("cls", "why"),
    [
        (_Raw, "control/bidi|hostile"),
        (_Clock, "differ"),
        (_Outside, "outside out_dir"),
        (_Leaky, "temporary files"),
        (_Nothing, "no paths"),
    ],
)
def test_bad_exporters_fail(tmp_path: Path, cls: type[Exporter], why: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(AssertionError, match=why):
        check_exporter(cls, tmp_path)


def test_fixture_via_pytest_plugins(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["digitize.testing"]\n')
    (tmp_path / "test_plugin.py").write_text(
        "def test_it(digitize_sample_book):\n"
        "    assert digitize_sample_book.meta.lang == 'vi'\n"
        "    assert len(digitize_sample_book.flow) > 10\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "1 passed" in proc.stdout
