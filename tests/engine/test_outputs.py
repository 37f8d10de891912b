"""A book's outputs appear together or not at all (digitize.engine.outputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digitize.engine.outputs import STAGING_PREFIX, publish, staging
from digitize.errors import OutputNotWritable
from digitize.fileio import write_text


def test_publish_replaces_files_and_folders_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "book_html").mkdir(parents=True)
    (out / "book_html" / "stale.html").write_text("old chapter")
    (out / "book.txt").write_text("old text")
    (out / "other.txt").write_text("another book")
    with staging(out) as st:
        assert st.parent == out and st.name.startswith(STAGING_PREFIX)
        written = [write_text(st / "book.txt", "new"), write_text(st / "book_html/index.html", "i")]
        final = publish(st, out, written)
    assert final == [out / "book.txt", out / "book_html/index.html"]
    assert (out / "book.txt").read_text() == "new"
    assert sorted(p.name for p in (out / "book_html").iterdir()) == ["index.html"]
    assert (out / "other.txt").read_text() == "another book"
    assert sorted(p.name for p in out.iterdir()) == ["book.txt", "book_html", "other.txt"]


def test_a_failure_leaves_the_output_dir_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "book.txt").write_text("old text")
    with pytest.raises(OutputNotWritable) as e, staging(out) as st:
        write_text(st / "book.epub", "x")
        raise OutputNotWritable(f"cannot write {st}/book.json: File too large")
    assert str(e.value) == f"cannot write {out}/book.json: File too large"  # the real name
    assert sorted(p.name for p in out.iterdir()) == ["book.txt"]
    with pytest.raises(KeyError), staging(out) as st:
        write_text(st / "book.epub", "x")
        raise KeyError("a bug in an exporter")
    assert sorted(p.name for p in out.iterdir()) == ["book.txt"]


def test_staging_under_a_file_is_output_not_writable(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputNotWritable, match="cannot write to"), staging(tmp_path / "f" / "o"):
        pass
