"""Ruled tables: the grid comes from the page image, the cell text from the OCR words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.layout_pages import block, book, line, page
from PIL import Image, ImageDraw, ImageFont

from digitize.model import BBox, Block, Line, Page, Table, Word
from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
CELLS = [["Lớp", "Nam", "Nữ"], ["10A", "20", "22"], ["10B", "18", "25"]]


def _captioned(ocr_table: Block, size: tuple[int, int]) -> Page:
    """A page of `t.png`: the caption, the table as OCR read it, a paragraph under it."""
    caption = block("paragraph", [line("Bảng 1. Số học sinh", 300, 330)])
    body = block("paragraph", [line("Một đoạn văn ở dưới bảng số liệu này.", 300, 700)])
    return page(0, [caption, ocr_table, body], size=size, image="t.png")


def _flow_of_one_table(p: Page, tmp_path: Path) -> list[Any]:
    """Lay out and flow the page; it must hold exactly the CELLS table, captioned."""
    ctx = Context(work_dir=str(tmp_path))
    laid = BlockLayout().process_page(p, ctx)
    assert [b.kind for b in laid.blocks] == ["caption", "table", "paragraph"]
    flow = list(FlowBuilder().process_book(book([laid], str(tmp_path)), ctx).flow)
    tables = [i for i in flow if isinstance(i, Table)]
    assert tables == [Table(tuple(tuple(r) for r in CELLS), "Bảng 1. Số học sinh")]
    return flow


def _table_page(tmp: Path) -> tuple:  # type: ignore[type-arg]
    img = Image.new("L", (1600, 1200), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 30)
    xs, ys = [300, 600, 900, 1200], [400, 470, 540, 610]
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=3)
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=3)
    words = []
    for r, row in enumerate(CELLS):
        for c, text in enumerate(row):
            x, y = xs[c] + 30, ys[r] + 18
            d.text((x, y), text, font=f, fill=0)
            x0, y0, x1, y1 = f.getbbox(text)
            words.append(Word(text, BBox(x + x0, y + y0, x + x1, y + y1), 0.9))
    img.save(tmp / "t.png")
    # The OCR read each table row as one line across the cells.
    rows = [
        Line(
            tuple(words[3 * r : 3 * r + 3]),
            BBox.enclosing([w.bbox for w in words[3 * r : 3 * r + 3]]),
        )
        for r in range(3)
    ]
    ocr_table = Block("paragraph", tuple(rows), BBox.enclosing([ln.bbox for ln in rows]))
    return _captioned(ocr_table, img.size)


def test_ruled_table_becomes_a_table_with_its_caption(tmp_path: Path) -> None:
    p = _table_page(tmp_path)
    flow = _flow_of_one_table(p, tmp_path)
    assert not any("10A" in getattr(i, "text", "") for i in flow)


def test_tables_off_keeps_the_table_as_a_picture_of_its_caption(tmp_path: Path) -> None:
    p = _table_page(tmp_path)
    ctx = Context(work_dir=str(tmp_path))
    laid = BlockLayout(BlockLayout.Options(tables=False)).process_page(p, ctx)
    assert [b.kind for b in laid.blocks] == ["caption", "figure", "paragraph"]
    (fig,) = [b for b in laid.blocks if b.kind == "figure"]
    assert (round(fig.bbox.x0), round(fig.bbox.y0)) == (299, 399)  # the ruled grid
    off = BlockLayout(BlockLayout.Options(tables=False, find_figures=False))
    kept = off.process_page(p, ctx)
    assert "10A" in " ".join(b.text for b in kept.blocks)  # nothing found: the text stays


def _open_table_page(tmp: Path, rules: bool = True, columns: bool = True) -> tuple:  # type: ignore[type-arg]
    """A table set with rules across only (above, under the head, below): no column rules. The
    OCR read each row as one line, or (`columns=False`) plain text lines sit between the rules."""
    img = Image.new("L", (1600, 1200), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 30)
    x0, x1, ys = 300, 1250, [400, 470, 540, 610]
    if rules:
        for y in (ys[0], ys[1], ys[-1]):
            d.line([(x0, y), (x1, y)], fill=0, width=3)
    lines = []
    texts = CELLS if columns else [["Một dòng chữ thường"], ["nằm giữa hai"], ["đường kẻ ngang"]]
    for r, row in enumerate(texts):
        words = []
        for c, text in enumerate(row):
            x, y = x0 + 20 + 320 * c, ys[r] + 18
            for part in text.split():
                d.text((x, y), part, font=f, fill=0)
                a, b, e, g = f.getbbox(part)
                words.append(Word(part, BBox(x + a, y + b, x + e, y + g), 0.9))
                x += e + 12
        lines.append(Line(tuple(words), BBox.enclosing([w.bbox for w in words])))
    img.save(tmp / "t.png")
    ocr_table = Block("paragraph", tuple(lines), BBox.enclosing([ln.bbox for ln in lines]))
    return _captioned(ocr_table, img.size)


def test_open_table_with_rules_across_only_becomes_a_table(tmp_path: Path) -> None:
    p = _open_table_page(tmp_path)
    _flow_of_one_table(p, tmp_path)


def test_lines_between_rules_without_columns_stay_text(tmp_path: Path) -> None:
    p = _open_table_page(tmp_path, columns=False)
    laid = BlockLayout().process_page(p, Context(work_dir=str(tmp_path)))
    assert "table" not in [b.kind for b in laid.blocks]
    assert "đường kẻ ngang" in " ".join(b.text for b in laid.blocks)


def test_columns_of_words_without_rules_are_not_taken_for_a_table(tmp_path: Path) -> None:
    p = _open_table_page(tmp_path, rules=False)
    laid = BlockLayout(BlockLayout.Options(find_figures=False)).process_page(
        p, Context(work_dir=str(tmp_path))
    )
    assert "table" not in [b.kind for b in laid.blocks]


def test_grids_are_found_once_per_page_image_and_never_stale() -> None:
    """OCR's cell re-read and layout look for rules in the page image the chain holds (a
    read-only array): the second look reuses the first's masks (same answers); other pixels
    are never answered from them, and nothing is kept once the page image is gone."""
    import gc

    import numpy as np

    from digitize.stages import _grids

    page = np.full((1400, 1000), 255, np.uint8)
    for y in (300, 400, 500, 600):
        page[y : y + 3, 100:900] = 0
    for x in (100, 500, 897):
        page[300:603, x : x + 3] = 0
    page.flags.writeable = False
    _grids._LAST.clear()
    first = (_grids.find_grids(page), _grids.horizontal_rules(page), _grids.find_frames(page))
    masks = _grids._LAST[("masks",)]
    again = (_grids.find_grids(page), _grids.horizontal_rules(page), _grids.find_frames(page))
    assert again == first and _grids._LAST[("masks",)] is masks
    assert len(first[0]) == 1 and len(first[0][0].ys) == 4 and len(first[1]) == 4
    blank = np.full_like(page, 255)
    blank.flags.writeable = False
    assert _grids.find_grids(blank) == [] and _grids.horizontal_rules(blank) == []
    assert _grids.find_grids(page) == first[0]  # back to the ruled page: found again
    loose = page.copy()  # writeable: may change in place, so it is looked at afresh
    loose[700:703, 100:900] = 0
    assert len(_grids.horizontal_rules(loose)) == 5
    del page, blank, loose, masks
    gc.collect()
    assert _grids._LAST == {}  # the page image gone: nothing of it is kept
