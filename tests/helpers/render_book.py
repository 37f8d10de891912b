"""Render a small textbook with Pillow (DejaVu Serif) and keep its exact truth.

Used by the Tesseract-marked layout test and by `_layout_eval.py`, which measures the layout
stages on real OCR output until the shared synthetic corpus lands.
Running heads alternate (book title / chapter title), page numbers count up at the page foot,
long English words are hyphenated at line ends, and pages can be set in two columns.
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
W, H, M = 1700, 2200, 170
BODY, PITCH, INDENT = 30, 46, 50

VI = str.split(
    "Tập hợp là một khái niệm cơ bản của toán học. Mỗi phần tử thuộc tập hợp được viết bằng "
    "kí hiệu quen thuộc. Học sinh cần nắm vững định nghĩa và các phép toán trên tập hợp. "
    "Ví dụ sau đây minh hoạ cách xác định giao của hai tập hợp. Hãy đọc kĩ đề bài trước khi "
    "giải và kiểm tra lại kết quả. Người Việt Nam luôn coi trọng việc học tập suốt đời."
)
BULLETS = ("Tập hợp rỗng không có phần tử nào", "Mỗi tập hợp là tập con của chính nó")
ORDERED = ("a) Tìm giao của hai tập hợp đã cho", "b) Tìm hợp của hai tập hợp đó")
NOTE = "Theo sách giáo khoa Toán 10, tập một,"
EN = str.split(
    "Mathematical understanding requires representation and communication of information. "
    "The well-known theorem gives an international characterisation of these structures. "
    "Students develop independent reasoning through experimentation and investigation. "
    "A state-of-the-art explanation connects the representation with everyday experience."
)


@dataclass
class Truth:
    flow: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, text, level)
    furniture: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    figures: list[list[tuple[int, int, int, int]]] = field(default_factory=list)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else FONT, size)


def _wrap(words: list[str], font: ImageFont.FreeTypeFont, width: int, indent: int) -> list[str]:
    """Greedy line breaking; long plain English words are hyphenated at the line end."""
    lines: list[str] = []
    cur = ""
    avail = width - indent
    for w in words:
        trial = f"{cur} {w}".strip()
        if font.getlength(trial) <= avail:
            cur = trial
            continue
        if len(w) >= 8 and w.isascii() and w.isalpha():
            for cut in range(len(w) - 3, 2, -1):
                head = f"{cur} {w[:cut]}-".strip()
                if font.getlength(head) <= avail:
                    lines.append(head)
                    cur, w = "", w[cut:]
                    break
        if cur:
            lines.append(cur)
        cur = w
        avail = width
    if cur:
        lines.append(cur)
    return lines


def make_book(out: Path, pages: int = 6, seed: int = 1, two_col: tuple[int, ...] = (3,)) -> Truth:
    """Write page images p000.png… into `out`; return the truth."""
    rng = random.Random(seed)
    truth = Truth()
    items: list[tuple[str, str, int]] = []
    for ch in range(1, 5):
        items.append(("heading", f"Chương {ch}. Tập hợp và mệnh đề phần {ch}", 1))
        for sec in range(1, 3):
            items.append(("heading", f"{ch}.{sec} Khái niệm số {sec}", 2))
            for _ in range(4):
                src = EN if rng.random() < 0.4 else VI
                start = rng.randrange(len(src))
                n = rng.randint(30, 90)
                text = " ".join(src[(start + k) % len(src)] for k in range(n)).rstrip(".")
                items.append(("paragraph", text[0].upper() + text[1:] + ".", 0))
            if sec == 1:
                items.append(("figure", f"Hình {ch}.{sec}. Biểu đồ Ven của hai tập hợp", 0))
            else:
                items.append(("bold", "Ghi nhớ", 3))
                items += [("bullet", t, 0) for t in BULLETS]
                items += [("ordered", t, 0) for t in ORDERED]
        # The chapter's first paragraph carries a footnote mark.
        first = next(
            i
            for i, it in enumerate(items)
            if it[0] == "paragraph" and it[2] == 0 and i > len(items) - 16
        )
        words = items[first][1].split()
        words[4] += "¹"
        items[first] = ("paragraph", " ".join(words), 1)
    body_font, h1, h2, cap_font = _font(BODY), _font(46, True), _font(36, True), _font(26)
    k = 0
    chapter = ""
    for p in range(pages):
        img = Image.new("L", (W, H), 255)
        d = ImageDraw.Draw(img)
        cols = 2 if p in two_col else 1
        gutter = 70
        colw = (W - 2 * M - gutter * (cols - 1)) // cols
        col, y = 0, M + 60
        figs: list[tuple[int, int, int, int]] = []
        bottom = H - M - 90
        note = False
        while k < len(items):
            kind, text, level = items[k]
            x = M + col * (colw + gutter)
            if kind == "heading":
                font = h1 if level == 1 else h2
                lines = _wrap(text.split(), font, colw, 0)
                need = len(lines) * (font.size + 20) + 40
            elif kind == "figure":
                need = 300 + 60
            elif kind in ("bold", "bullet", "ordered"):
                need = PITCH * 2
            else:
                font = body_font
                indent = INDENT if kind == "paragraph" else 0
                lines = _wrap(text.split(), font, colw, indent)
                need = PITCH * 2
            if y + need > bottom:
                if col + 1 < cols:
                    col, y = col + 1, M + 60
                    continue
                break
            if kind == "heading":
                if level == 1:
                    chapter = text
                y += 20
                for ln in lines:
                    d.text((x, y), ln, font=font, fill=0)
                    y += font.size + 20
                y += 20
                truth.flow.append((kind, text, level))
            elif kind == "bold":
                y += 16
                d.text((x, y), text, font=_font(BODY, True), fill=0)
                y += PITCH + 10
                truth.flow.append(("heading", text, level))
            elif kind in ("bullet", "ordered"):
                d.text((x, y), ("• " if kind == "bullet" else "") + text, font=body_font, fill=0)
                y += PITCH
                truth.flow.append(("list", text, int(kind == "ordered")))
            elif kind == "figure":
                box = (x + 100, y, x + colw - 100, y + 260)
                d.rectangle(box, outline=0, width=4)
                d.ellipse((box[0] + 40, y + 40, box[0] + 300, y + 220), outline=0, width=4)
                d.ellipse((box[0] + 200, y + 40, box[0] + 460, y + 220), outline=0, width=4)
                figs.append(box)
                d.text((x + 120, y + 275), text, font=cap_font, fill=0)
                y += 360
                truth.flow.append(("figure", text, 0))
            else:
                done = 0
                for i, ln in enumerate(lines):
                    if y + PITCH > bottom:
                        break
                    d.text((x + (indent if i == 0 else 0), y), ln, font=font, fill=0)
                    if "¹" in ln:
                        note = True
                    y += PITCH
                    done += 1
                if done < len(lines):
                    # Unfinished: the rest continues in the next column/page.
                    items[k] = ("cont", _dehyphen(" ".join(lines[done:])), 0)
                    truth.flow.append(("part", " ".join(lines[:done]), 0))
                    if col + 1 < cols:
                        col, y = col + 1, M + 60
                        continue
                    break
                truth.flow.append(("part", " ".join(lines), 0))
                truth.flow.append(("end", "", 0))
                y += 14
            k += 1
        head = "TOÁN 10 · SÁCH THỬ NGHIỆM" if p % 2 == 0 else (chapter or "TOÁN 10")
        hf = _font(24)
        hx = M if p % 2 == 0 else W - M - int(hf.getlength(head))
        d.text((hx, M - 60), head, font=hf, fill=0)
        if note:
            text = f"{NOTE} Chương {chapter.split()[1].rstrip('.')}."
            d.text((M, H - M - 55), "¹ " + text, font=_font(22), fill=0)
            truth.flow.append(("footnote", text, 0))
        num = str(p + 11)
        d.text(((W - hf.getlength(num)) / 2, H - M + 20), num, font=hf, fill=0)
        truth.furniture += [head, num]
        truth.labels.append(num)
        truth.figures.append(figs)
        img.save(out / f"p{p:03d}.png")
    return truth


def truth_paragraphs(truth: Truth) -> list[str]:
    """Paragraph texts as a reader sees them: parts joined, line-end hyphens resolved."""
    out: list[str] = []
    cur: list[str] = []
    for kind, text, _ in truth.flow:
        if kind == "part":
            cur.append(text)
        elif kind == "end":
            out.append(_dehyphen(" ".join(cur)))
            cur = []
    return out


def _dehyphen(text: str) -> str:
    words = text.split()
    out: list[str] = []
    for w in words:
        if out and out[-1].endswith("-") and out[-1][:-1].isalpha() and out[-1][:-1].isascii():
            out[-1] = out[-1][:-1] + w
        else:
            out.append(w)
    return " ".join(out)


def _starts(paras: list[str]) -> tuple[list[str], set[int]]:
    words: list[str] = []
    starts = set()
    for p in paras:
        starts.add(len(words))
        words += p.split()
    return words, starts


def boundary_f1(pred: list[str], truth: list[str]) -> float:
    """Paragraph-start F1 after aligning the word sequences (OCR errors do not count)."""
    tw, ts = _starts(truth)
    pw, ps = _starts(pred)
    sm = difflib.SequenceMatcher(None, tw, pw, autojunk=False)
    align = {a + k: b + k for a, b, n in sm.get_matching_blocks() for k in range(n)}
    # A boundary whose first word was misread maps through the next aligned word.
    mapped = set()
    for s in ts:
        k = next((k for k in range(4) if s + k in align), None)
        if k is not None:
            mapped.add(align[s + k] - k)
    hit = len(mapped & ps)
    p, r = hit / max(len(ps), 1), hit / max(len(ts), 1)
    return 2 * p * r / (p + r) if p + r else 0.0
