"""The synthetic textbook generator: deterministic, and its truth matches its pages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from digitize.evaluation.text import flow_to_text, normalize
from digitize.model import BLOCK_KINDS
from digitize.synth import BookSpec, generate_book
from digitize.synth.draw import hyphen_points
from digitize.synth.text import load_source

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
