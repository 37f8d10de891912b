"""Reading order on real page geometry (`layout.blocks` with `_order`, `_items`, `_stacks`).

The pages in `realpages/` are the OCR word boxes of real scans (a magazine page, a Vietnamese
decree, a journal page with a table), recorded with every word replaced by a placeholder
`w<n>`, numbered in the order the OCR read them: the geometry is real, no transcript is kept.
"""

from __future__ import annotations

from helpers.layout_pages import recorded

from digitize.model import BBox, Page, Word
from digitize.stage import Context
from digitize.stages.layout._order import reading_order
from digitize.stages.layout._stacks import side_by_side
from digitize.stages.layout.blocks import BlockLayout


def laid_out_words(page: Page) -> list[Word]:
    out = BlockLayout().process_page(page, Context())
    return [w for b in out.blocks for ln in b.lines for w in ln.words]


def test_lines_wrapped_around_the_photo_stay_in_their_paragraphs() -> None:
    """Lines beside the photo end far from the column's right edge (or start far from its left
    edge): measured from the photo, they are full lines, not a paragraph each."""
    out = BlockLayout().process_page(recorded("unlv_magazine"), Context())
    beside = [b for b in out.blocks if b.lines and b.bbox.y0 > 1030 and b.bbox.y1 < 2330]
    lines = sum(len(b.lines) for b in beside)
    assert lines > 40
    assert len(beside) <= 10  # one block per line before


def _num(w: Word) -> int:
    return int(w.text[1:])


def test_columns_between_full_width_sections_read_column_by_column() -> None:
    """A brochure: full-width intro and bullets, two columns, full-width bullets again under a
    heading. The full-width lines (more than a quarter of the page's lines) do not hide the
    gutter, and the heading under the left column opens the closing section."""
    page = recorded("brochure_columns")
    words = laid_out_words(page)
    pos = {_num(w): k for k, w in enumerate(words) if w.text.startswith("w")}

    def ids(x0: float, y0: float, x1: float, y1: float) -> list[int]:
        return [
            _num(w)
            for b in page.blocks
            for ln in b.lines
            for w in ln.words
            if w.text.startswith("w")
            and x0 <= w.bbox.cx <= x1
            and y0 <= w.bbox.cy <= y1
            and _num(w) in pos  # placeholders keep the real confidence: noise rules may drop one
        ]

    left, right = ids(0, 1280, 1260, 2260), ids(1280, 1280, 3000, 2260)
    intro, outro = ids(0, 0, 3000, 1270), ids(0, 2330, 3000, 9999)
    heading = ids(0, 2280, 1000, 2330)
    assert len(left) > 100 and len(right) > 100 and heading
    assert max(pos[n] for n in intro) < min(pos[n] for n in left)
    assert max(pos[n] for n in left) < min(pos[n] for n in right)
    assert max(pos[n] for n in right) < min(pos[n] for n in heading)
    assert max(pos[n] for n in heading) < min(pos[n] for n in outro)


# The page's published zone file (ISRI .uzn: left, top, width, height), in reading order:
# a title, the left column (4 zones), the right column (4 zones), the photo caption, the foot.
UNLV_ZONES = [
    (1101, 379, 346, 60),
    (262, 574, 999, 453),
    (261, 1026, 568, 1338),
    (277, 2364, 733, 343),
    (268, 2704, 993, 456),
    (1288, 571, 997, 412),
    (1728, 981, 559, 1347),
    (1531, 2326, 742, 385),
    (1296, 2710, 987, 439),
    (1053, 2290, 447, 348),
    (210, 3187, 859, 61),
]


def _zone(w: Word) -> int:
    for k, (x, y, wd, h) in enumerate(UNLV_ZONES, 1):
        if x <= w.bbox.cx <= x + wd and y <= w.bbox.cy <= y + h:
            return k
    return 0


def test_photo_and_caption_between_two_columns_do_not_cut_the_columns() -> None:
    """A photo set across the gutter with its caption under it: the columns read through
    (before: every caption line cut the page, CER 55 % against Tesseract's 8 %)."""
    seq: list[int] = []
    for w in laid_out_words(recorded("unlv_magazine")):
        z = _zone(w)
        if not seq or seq[-1] != z:
            seq.append(z)
    # The running foot (zone 11) sits under the left column and is read with it.
    assert seq == [1, 2, 3, 4, 5, 11, 6, 7, 8, 9, 10]


def test_caption_lines_are_not_glued_to_column_lines_beside_them() -> None:
    words = laid_out_words(recorded("unlv_magazine"))
    out = BlockLayout().process_page(recorded("unlv_magazine"), Context())
    for b in out.blocks:
        zones = {_zone(w) for ln in b.lines for w in ln.words} - {0}
        assert len(zones) <= 2, zones  # a block may run over two zones of one column, no more
        assert not ({10} < zones), zones  # caption words never share a block with column text
    recorded_words = [
        w for b in recorded("unlv_magazine").blocks for ln in b.lines for w in ln.words
    ]
    # Every word is kept but those the engine gave no credit (conf < 0.1): a placeholder has no
    # letters to vouch for it, so the noise rules may drop it as they drop a real speck.
    assert sorted(_num(w) for w in words if w.text.startswith("w")) == [
        _num(w) for w in recorded_words if w.text.startswith("w") and w.conf >= 0.1
    ]


def test_side_by_side_header_stacks_read_left_stack_first() -> None:
    """A decree's head: issuer (2 centred lines) left, national motto (2 centred lines) right,
    read by the OCR as two lines across both. The issuer is read whole, then the motto."""
    page = recorded("nomvn_decree")
    lines = sorted((ln for b in page.blocks for ln in b.lines), key=lambda ln: ln.bbox.y0)
    halves = []
    for ln in lines[:2]:
        gaps = [b.bbox.x0 - a.bbox.x1 for a, b in zip(ln.words, ln.words[1:], strict=False)]
        cut = gaps.index(max(gaps)) + 1
        ids = [_num(w) if w.text.startswith("w") else -1 for w in ln.words]
        halves.append(([i for i in ids[:cut] if i >= 0], [i for i in ids[cut:] if i >= 0]))
    expected = halves[0][0] + halves[1][0] + halves[0][1] + halves[1][1]
    got = [_num(w) for w in laid_out_words(page) if w.text.startswith("w")]
    assert got[: len(expected)] == expected
    # The body after the head keeps the OCR's order.
    body = got[len(expected) :]
    assert body == sorted(body)


def test_table_rows_without_stacks_keep_row_order() -> None:
    """Rows of a variable-definition table (short code, wide gap, definition) are left-aligned
    columns, not side-by-side stacks: every row is read whole, rows top to bottom."""
    page = recorded("journal_table")
    got = [_num(w) for w in laid_out_words(page) if w.text.startswith("w")]
    assert got == sorted(got)


def test_recipients_list_beside_the_signature_block_reads_list_then_signature() -> None:
    """A decision's foot: the left-aligned list of recipients beside the centred signature
    block (title lines, then the signer's name far below), the OCR reading each row across
    both. The list is read whole, then the signature."""
    page = recorded("nomvn_decision")
    foot = [w for b in page.blocks for ln in b.lines if ln.bbox.y0 > 1580 for w in ln.words]
    ids = [w for w in foot if w.text.startswith("w")]
    left = {_num(w) for w in ids if w.bbox.x1 < 950}
    right = {_num(w) for w in ids if w.bbox.x0 > 1000 and w.bbox.width >= 40}
    assert len(left) > 60 and len(right) >= 12
    got = [_num(w) for w in laid_out_words(page) if w.text.startswith("w")]
    pos = {n: k for k, n in enumerate(got)}
    left, right = left & pos.keys(), right & pos.keys()  # noise rules may drop a doubted word
    assert max(pos[n] for n in left) < min(pos[n] for n in right)
    assert [n for n in got if n in right] == sorted(right)


def _row(y: float, lw: float, rw: float, h: float = 36.0) -> list[BBox]:
    """Two centred pieces on one row: centres x=300 and x=1100."""
    return [
        BBox(300 - lw / 2, y, 300 + lw / 2, y + h),
        BBox(1100 - rw / 2, y, 1100 + rw / 2, y + h),
    ]


def test_side_by_side_needs_centred_stacks_or_unaligned_rows() -> None:
    lh = 40.0
    head = _row(100, 300, 700) + _row(140, 380, 520)
    assert side_by_side(head, lh) == [([0, 2], [1, 3])]
    assert [p.index for p in reading_order(head, lh)] == [0, 2, 1, 3]
    # Left-aligned cells (a table's columns) are read row by row.
    table = [BBox(200, y, 200 + w, y + 36) for y, w in ((100, 160), (140, 260))]
    table += [BBox(700, y, 700 + w, y + 36) for y, w in ((100, 500), (140, 300))]
    assert side_by_side(table, lh) == []
    # Five fully paired rows are a table of centred cells.
    many = [b for k in range(5) for b in _row(100 + 40 * k, 200 + 80 * (k % 2), 500 - 80 * (k % 2))]
    assert side_by_side(many, lh) == []
    # Rows far apart belong to different blocks.
    assert side_by_side(_row(100, 300, 700) + _row(200, 380, 520), lh) == []
    # Specks at the page edge are no second block.
    column = [BBox(100, 100 + 40 * k, 900, 136 + 40 * k) for k in range(6)]
    specks = [BBox(1000, 110 + 80 * k, 1020, 125 + 80 * k) for k in range(3)]
    assert side_by_side(column + specks, lh) == []
    # A list (6 rows, tight) beside a signature block at its own pitch: not a table.
    items = [BBox(100, 100 + 36 * k, 500 + 20 * k, 130 + 36 * k) for k in range(6)]
    sign = [BBox(900, 100, 1300, 136), BBox(950, 150, 1250, 186), BBox(920, 270, 1280, 306)]
    found = side_by_side(items + sign, lh)
    assert found == [([0, 1, 2, 3, 4, 5], [6, 7, 8])]
    order = [p.index for p in reading_order(items + sign, lh)]
    assert order == [0, 1, 2, 3, 4, 5, 6, 7, 8]


def test_an_item_with_column_text_beside_it_floats_after_its_section() -> None:
    lh = 40.0
    # Two columns; on rows 4 and 5 they make room for a caption straddling the gutter.
    left = [BBox(100, 100 + 50 * k, 500 if k in (4, 5) else 600, 140 + 50 * k) for k in range(8)]
    right = [BBox(800 if k in (4, 5) else 700, 100 + 50 * k, 1200, 140 + 50 * k) for k in range(8)]
    caption = BBox(540, 310, 760, 330)
    # A full-width title between nothing: it cuts the page.
    title = BBox(100, 20, 1200, 60)
    boxes = [title, *left, *right, caption]
    order = [p.index for p in reading_order(boxes, lh)]
    assert order == [0, *range(1, 9), *range(9, 17), 17]


def test_a_table_read_cell_by_cell_between_paragraphs_keeps_its_rows() -> None:
    """Paragraphs above and below a two-column table whose cells the OCR returned as separate
    lines: the white between the cell columns is no gutter, the rows read across."""
    lh = 40.0
    body = [BBox(100, 50 * k, 1500, 50 * k + 36) for k in range(10)]
    rows = [
        [BBox(100, y, 100 + 120 + 20 * (k % 4), y + 36), BBox(500, y, 900 + 50 * (k % 3), y + 36)]
        for k, y in enumerate(range(520, 920, 50))
    ]
    cells = [b for r in rows for b in r]
    tail = [BBox(100, 950 + 50 * k, 1500, 986 + 50 * k) for k in range(10)]
    boxes = body + cells + tail
    order = [p.index for p in reading_order(boxes, lh)]
    assert order == list(range(len(boxes)))


def test_a_running_head_beside_its_page_number_still_heads_the_page() -> None:
    lh = 40.0
    head, folio = BBox(400, 20, 900, 56), BBox(1150, 20, 1200, 56)
    left = [BBox(100, 100 + 50 * k, 600, 136 + 50 * k) for k in range(8)]
    right = [BBox(700, 100 + 50 * k, 1200, 136 + 50 * k) for k in range(8)]
    order = [p.index for p in reading_order([head, folio, *left, *right], lh)]
    assert order[0] == 0  # the head, not read after the columns as a float
    body = [i for i in order if i >= 2]
    assert body == list(range(2, 18))


def test_a_longer_left_column_is_not_taken_for_a_heading_over_the_next_section() -> None:
    lh = 40.0
    left = [BBox(100, 100 + 50 * k, 600, 136 + 50 * k) for k in range(8)]
    left += [BBox(100, 560 + 50 * k, 600, 596 + 50 * k) for k in range(4)]  # after a gap
    right = [BBox(700, 100 + 50 * k, 1200, 136 + 50 * k) for k in range(8)]
    figure = BBox(100, 800, 1200, 1200)  # full width, right under the left column
    order = [p.index for p in reading_order([*left, *right, figure], lh)]
    assert order == list(range(len(left) + len(right) + 1))


def test_a_justified_line_beside_a_centred_caption_is_not_cut_at_its_wide_space() -> None:
    """A two-column page of an independent evaluation book: a left-column line justified wide
    (`conditions      during several`, w97-w99) stands beside a two-line centred caption in the
    right column. The side-by-side test paired the left column's lines with the caption and cut
    the line at its wide space: the paragraph broke in two mid-sentence."""
    out = BlockLayout().process_page(recorded("evalbook_two_columns"), Context())
    lines = [[w.text for w in ln.words] for b in out.blocks for ln in b.lines]
    assert any(ws[-3:] == ["w97", "w98", "w99"] for ws in lines), lines
    holding = [b for b in out.blocks if any(w.text == "w97" for ln in b.lines for w in ln.words)]
    words = [w.text for ln in holding[0].lines for w in ln.words]
    assert {"w96", "w97", "w99", "w100"} <= set(words)  # the sentence goes on in one block
