"""A hand-made book for the HTML report tests: real page images drawn with Pillow, words with
their true boxes, furniture, a joined hyphenation, a failed page, a nearly blank page, a page
whose text the flow lost, and hostile text."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from digitize.model import BBox, Block, Book, BookMeta, Line, Page, PageBreak, Paragraph, Word, nfc
from digitize.testing import HOSTILE

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SIZE = (1000, 1400)

BODY = [
    nfc("Trong chương này chúng ta học về phép cộng và phép trừ các số tự nhiên."),
    nfc("Mỗi bài học có ví dụ, bài tập và lời giải chi tiết cho học sinh lớp mười."),
    "The quick brown fox jumps over the lazy dog while the infor-",
    "mation about the fox is written in a small notebook by hand.",
    nfc("Hãy đọc kỹ đề bài trước khi bắt đầu giải và kiểm tra lại kết quả."),
]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def _draw_lines(
    draw: ImageDraw.ImageDraw, texts: list[str], x: int, y: int, size: int, confs: list[float]
) -> tuple[list[Line], int]:
    font = _font(size)
    lines = []
    k = 0
    for text in texts:
        words = []
        cx = x
        for w in text.split(" "):
            box = draw.textbbox((cx, y), w, font=font)
            draw.text((cx, y), w, font=font, fill="black")
            words.append(Word(w, BBox(*box), confs[k % len(confs)]))
            k += 1
            cx = box[2] + int(size * 0.35)
        lines.append(Line(tuple(words), BBox.enclosing([w.bbox for w in words])))
        y += int(size * 1.6)
    return lines, y


def _block(kind: str, lines: list[Line]) -> Block:
    return Block(kind, tuple(lines), BBox.enclosing([ln.bbox for ln in lines]))


def make_page(
    work: Path, index: int, body: list[str], confs: list[float], furniture: bool = True
) -> Page:
    im = Image.new("L", SIZE, 255)
    d = ImageDraw.Draw(im)
    head: list[Line] = []
    foot: list[Line] = []
    if furniture:
        head, _ = _draw_lines(d, [nfc("Toán 10 — Chương 1")], 80, 50, 22, [0.97])
        foot, _ = _draw_lines(d, [str(index + 1)], 490, 1320, 22, [0.99])
    body_lines, _ = _draw_lines(d, body, 80, 160, 22, confs)
    rel = f"pages/p{index:04d}.png"
    (work / "pages").mkdir(parents=True, exist_ok=True)
    im.save(work / rel)
    parts = (
        ("header", head),
        ("paragraph", body_lines[:2]),
        ("paragraph", body_lines[2:]),
        ("page_number", foot),
    )
    blocks = tuple(_block(k, ls) for k, ls in parts if ls)
    return Page(index=index, size=SIZE, dpi=300, image=rel, label=str(index + 1), blocks=blocks)


def report_book(tmp: Path, pages: int = 6) -> Book:
    """Pages: 0 good, 1 low confidence, 2 failed, 3 few words, 4 hostile text, 5 text lost
    by the layout (layout_unsure), further pages good."""
    work = tmp / "work"
    out: list[Page] = []
    flow: list = []
    for i in range(pages):
        if i == 1:
            p = make_page(work, i, BODY, [0.55, 0.62, 0.7])
        elif i == 2:
            p = Page(index=i, size=SIZE, dpi=300, image=None, failed="ocr.tesseract: timeout")
        elif i == 3:
            p = make_page(work, i, ["Trang trắng."], [0.9], furniture=False)
        elif i == 4:
            p = make_page(work, i, [*BODY[:2], HOSTILE.replace("\x00", "")], [0.93, 0.88])
        else:
            p = make_page(work, i, BODY, [0.96, 0.91, 0.86, 0.99])
        out.append(p)
        flow.append(PageBreak(i, p.label))
        if i == 5 or p.failed:
            continue  # page 5: the layout lost this page's text
        body = [b for b in p.blocks if b.kind == "paragraph"]
        for b in body:
            text = " ".join(ln.text for ln in b.lines).replace("infor- mation", "information")
            flow.append(Paragraph(text))
    meta = BookMeta(title=nfc("Sách thử: báo cáo <chất lượng>"), source="sach-thu.pdf")
    return Book(meta, tuple(out), tuple(flow), work_dir=str(work))
