"""The proofreading store: edits reach book.json and its flow, corrections are recorded and
re-applied, stale saves are refused, saves are atomic, undo takes back this session's edits."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.proofbook import block, make_book, write_book

from digitize import corrections as edits
from digitize.bookjson import book_from_json
from digitize.errors import OutputNotWritable
from digitize.model import Heading, Paragraph
from digitize.proof.store import BookStore, Conflict, rebuild_flow


def texts(book, kind=Paragraph):  # type: ignore[no-untyped-def]
    return [i.text for i in book.flow if isinstance(i, kind)]


def saved(path: Path):  # type: ignore[no-untyped-def]
    return book_from_json(path.read_text(encoding="utf-8"))


def test_rebuilding_the_flow_of_an_unedited_book_changes_nothing() -> None:
    book = make_book()
    assert rebuild_flow(book, "").flow == book.flow


def test_a_fixed_word_reaches_pages_flow_and_corrections(tmp_path: Path) -> None:
    path = write_book(tmp_path)
    store = BookStore(path, who="Lan")
    decomposed = unicodedata.normalize("NFD", "thế")  # what some input methods send
    v1 = store.edit(store.version, "word", 0, 1, line=0, word=1, value=decomposed)
    assert v1 != "" and v1 == store.version
    book = saved(path)
    word = book.pages[0].blocks[1].lines[0].words[1]
    assert word.text == "thế" and unicodedata.is_normalized("NFC", word.text)
    assert word.conf == 1.0  # a person checked it
    assert "Tình thế Nho giáo lúc Hán sơ còn yếu. Ai cũng biết vậy." in texts(book)
    (c,) = book.corrections
    assert (c.op, c.page, c.block, c.line, c.word, c.value, c.who) == (
        "word",
        0,
        1,
        0,
        1,
        decomposed,
        "Lan",
    )
    assert c.anchor.startswith("Tình thé") and c.box is not None and c.when.endswith("Z")


def test_kind_join_split_and_text_edits(tmp_path: Path) -> None:
    path = write_book(tmp_path)
    store = BookStore(path)
    store.edit(store.version, "kind", 0, 3, value="heading", level=1)
    book = saved(path)
    assert "Đoạn thứ ba ngắn." in texts(book, Heading)
    assert [h.level for h in book.flow if isinstance(h, Heading)] == [1, 1]
    store.edit(store.version, "join", 0, 1)
    book = saved(path)
    assert any("còn yếu. Ai cũng biết vậy. Đoạn thứ hai" in t for t in texts(book))
    assert len(book.pages[0].blocks) == 4
    store.edit(store.version, "split", 0, 1, line=2)
    assert [t[:12] for t in texts(saved(path))][:2] == ["Tình thé Nho", "Đoạn thứ hai"]
    store.edit(store.version, "text", 0, 2, value="Đoạn thứ hai nói về nhà Hán.\nNó có ba dòng.")
    assert "Đoạn thứ hai nói về nhà Hán. Nó có ba dòng." in texts(saved(path))
    store.edit(store.version, "kind", 1, 0, value="paragraph")  # a running head kept as text
    assert "24 Nho giáo yếu lược" in texts(saved(path))
    assert [c.op for c in saved(path).corrections] == ["kind", "join", "split", "text", "kind"]


@pytest.mark.parametrize(
    ("op", "kw", "why"),
    [
        ("kind", {"value": "figure"}, "unknown block kind"),
        ("kind", {"value": "heading", "level": 7}, "level from 1 to 3"),
        ("join", {}, "last one"),
        ("split", {"line": 0}, "cannot be split"),
        ("word", {"line": 5, "word": 0, "value": "x"}, "no word"),
        ("fly", {}, "unknown edit"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    tmp_path: Path, op: str, kw: dict, why: str
) -> None:  # type: ignore[type-arg]
    path = write_book(tmp_path)
    before = path.read_bytes()
    store = BookStore(path)
    with pytest.raises(edits.EditError, match=why):
        store.edit(store.version, op, 0, 4 if op == "join" else 3, **kw)
    assert path.read_bytes() == before


def test_a_stale_save_is_a_conflict_and_loses_nothing(tmp_path: Path) -> None:
    path = write_book(tmp_path)
    tab1, tab2 = BookStore(path), BookStore(path)  # two sessions on one file (or two tabs)
    v0 = tab1.version
    tab1.edit(v0, "word", 0, 1, line=0, word=1, value="thế")
    with pytest.raises(Conflict, match="another tab"):
        tab2.edit(v0, "kind", 0, 3, value="heading", level=1)
    assert [c.op for c in saved(path).corrections] == ["word"]
    tab2.edit(tab2.version, "kind", 0, 3, value="heading", level=1)  # after a reload it works
    assert [c.op for c in saved(path).corrections] == ["word", "kind"]
    assert "thế" in saved(path).pages[0].blocks[1].text


def test_undo_takes_back_this_sessions_last_edit(tmp_path: Path) -> None:
    path = write_book(tmp_path)
    original = saved(path)
    store = BookStore(path)
    store.edit(store.version, "join", 0, 1)
    store.edit(store.version, "reviewed", 0, value="yes")
    assert edits.reviewed_pages(saved(path)) == {0}
    _, page = store.undo(store.version)
    assert page == 0 and edits.reviewed_pages(saved(path)) == set()
    store.undo(store.version)
    assert saved(path) == original
    with pytest.raises(edits.EditError, match="nothing to undo"):
        store.undo(store.version)


def test_a_failed_save_leaves_the_old_book_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_book(tmp_path)
    before = path.read_bytes()
    store = BookStore(path)

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputNotWritable):
        store.edit(store.version, "join", 0, 1)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no .part left


def test_corrections_are_reapplied_to_a_reconversion(tmp_path: Path) -> None:
    path = write_book(tmp_path)
    store = BookStore(path)
    store.edit(store.version, "word", 0, 1, line=0, word=1, value="thế")
    store.edit(store.version, "kind", 0, 3, value="heading", level=1)
    store.edit(store.version, "reviewed", 1, value="yes")
    edited = saved(path)
    # A re-conversion with other options: one more block at the top of page 1 (positions
    # shift) and the last paragraph of page 1 read differently (its correction cannot apply).
    fresh = make_book()
    p0 = fresh.pages[0]
    shifted = (*p0.blocks[:1], p0.blocks[4], *p0.blocks[1:4])
    fresh = fresh.with_pages((replace(p0, blocks=shifted), fresh.pages[1]))
    again, missed = edits.reapply(fresh, edited.corrections)
    assert missed == []
    assert "thế" in again.pages[0].blocks[2].text and again.pages[0].blocks[4].kind == "heading"
    assert edits.reviewed_pages(again) == {1}
    assert again.corrections == edited.corrections
    changed = make_book()
    blocks = list(changed.pages[0].blocks)
    blocks[1] = blocks[2]  # the paragraph the word fix was about is gone
    changed = changed.with_pages((replace(p0, blocks=tuple(blocks)), changed.pages[1]))
    _, missed = edits.reapply(changed, edited.corrections[:1])
    assert [c.op for c in missed] == ["word"]


def test_a_heading_the_proofreader_set_stays_one_at_the_top_of_a_page(tmp_path: Path) -> None:
    """`layout.flow` reads a one-line "heading" that closes the sentence left open at the foot
    of the page before as the end of that sentence; a proofreader's word overrules it."""
    book = make_book()
    p0, p1 = book.pages
    open_end = block("paragraph", ["Đoạn cuối trang chưa hết câu và"], 440)
    top = block("paragraph", ["còn tiếp ở trang sau."], 100)
    pages = (replace(p0, blocks=(*p0.blocks[:3], open_end)), replace(p1, blocks=(top, *p1.blocks)))
    path = write_book(tmp_path, rebuild_flow(book.with_pages(pages), ""))
    store = BookStore(path)
    store.edit(store.version, "kind", 1, 0, value="heading", level=2)
    flow = saved(path).flow
    assert "còn tiếp ở trang sau." in texts(saved(path), Heading)
    assert not any("chưa hết câu và còn tiếp" in t for t in texts(saved(path)))
    assert saved(path).pages[1].blocks[0].confirmed
    assert flow == rebuild_flow(saved(path), "").flow
