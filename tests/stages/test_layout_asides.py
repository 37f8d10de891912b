"""Boxed notes: text inside a ruled frame becomes an aside, apart from the paragraph around it."""

from __future__ import annotations

from pathlib import Path

from helpers.layout_pages import block, lay_out, line, page
from PIL import Image, ImageDraw, ImageFont

from digitize.model import Aside, Block, Paragraph

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BEFORE = [
    "Đoạn văn này bắt đầu ở đầu trang và chạy qua",
    "nhiều dòng trước khi gặp một hộp ghi nhớ được",
]
NOTE = ["Ghi nhớ", "Số chẵn là số chia hết cho hai, số lẻ", "là số không chia hết cho hai."]
AFTER = ["kẻ khung ở giữa trang, rồi đoạn văn tiếp tục.", "Một dòng cuối của đoạn văn."]


def _page(tmp: Path, frame: bool = True, note: list[str] = NOTE) -> tuple:  # type: ignore[type-arg]
    """Text, a framed note (or its lines unframed), then the same paragraph going on; the OCR
    read the whole column as one paragraph."""
    img = Image.new("L", (1600, 1400), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 30)
    y, lines = 200, []
    for k, text in enumerate([*BEFORE, None, *note, None, *AFTER]):
        if text is None:
            y += 40
            continue
        x = 230 if BEFORE[0] is not text and len(BEFORE) <= k <= len(BEFORE) + len(note) else 200
        d.text((x, y), text, font=f, fill=0)
        lines.append(line(text, x, y, h=30, cw=15))
        y += 50
    if frame:
        top, bottom = 200 + 2 * 50 + 10, 200 + 2 * 50 + 40 + len(note) * 50 + 20
        d.rectangle([205, top, 1300, bottom], outline=0, width=3)
    img.save(tmp / "p.png")
    return page(0, [block("paragraph", lines)], size=img.size, image="p.png")


def _flow(tmp: Path, p: tuple) -> tuple:  # type: ignore[type-arg]
    return lay_out(tmp, p)  # type: ignore[arg-type]


def test_a_framed_note_becomes_an_aside_and_the_paragraph_goes_on(tmp_path: Path) -> None:
    blocks, flow = _flow(tmp_path, _page(tmp_path))
    assert [b.kind for b in blocks].count("aside") == 1
    asides = [i for i in flow if isinstance(i, Aside)]
    assert asides == [Aside(" ".join(NOTE[1:]), "Ghi nhớ")]
    paras = [i.text for i in flow if isinstance(i, Paragraph)]
    assert paras == [" ".join(BEFORE + AFTER)]  # one paragraph, the box not in it


def test_the_same_lines_without_a_frame_stay_running_text(tmp_path: Path) -> None:
    blocks, flow = _flow(tmp_path, _page(tmp_path, frame=False))
    assert not any(isinstance(i, Aside) for i in flow)
    assert "chia hết cho hai" in " ".join(getattr(i, "text", "") for i in flow)
    assert all(isinstance(b, Block) and b.kind != "aside" for b in blocks)


def test_a_frame_around_a_few_labels_is_no_note(tmp_path: Path) -> None:
    _, flow = _flow(tmp_path, _page(tmp_path, note=["Núi", "Bốc hơi"]))
    assert not any(isinstance(i, Aside) for i in flow)
