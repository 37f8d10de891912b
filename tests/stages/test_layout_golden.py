"""Golden test of the layout stages on the sample book's recorded Tesseract output.

The input is real OCR of `samples/sach-mau.pdf` (no preprocessing), recorded once in
`tests/stages/golden/sach-mau.ocr.json.gz`; the page images are rendered afresh from the PDF, so
figure crops and the caption-region search see real pixels. The layout is deterministic on a
fixed input, so the flow's structure (kinds, heading levels, page labels, list and table shapes)
must match `tests/stages/golden/sach-mau.layout.json` exactly; its text is also compared against the
book's truth by error rate, so a golden regenerated after a regression still shows up.

Regenerate after an intended layout change (the test then skips, saying it regenerated; read
the diff before committing, and rerun without the variable):
    DIGITIZE_REGEN_GOLDEN=1 .venv/bin/pytest tests/stages/test_layout_golden.py
`DIGITIZE_REGEN_GOLDEN=ocr` also re-records the OCR (needs tesseract with vie+eng).
Never set in CI.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT

from digitize import bookjson
from digitize.lab.evaluation.metrics import cer
from digitize.model import (
    Book,
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
from digitize.stages.ingest.pdf import PdfIngester
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder
from digitize.stages.layout.furniture import RunningFurniture

SAMPLE = ROOT / "samples" / "sach-mau.pdf"
TRUTH = ROOT / "samples" / "sach-mau.truth.txt"
GOLDEN = Path(__file__).parent / "golden"
RECORDED = GOLDEN / "sach-mau.ocr.json.gz"
EXPECTED = GOLDEN / "sach-mau.layout.json"
REGEN = os.environ.get("DIGITIZE_REGEN_GOLDEN", "")


def _record_ocr(work: Path) -> None:
    from digitize.stages.ocr.tesseract import TesseractOcr

    ctx = Context(lang="vie+eng", work_dir=str(work))
    book = PdfIngester().ingest(SAMPLE, ctx)
    ocr = TesseractOcr()
    pages = tuple(ocr.process_page(p, ctx) for p in book.pages)
    recorded = dataclasses.replace(book, pages=pages, work_dir="")
    GOLDEN.mkdir(exist_ok=True)
    RECORDED.write_bytes(gzip.compress(bookjson.book_to_json(recorded).encode(), mtime=0))


def _laid_out(work: Path) -> Book:
    """The recorded OCR on freshly rendered page images, through the three layout stages."""
    ctx = Context(lang="vie+eng", work_dir=str(work))
    rendered = PdfIngester().ingest(SAMPLE, ctx)
    recorded = bookjson.book_from_json(gzip.decompress(RECORDED.read_bytes()).decode())
    assert len(rendered.pages) == len(recorded.pages)
    blocks = BlockLayout()
    pages = tuple(
        blocks.process_page(dataclasses.replace(rec, image=new.image), ctx)
        for rec, new in zip(recorded.pages, rendered.pages, strict=True)
    )
    book = dataclasses.replace(recorded, pages=pages, work_dir=str(work))
    book = RunningFurniture().process_book(book, ctx)
    return FlowBuilder().process_book(book, ctx)


def _shape(item: FlowItem) -> dict[str, Any]:
    """What the golden pins exactly: the structure, and each item's text for the diff."""
    d: dict[str, Any] = {"kind": item.kind}
    if isinstance(item, PageBreak):
        d["label"] = item.label
    elif isinstance(item, Heading):
        d |= {"level": item.level, "text": item.text}
    elif isinstance(item, ListBlock):
        d |= {"ordered": item.ordered, "items": list(item.items)}
    elif isinstance(item, Table):
        d |= {"caption": item.caption, "items": [" | ".join(r) for r in item.rows]}
    elif isinstance(item, Figure):
        d |= {"caption": item.caption, "cropped": bool(item.image)}
    elif isinstance(item, Footnote):
        d |= {"mark": item.mark, "text": item.text}
    elif isinstance(item, Paragraph):
        d |= {"lang": item.lang, "text": item.text, "breaks": [b[2] for b in item.breaks]}
    return d


def _text(shapes: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for d in shapes:
        parts += [d.get("text", ""), d.get("caption", ""), *d.get("items", [])]
    return "\n".join(p for p in parts if p)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    if REGEN == "ocr":
        _record_ocr(tmp_path_factory.mktemp("record"))
    return [_shape(item) for item in _laid_out(tmp_path_factory.mktemp("work")).flow]


def check_against_golden(shapes: list[dict[str, Any]], golden: Path, regen: str) -> None:
    """The layout must still be a good reading of the book (also when regenerating: a bad
    layout is never written), then equal the golden; `regen` rewrites the golden and skips,
    since comparing a file with what was just written to it would pass whatever happened."""
    truth = TRUTH.read_text(encoding="utf-8")
    assert cer(truth, _text(shapes)) < 0.05
    labels = [d["label"] for d in shapes if d["kind"] == "page_break"]
    labels += [b for d in shapes for b in d.get("breaks", [])]  # breaks inside paragraphs
    assert sorted(labels) == ["23", "24", "25", "26", "27"]
    assert any(d["kind"] == "heading" and d["level"] == 1 for d in shapes)
    if regen:
        golden.write_text(json.dumps(shapes, ensure_ascii=False, indent=1) + "\n", "utf-8")
        pytest.skip(f"regenerated {golden}: read its diff before committing, then rerun")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert [d["kind"] for d in shapes] == [d["kind"] for d in expected]
    assert shapes == expected, "layout changed: regenerate the golden if this was intended"


def test_layout_of_the_sample_book_matches_its_golden(shapes: list[dict[str, Any]]) -> None:
    check_against_golden(shapes, EXPECTED, REGEN)


def test_regenerating_writes_the_golden_and_skips(
    shapes: list[dict[str, Any]], tmp_path: Path
) -> None:
    golden = tmp_path / "layout.json"
    with pytest.raises(pytest.skip.Exception, match="regenerated"):
        check_against_golden(shapes, golden, "1")
    assert json.loads(golden.read_text(encoding="utf-8")) == shapes
    check_against_golden(shapes, golden, "")  # and the written golden is what the test reads
