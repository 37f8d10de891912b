"""The synthetic textbook generator: deterministic, and its truth matches its pages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from digitize.lab.evaluation.text import flow_to_text, normalize
from digitize.lab.synth import BookSpec, generate_book
from digitize.lab.synth.draw import hyphen_points
from digitize.lab.synth.text import load_source
from digitize.model import BLOCK_KINDS

EXCERPTS = str(Path(__file__).parent / "no-such-dir")  # force the built-in excerpts


def _digest(d: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(d.rglob("*")):
        if f.is_file():
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("book")
    spec = BookSpec(
        lang="vi+en",
        pages=6,
        level="light",
        seed=4,
        two_column=0.3,
        footer=True,
        texts_dir=EXCERPTS,
    )
    truth = generate_book(spec, out)
    return out, truth


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    spec = BookSpec(lang="en", pages=2, level="heavy", seed=7, texts_dir=EXCERPTS)
    generate_book(spec, tmp_path / "a")
    generate_book(spec, tmp_path / "b")
    generate_book(
        BookSpec(lang="en", pages=2, level="heavy", seed=8, texts_dir=EXCERPTS), tmp_path / "c"
    )
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_outputs_and_schema(book: tuple[Path, dict]) -> None:
    out, truth = book
    assert json.loads((out / "truth.json").read_text("utf-8")) == truth
    assert truth["schema"] == "digitize.truth" and truth["version"] == 1
    assert truth["lang"] == "vi+en" and truth["level"] == "light" and truth["seed"] == 4
    assert len(truth["pages"]) == 6
    img = Image.open(out / truth["pages"][0]["image"])
    assert img.size == (1240, 1754) and round(img.info["dpi"][0]) == 300
    with pymupdf.open(out / "book.pdf") as pdf:
        assert pdf.page_count == 6
        assert not pdf[0].get_text().strip()  # image-only
        assert abs(pdf[0].rect.width - 1240 / 300 * 72) < 0.5


def test_every_block_lies_inside_its_page(book: tuple[Path, dict]) -> None:
    _, truth = book
    for page in truth["pages"]:
        w, h = page["size"]
        assert page["blocks"]
        for b in page["blocks"]:
            assert b["kind"] in BLOCK_KINDS
            x0, y0, x1, y1 = b["bbox"]
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (page["index"], b)
            for ln in b.get("lines", []):
                lx0, ly0, lx1, ly1 = ln["bbox"]
                assert x0 <= lx0 and y0 <= ly0 and lx1 <= x1 and ly1 <= y1


def test_running_heads_page_numbers_and_ink(book: tuple[Path, dict]) -> None:
    out, truth = book
    for page in truth["pages"]:
        kinds = [b["kind"] for b in page["blocks"]]
        assert kinds.count("page_number") == 1
        assert "footer" in kinds
        num = next(b for b in page["blocks"] if b["kind"] == "page_number")
        assert num["text"] == page["label"]
        heads = [b for b in page["blocks"] if b["kind"] == "header"]
        if heads:  # verso: the book title, recto: the chapter title
            assert (heads[0]["text"] == truth["title"]) == (int(page["label"]) % 2 == 0)
        # there is dark ink where the truth says a page number is printed
        im = Image.open(out / page["image"]).convert("L")
        assert np.asarray(im.crop(tuple(num["bbox"]))).min() < 100
    assert any(b["kind"] == "header" for p in truth["pages"] for b in p["blocks"])


def test_flow_and_truth_text(book: tuple[Path, dict]) -> None:
    out, truth = book
    flow = truth["flow"]
    kinds = {it["kind"] for it in flow}
    assert {"heading", "paragraph", "page_break"} <= kinds
    assert {it["lang"] for it in flow if it["kind"] == "paragraph"} == {"vi", "en"}
    text = (out / "truth.txt").read_text("utf-8")
    assert text == flow_to_text(flow)
    for h in truth["hyphenated"]:  # dehyphenated in the reading text, split on the page
        assert h["prefix"] + h["suffix"] in text
    for page in truth["pages"]:  # no running heads in the reading text
        for b in page["blocks"]:
            if b["kind"] == "header" and b["text"] == truth["title"]:
                assert truth["title"] not in text
    # every page is marked once, by a page_break item or a break inside a paragraph
    marks = [it["index"] for it in flow if it["kind"] == "page_break"]
    marks += [br[1] for it in flow if it["kind"] == "paragraph" for br in it.get("breaks", [])]
    assert sorted(marks) == list(range(6))
    body = normalize(
        " ".join(b["text"] for p in truth["pages"] for b in p["blocks"] if b["kind"] == "paragraph")
    )
    for it in flow:
        if it["kind"] == "paragraph":
            first = " ".join(it["text"].split()[:3])
            assert first in body


def test_two_column_spread_and_rotation(tmp_path: Path) -> None:
    spec = BookSpec(
        lang="en",
        pages=4,
        level="clean",
        seed=2,
        spread=True,
        rotate=((1, 90),),
        two_column=1.0,
        texts_dir=EXCERPTS,
    )
    truth = generate_book(spec, tmp_path)
    assert len(list((tmp_path / "pages").glob("*.png"))) == 2
    first, _, third, _ = truth["pages"]
    assert first["size"] == [2480, 1754] and third["size"] == [1754, 2480]
    assert third["rotation"] == 90
    assert first["region"][2] <= 1240 + 2 and truth["pages"][1]["region"][0] >= 1240 - 2
    assert any(p["columns"] == 2 for p in truth["pages"])
    for p in truth["pages"]:
        for b in p["blocks"]:
            x0, y0, x1, y1 = b["bbox"]
            assert 0 <= x0 < x1 <= p["size"][0] and 0 <= y0 < y1 <= p["size"][1]


def test_hyphenation_rule_and_sources() -> None:
    assert hyphen_points("education") and all(3 <= p <= 6 for p in hyphen_points("education"))
    assert hyphen_points("người") == [] and hyphen_points("cat") == []
    text, full = load_source("vi", Path(EXCERPTS))
    assert not full and "# " in text and len(text.encode()) < 20_000


def test_page_breaks_inside_paragraphs_point_at_the_next_pages_first_line() -> None:
    from digitize.lab.synth.book import typeset

    seen = 0
    for lang in ("en", "vi"):
        ts, _ = typeset(BookSpec(lang=lang, pages=6, seed=3, texts_dir=EXCERPTS))
        for it in ts.flow:
            for off, idx, _label in it.get("breaks", []):
                page = ts.pages[idx]
                first = next(b for b in page.blocks if b.kind == "paragraph").lines[0].text
                assert it["text"][off:].startswith(first.split()[0].rstrip("-")[:4])
                seen += 1
    assert seen > 0


def test_cli_and_corpus(tmp_path: Path) -> None:
    from digitize.lab.synth import STANDARD_CORPUS, make_corpus
    from digitize.lab.synth.__main__ import main

    langs = {s.lang for s in STANDARD_CORPUS.values()}
    levels = {s.level for s in STANDARD_CORPUS.values()}
    assert langs == {"vi", "en", "vi+en"} and levels == {"clean", "light", "heavy"}
    assert all(s.pages >= 10 for s in STANDARD_CORPUS.values())
    some = {k: STANDARD_CORPUS[k] for k in ("vi-heavy", "en-clean")}
    dirs = make_corpus(tmp_path / "c", some, jobs=1, pages=1, texts_dir=EXCERPTS)
    assert [d.name for d in dirs] == ["vi-heavy", "en-clean"]
    assert all((d / "truth.json").is_file() and (d / "book.pdf").is_file() for d in dirs)
    args = ["-o", str(tmp_path / "cli"), "--lang", "en", "--pages", "1", "--rotate", "1:180"]
    assert main([*args, "--texts", EXCERPTS]) == 0
    truth = json.loads((tmp_path / "cli" / "truth.json").read_text("utf-8"))
    assert truth["pages"][0]["rotation"] == 180


def test_tables_are_drawn_ruled_or_open_by_design(tmp_path: Path) -> None:
    """Issue 15: a book's tables are ruled cell by cell or open (rules across only); the design
    draws either, and the truth carries the rows either way."""
    import random

    from digitize.lab.synth.design import choose_design

    drawn = {choose_design(random.Random(s)).table_rules for s in range(40)}
    assert drawn == {"grid", "open"}
    inks = {}
    for rules in ("grid", "open"):
        spec = BookSpec(lang="vi", pages=4, seed=1, design=(("table_rules", rules),))
        truth = generate_book(spec, tmp_path / rules)
        (table,) = [b for p in truth["pages"] for b in p["blocks"] if b["kind"] == "table"]
        (item,) = [it for it in truth["flow"] if it["kind"] == "table"]
        assert item["rows"][0] == ["STT", "Tên gọi", "Số lượng"] and len(item["rows"]) >= 4
        page = next(p for p in truth["pages"] if table in p["blocks"])
        img = np.asarray(Image.open(tmp_path / rules / page["image"]).convert("L"))
        x0, y0, x1, y1 = (int(v) for v in table["bbox"])
        # a vertical rule runs down the table between its first and second column
        col = img[y0 + 5 : y1 - 5, x0 + 5 : x0 + (x1 - x0) // 3]
        inks[rules] = bool((col < 128).all(axis=0).any())
    assert inks == {"grid": True, "open": False}


def test_boxed_notes_are_framed_and_recorded_as_asides(tmp_path: Path) -> None:
    """Issue 15: with `boxed_notes`, framed notes follow some paragraphs; the truth has them as
    `aside` blocks (page) and items (flow)."""
    boxed = generate_book(
        BookSpec(lang="vi", pages=4, seed=1, design=(("boxed_notes", 0.3),)), tmp_path / "b"
    )
    notes = [it for it in boxed["flow"] if it["kind"] == "aside"]
    assert notes and all(it["title"] and it["text"].endswith(".") for it in notes)
    blocks = [b for p in boxed["pages"] for b in p["blocks"] if b["kind"] == "aside"]
    assert len(blocks) == len(notes)


def test_exercises_set_their_options_side_by_side(tmp_path: Path) -> None:
    """Issue 15: with `exercises`, numbered questions follow some paragraphs, their options
    A.-D. drawn side by side (several on a line) and recorded as one list with markers."""
    truth = generate_book(
        BookSpec(lang="vi", pages=4, seed=1, design=(("exercises", 0.35),)), tmp_path
    )
    flow = truth["flow"]
    asked = [k for k, it in enumerate(flow) if it.get("text", "").startswith(("Câu", "Bài"))]
    assert asked
    for k in asked:
        assert flow[k + 1]["kind"] == "list" and flow[k + 1]["markers"] == ["A.", "B.", "C.", "D."]
    options = [b for p in truth["pages"] for b in p["blocks"] if b["kind"] == "list_item"]
    a = next(b for b in options if b["text"].startswith("A."))
    b = next(b for b in options if b["text"].startswith("B."))
    assert abs(a["bbox"][1] - b["bbox"][1]) < 10 and b["bbox"][0] > a["bbox"][2]  # same line


def test_paired_figures_sit_side_by_side_with_their_captions(tmp_path: Path) -> None:
    """Issue 15: with `paired_figures`, two figures share a row, captions under each (1.1a,
    1.1b) at the same height; the truth has two figure items."""
    spec = BookSpec(lang="vi", pages=5, seed=4, two_column=0.0, design=(("paired_figures", 1.0),))
    truth = generate_book(spec, tmp_path)
    caps = [it["caption"] for it in truth["flow"] if it["kind"] == "figure"]
    assert any(c.startswith("Hình 1.1a.") for c in caps) and any("1.1b." in c for c in caps)
    blocks = [b for p in truth["pages"] for b in p["blocks"] if b["kind"] == "caption"]
    a = next(b for b in blocks if b["text"].startswith("Hình 1.1a."))
    b = next(b for b in blocks if b["text"].startswith("Hình 1.1b."))
    assert abs(a["bbox"][1] - b["bbox"][1]) < 10 and a["bbox"][2] < b["bbox"][0]


def test_inline_emphasis_changes_the_ink_not_the_text_and_lists_take_the_designs_mark(
    tmp_path: Path,
) -> None:
    """Issue 15: a design sets runs of words in italic or bold inside body lines and marks
    bulleted items with `•` or `–`; the truth text stays the words as printed."""
    import random

    from digitize.lab.synth.design import choose_design

    drawn = [choose_design(random.Random(k)) for k in range(40)]
    assert {d.bullet for d in drawn} == {"•", "–"}
    assert {d.emphasis > 0 for d in drawn} == {True, False}
    base = {"lang": "en", "pages": 3, "level": "clean", "seed": 5, "texts_dir": EXCERPTS}
    plain = generate_book(BookSpec(**base, design=(("emphasis", 0.0),)), tmp_path / "a")
    loud = generate_book(BookSpec(**base, design=(("emphasis", 1.0),)), tmp_path / "b")
    assert flow_to_text(plain["flow"]) == flow_to_text(loud["flow"])
    assert _digest(tmp_path / "a" / "pages") != _digest(tmp_path / "b" / "pages")
    dash = generate_book(
        BookSpec(**(base | {"pages": 6, "seed": 6}), design=(("bullet", "–"),)), tmp_path / "c"
    )
    marks = [
        m
        for it in dash["flow"]
        if it["kind"] == "list" and not it["ordered"]
        for m in it["markers"]
    ]
    assert marks and set(marks) == {"–"}


@pytest.mark.parametrize("lines", [2, 3])
def test_drop_cap_opens_each_chapter(lines: int) -> None:
    """A design with a drop cap sets each chapter's first letter through `lines` lines; the
    truth keeps the word whole (flow and line) and its box takes in the letter."""
    from digitize.lab.synth.book import typeset

    spec = BookSpec(lang="en", pages=4, seed=12, texts_dir=EXCERPTS, design=(("drop_cap", lines),))
    ts, _ = typeset(spec)
    opening = next(p for p in ts.pages if p.chapter_start)
    title = next(b for b in opening.blocks if b.kind == "heading")
    para = next(b for b in opening.blocks if b.kind == "paragraph")
    first, second = para.lines[0], para.lines[1]
    k = ts.flow.index(next(it for it in ts.flow if it.get("text") == title.text.replace("\n", " ")))
    assert ts.flow[k + 1]["text"].startswith(first.text.split()[0])
    cap_h = first.bbox[3] - first.bbox[1]
    body_h = second.bbox[3] - second.bbox[1]
    assert cap_h > (lines - 0.5) * body_h  # the letter reaches down through the lines
    assert second.bbox[0] > first.bbox[0] + body_h  # the lines beside it are set in


def test_formulas_are_drawn_centred_with_stacked_and_raised_parts(tmp_path: Path) -> None:
    """Issue 15: with `formulas`, display formulas (a fraction with a bar, a power, a root)
    follow some paragraphs on a line of their own; the truth has each one's box and
    plain-text form, and books without formulas keep their pages."""
    truth = generate_book(
        BookSpec(lang="en", pages=5, seed=5, design=(("formulas", 0.6),)), tmp_path / "f"
    )
    items = [it for it in truth["flow"] if it["kind"] == "formula"]
    assert len(items) >= 3 and all("=" in it["text"] for it in items)
    assert any("/(" in it["text"] for it in items) or any("^" in it["text"] for it in items)
    boxes = [(p, b) for p in truth["pages"] for b in p["blocks"] if b["kind"] == "formula"]
    assert len(boxes) == len(items)
    for page, block in boxes:
        x0, y0, x1, y1 = block["bbox"]
        img = np.asarray(Image.open(tmp_path / "f" / page["image"]).convert("L"))
        assert (img[int(y0) : int(y1), int(x0) : int(x1)] < 128).any()  # drawn there
        assert x1 - x0 < 0.5 * img.shape[1]  # set apart, narrower than the text
    plain = generate_book(
        BookSpec(lang="en", pages=5, seed=5, design=(("formulas", 0.0),)), tmp_path / "p"
    )
    assert not [it for it in plain["flow"] if it["kind"] == "formula"]
