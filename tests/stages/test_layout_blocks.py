from __future__ import annotations

import unicodedata

from helpers.layout_pages import block, figure, line, page

from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout

LONG = "Đây là một câu dài để thử nghiệm việc chia đoạn văn bản cho thật đẹp"


def run(blocks, **kw):  # type: ignore[no-untyped-def]
    return BlockLayout().process_page(page(0, blocks, **kw), Context()).blocks


def test_text_is_nfc_and_empty_blocks_are_dropped() -> None:
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt")
    out = run(
        [
            block("paragraph", [line(decomposed, 100, 100)]),
            block("paragraph", [line("   ", 100, 300)]),
        ]
    )
    assert len(out) == 1
    assert out[0].text == "Tiếng Việt"


def _single_column_lines() -> tuple[list, float]:  # type: ignore[type-arg]
    lines, y = [], 200.0
    lines.append(line("CHƯƠNG 1. MỆNH ĐỀ", 500, y, h=50))
    y += 120
    lines.append(line("1.1 Mệnh đề là gì", 200, y))
    y += 60
    for para_len, last in ((4, "Kết thúc đoạn."), (3, "Hết.")):
        for i in range(para_len):
            lines.append(line(LONG if i < para_len - 1 else last, 200 + (60 if i == 0 else 0), y))
            y += 45
    lines.append(line("• mục một của danh sách", 200, y))
    lines.append(line("• mục hai", 200, y + 45))
    return lines, y + 90


def test_one_ocr_block_is_cut_into_headings_paragraphs_lists_and_a_caption() -> None:
    lines, y = _single_column_lines()
    cap = line("Hình 1.2. Biểu đồ Ven", 300, y + 300)
    out = run([block("paragraph", [*lines, cap]), figure(200, y, 900, y + 280)])
    kinds = [b.kind for b in out]
    assert kinds == [
        "heading",
        "heading",
        "paragraph",
        "paragraph",
        "list_item",
        "list_item",
        "figure",
        "caption",
    ]
    assert out[0].level is not None and out[1].level is not None
    assert out[0].level < out[1].level  # Chương outranks 1.1
    assert len(out[2].lines) == 4 and len(out[3].lines) == 3


def test_a_sentence_that_mentions_a_figure_is_not_a_caption() -> None:
    lines = [
        line("Hình 1.2 cho thấy rằng mọi tập hợp đều có thể được biểu diễn bằng", 200, 200),
        line(LONG, 200, 245),
        line(LONG, 200, 290),
        line("bằng sơ đồ.", 200, 335),
    ]
    out = run([block("paragraph", lines)])
    assert [b.kind for b in out] == ["paragraph"]


def test_two_columns_read_left_then_right_around_full_width_items() -> None:
    head = line("CÁC TẬP HỢP SỐ VÀ PHÉP TOÁN TRÊN TẬP HỢP", 300, 100, h=50)
    col = "chữ trong cột này khá dài"
    left_top = [line(f"L{i} {col}", 100, 250 + 45 * i) for i in range(5)]
    right_top = [line(f"R{i} {col}", 1050, 250 + 45 * i) for i in range(5)]
    fig = figure(100, 520, 1900, 900)
    left_bot = [line(f"l{i} {col}", 100, 950 + 45 * i) for i in range(5)]
    right_bot = [line(f"r{i} {col}", 1050, 950 + 45 * i) for i in range(5)]
    # OCR handed them over row by row, interleaved: the worst case.
    rows = [
        ln for pair in zip(left_top + left_bot, right_top + right_bot, strict=True) for ln in pair
    ]
    out = run([block("paragraph", [head]), block("paragraph", rows), fig])
    order = [b.text.split()[0] if b.lines else "FIG" for b in out]
    assert order == ["CÁC", "L0", "R0", "FIG", "l0", "r0"]
    assert out[1].text.count("\n") == 4  # the whole left column is one block


def test_small_type_at_the_bottom_with_a_mark_is_a_footnote() -> None:
    body = [line(LONG, 200, 200 + 45 * i) for i in range(6)]
    notes = [
        line("1 Theo sách giáo khoa cũ.", 200, 2600, h=22),
        line("* Ghi chú của người biên soạn.", 200, 2640, h=22),
    ]
    out = run([block("paragraph", body), block("paragraph", notes)])
    assert [b.kind for b in out] == ["paragraph", "footnote", "footnote"]


def test_resegment_off_keeps_ocr_blocks() -> None:
    lines, _ = _single_column_lines()
    stage = BlockLayout(BlockLayout.Options(resegment=False))
    out = stage.process_page(page(0, [block("paragraph", lines)]), Context())
    assert len(out.blocks) == 1


def test_bold_body_size_line_is_a_heading(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw, ImageFont

    from digitize.model import BBox, Block, Line, Word

    fonts = "/usr/share/fonts/truetype/dejavu/DejaVuSerif"
    reg, bold = ImageFont.truetype(f"{fonts}.ttf", 30), ImageFont.truetype(f"{fonts}-Bold.ttf", 30)
    img = Image.new("L", (1400, 900), 255)
    d = ImageDraw.Draw(img)
    texts = [
        (LONG, reg),
        (LONG, reg),
        ("Kết thúc đoạn.", reg),
        ("Ghi nhớ", bold),
        (LONG, reg),
        (LONG, reg),
        ("Hết.", reg),
    ]
    lines = []
    for i, (t, f) in enumerate(texts):
        y = 100 + i * 46 + (20 if f is bold else 0) + (20 if i > 3 else 0)
        x = 100
        words = []
        for w in t.split():
            d.text((x, y), w, font=f, fill=0)
            box = BBox(*f.getbbox(w, anchor="la"))
            words.append(Word(w, BBox(x + box.x0, y + box.y0, x + box.x1, y + box.y1), 0.96))
            x += f.getlength(w + " ")
        lines.append(Line(tuple(words), BBox.enclosing([w.bbox for w in words])))
    img.save(tmp_path / "p.png")
    p = page(
        0,
        [Block("paragraph", tuple(lines), BBox.enclosing([ln.bbox for ln in lines]))],
        size=img.size,
        image="p.png",
    )
    out = BlockLayout().process_page(p, Context(work_dir=str(tmp_path))).blocks
    assert [b.kind for b in out] == ["paragraph", "heading", "paragraph"]
    assert out[1].text == "Ghi nhớ"
    off = BlockLayout(BlockLayout.Options(bold_ratio=0)).process_page(
        p, Context(work_dir=str(tmp_path))
    )
    assert [b.kind for b in off.blocks] == ["paragraph", "paragraph", "paragraph"]


def test_three_columns_and_a_spanning_title() -> None:
    from digitize.model import BBox
    from digitize.stages.layout._order import reading_order

    boxes = [BBox(100, 100, 1800, 150)]  # title across all columns
    for x in (100, 700, 1300):
        boxes += [BBox(x, 200 + 50 * r, x + 500, 235 + 50 * r) for r in range(6)]
    order = [p.index for p in reading_order(boxes[::-1], 35.0)]
    n = len(boxes)
    assert [n - 1 - i for i in order] == list(range(n))  # title, col 1, col 2, col 3


def test_a_caption_without_a_figure_block_finds_its_picture(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw

    img = Image.new("L", (2000, 1400), 255)
    d = ImageDraw.Draw(img)
    d.ellipse((400, 420, 900, 800), outline=0, width=5)
    d.rectangle((950, 450, 1200, 780), outline=0, width=5)
    img.save(tmp_path / "f.png")
    body = [line(LONG, 200, 200 + 45 * i) for i in range(4)]
    cap = line("Hình 2.3. Một hình tròn và một hình vuông", 400, 850)
    p = page(0, [block("paragraph", [*body, cap])], size=img.size, image="f.png")
    out = BlockLayout().process_page(p, Context(work_dir=str(tmp_path))).blocks
    assert [b.kind for b in out] == ["paragraph", "figure", "caption"]
    fb = out[1].bbox
    assert abs(fb.x0 - 400) < 5 and abs(fb.y0 - 420) < 5 and abs(fb.x1 - 1200) < 5


def test_text_inside_a_ruled_frame_is_kept() -> None:
    """The OCR reports a transcript's ruled frame as a text-less image region around all the
    text; that is a frame, not a picture whose labels may be dropped (real deposition scan)."""
    lines = [line(LONG, 200, 200 + 60 * i) for i in range(8)]
    out = run([figure(150, 150, 1900, 800), block("paragraph", lines)])
    words = sum(len(b.words) for b in out)
    assert words == sum(len(ln.words) for ln in lines)
    assert not [b for b in out if b.kind == "figure"]


def test_labels_inside_a_picture_are_still_dropped() -> None:
    labels = [line("A", 300, 300), line("B C", 600, 500)]
    out = run(
        [
            figure(150, 150, 1900, 800),
            block("paragraph", labels),
            block("paragraph", [line(LONG, 100, 900)]),
        ]
    )
    assert [b.kind for b in out if b.kind == "figure"] == ["figure"]
    assert "A" not in " ".join(b.text for b in out if b.kind != "figure").split()


def test_doubted_dashes_between_words_are_kept_specks_are_not() -> None:
    """Tesseract doubts thin dashes (`Độc lập - Tự do`, a transcript's `area -- so`); they are
    punctuation, not specks. A doubted blot at the line's edge still goes."""
    from dataclasses import replace

    from digitize.model import BBox, Line

    def doubted(ln: Line, i: int, text: str, box: BBox) -> Line:
        words = list(ln.words)
        words[i] = replace(words[i], text=text, bbox=box, conf=0.4)
        return Line(tuple(words), BBox.enclosing([w.bbox for w in words]))

    motto = line("Độc lập X Tự do", 100, 100)
    mid = motto.words[2].bbox
    motto = doubted(motto, 2, "-", BBox(mid.x0, mid.cy - 1, mid.x1 + 10, mid.cy + 1))
    talk = line("XX the raw stuff was poured", 100, 200)
    lead = talk.words[0].bbox
    talk = doubted(talk, 0, "--", BBox(lead.x0, lead.cy - 1, lead.x1, lead.cy + 1))
    speck = line("X the next line is here", 100, 300)
    blot = speck.words[0].bbox
    speck = doubted(speck, 0, "-", BBox(blot.x0, blot.y0, blot.x0 + 8, blot.y0 + 8))
    out = run(
        [block("paragraph", [motto]), block("paragraph", [talk]), block("paragraph", [speck])]
    )
    text = " ".join(b.text for b in out)
    assert "Độc lập - Tự do" in text
    assert "-- the raw stuff" in text
    assert "- the next" not in text and "the next line is here" in text


def test_a_born_digital_page_keeps_every_word_of_its_text_layer() -> None:
    """Speck and edge rules are for scans: a text layer's `______` (a fill-in blank) and a word
    at the page edge are the book's own; the same words from OCR at low confidence are noise."""
    from dataclasses import replace

    from digitize.model import BBox, Block, Line, Word

    def words(conf: float) -> tuple[Word, ...]:
        return (
            Word("Điền", BBox(100, 100, 180, 130), conf),
            Word("______", BBox(190, 120, 300, 130), conf),
            Word("vào", BBox(310, 100, 370, 130), conf),
        )

    def one_page(conf: float, source: str) -> object:
        ln = Line(words(conf), BBox(100, 100, 370, 130))
        pg = page(0, [Block("paragraph", (ln,), ln.bbox)])
        return BlockLayout().process_page(replace(pg, source=source), Context())

    def texts(p: object) -> list[str]:
        return [w.text for b in p.blocks for ln in b.lines for w in ln.words]  # type: ignore[attr-defined]

    assert texts(one_page(1.0, "textlayer")) == ["Điền", "______", "vào"]
    assert "______" not in texts(one_page(0.3, "scan"))


def test_a_full_open_line_going_on_in_lower_case_is_one_paragraph_whatever_specks_say() -> None:
    """On a noisy scan a speck makes a body line measure a bigger type size, glues a `-` before
    its first word, or the OCR drops that word so the line looks indented. A full line that
    leaves its sentence open, followed at the usual leading by a line in lower case, was
    wrapped by the typesetter: none of these cut the paragraph."""
    low = "và " + LONG[4:]  # the same full line, going on in lower case
    texts = [
        (LONG, 200, 30),
        (LONG, 200, 30),
        ("tiếp tục với một dòng chữ to hơn vì vết bẩn dính vào nên trông như", 200, 40),
        (low, 200, 30),
        ("- chí của mình vẫn tiếp tục một dòng nữa cho đủ dài đến hết cột văn", 200, 30),
        (LONG, 200, 30),
        ("định rằng mọi thứ đều ổn và chữ đầu tiên đã bị mất khi nhận.", 290, 30),
        (LONG, 200, 30),
        ("Hết đoạn.", 200, 30),
    ]
    lines = [line(t, x, 200 + 45 * i, h=h, cw=15) for i, (t, x, h) in enumerate(texts)]
    out = run([block("paragraph", lines)])
    assert [b.kind for b in out] == ["paragraph"]
    assert len(out[0].lines) == len(texts)


def test_a_list_after_an_open_full_line_still_starts_its_items() -> None:
    lines = [line(LONG, 200, 200), line(LONG, 200, 245)]
    lines += [line("a) mục thứ nhất của danh sách;", 200, 290), line("b) mục hai.", 200, 335)]
    out = run([block("paragraph", lines)])
    assert [b.kind for b in out] == ["paragraph", "list_item", "list_item"]


def test_a_centred_captions_second_line_may_be_wider_than_its_first() -> None:
    """`Figure 1.1. Of the same` / `species, and which cannot`: the word that did not fit."""
    body = [line(LONG, 200, 700 + 45 * i, cw=15) for i in range(5)]
    c1 = line("Hình 1.1. Của cùng một", 0, 600, cw=15)
    c2 = line("loài, và những thứ kia nữa", 0, 640, cw=15)
    mid = (200 + body[0].bbox.x1) / 2
    c1 = line(c1.text, mid - c1.bbox.width / 2, 600, cw=15)
    c2 = line(c2.text, mid - c2.bbox.width / 2, 640, cw=15)
    out = run([figure(300, 200, 1000, 580), block("paragraph", [c1, c2, *body])])
    caps = [b for b in out if b.kind == "caption"]
    assert [len(b.lines) for b in caps] == [2]
    assert [b.kind for b in out].count("paragraph") == 1
