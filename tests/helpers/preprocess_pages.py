"""Synthetic scanned pages for the preprocess tests and benchmark: known text, known damage.

Text is rendered with Pillow in DejaVu Serif at 300 dpi; damage (rotation, skew, shadow,
speckle, scanner borders, spreads) is applied with known parameters so a stage's answer can be
checked against the truth.
"""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
DPI = 300

TEXT = [
    "Chương 1. Lịch sử Việt Nam thời kỳ dựng nước",
    "Người Việt cổ đã biết trồng lúa nước, đúc trống đồng",
    "và xây dựng nhà nước Văn Lang từ rất sớm. Những hiện",
    "vật khảo cổ học cho thấy đời sống vật chất và tinh thần",
    "phong phú của cư dân vùng đồng bằng sông Hồng.",
    "The Dong Son culture flourished in the Red River delta",
    "from about 1000 BC; its bronze drums are found across",
    "Southeast Asia, evidence of trade and shared beliefs.",
    "Học sinh cần ghi nhớ: thời gian, địa điểm, nhân vật;",
    "đặc biệt là ý nghĩa của các sự kiện đối với dân tộc.",
    "Câu hỏi: Vì sao nói nghề nông trồng lúa nước là nền",
    "tảng của nền văn minh sông Hồng? Hãy giải thích rõ.",
]


def have_font() -> bool:
    return FONT.exists()


def render_page(
    lines: list[str] | None = None,
    size: tuple[int, int] = (1275, 1650),
    font_px: int = 42,
    margin: int = 110,
    font_file: Path = FONT,
) -> tuple[np.ndarray, str]:
    """A clean white grayscale page (uint8) and its ground-truth text."""
    lines = TEXT if lines is None else lines
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(font_file), font_px)
    lines = _wrap(lines, font, size[0] - 2 * margin)
    y = margin
    used = []
    for line in lines:
        if y + font_px * 1.6 > size[1] - margin:
            break
        draw.text((margin, y), line, font=font, fill=0)
        used.append(line)
        y += int(font_px * 1.6)
    return np.asarray(img).copy(), "\n".join(used)


def _wrap(lines: list[str], font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Re-flow `lines` so no rendered line is wider than `width` pixels."""
    out: list[str] = []
    for line in lines:
        cur = ""
        for word in line.split():
            cand = f"{cur} {word}".strip()
            if cur and font.getlength(cand) > width:
                out.append(cur)
                cur = word
            else:
                cur = cand
        if cur:
            out.append(cur)
    return out


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by `degrees` (positive = CCW) on an expanded white canvas."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c + 0.5), int(h * c + w * s + 0.5)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    border = 255 if img.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(
        img,
        m,
        (nw, nh),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def shadow(img: np.ndarray, strength: float = 0.55, side: str = "left") -> np.ndarray:
    """Darken with a horizontal lighting gradient and a gutter shadow on one side."""
    h, w = img.shape[:2]
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)
    if side == "left":
        x = x[::-1]
    gain = 1.0 - strength * np.exp(-((1.0 - x) / 0.12)) - 0.25 * (1.0 - x)
    y = np.linspace(0.9, 1.0, h, dtype=np.float32)[:, None]
    out = img.astype(np.float32) * gain[None, :] * y
    return np.clip(out, 0, 255).astype(np.uint8)


def yellow_paper(gray: np.ndarray) -> np.ndarray:
    """Grey-yellow paper in BGR: the white becomes (190, 225, 235)."""
    f = gray.astype(np.float32) / 255.0
    paper = np.array([170, 215, 230], np.float32)
    return np.clip(f[:, :, None] * paper[None, None, :], 0, 255).astype(np.uint8)


def speckle(img: np.ndarray, n: int = 600, seed: int = 1, max_r: int = 2) -> np.ndarray:
    """Scatter `n` small dark dots (radius 1..max_r px) at random places."""
    rng = random.Random(seed)
    out = img.copy()
    h, w = out.shape[:2]
    for _ in range(n):
        cv2.circle(out, (rng.randrange(w), rng.randrange(h)), rng.randint(1, max_r), 0, -1)
    return out


def black_border(
    img: np.ndarray, widths: tuple[int, int, int, int] = (40, 25, 60, 30)
) -> np.ndarray:
    """Add scanner-lid black bands (left, top, right, bottom) around the page, noisy grey-black."""
    left, t, r, b = widths
    h, w = img.shape[:2]
    out = np.full((h + t + b, w + left + r), 0, np.uint8)
    rng = np.random.default_rng(3)
    out[:] = rng.integers(0, 45, out.shape, dtype=np.uint8)
    out[t : t + h, left : left + w] = img
    return out


def spread(
    left: np.ndarray, right: np.ndarray, gutter_px: int = 60, shade: bool = True
) -> np.ndarray:
    """Two pages side by side with a gutter; `shade` adds the dark fold shadow in it."""
    h = max(left.shape[0], right.shape[0])
    gap = np.full((h, gutter_px), 255, np.uint8)
    out = np.concatenate([left[:h], gap, right[:h]], axis=1).astype(np.float32)
    if shade:
        cx = left.shape[1] + gutter_px / 2
        x = np.arange(out.shape[1], dtype=np.float32)
        gain = 1.0 - 0.6 * np.exp(-(((x - cx) / (gutter_px * 0.6)) ** 2))
        out *= gain[None, :]
    return np.clip(out, 0, 255).astype(np.uint8)


def save(img: np.ndarray, path: Path, dpi: int = DPI) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    Image.fromarray(rgb).save(path, dpi=(dpi, dpi))
    return path


def make_page(work_dir: Path, img: np.ndarray, name: str = "in.png", dpi: int = DPI):
    """Save `img` under `work_dir/src/` and return (Page, Context) pointing at it."""
    from digitize.model import Page
    from digitize.stage import Context

    rel = f"src/{name}"
    save(img, work_dir / rel, dpi)
    h, w = img.shape[:2]
    return Page(index=0, size=(w, h), dpi=dpi, image=rel), Context(work_dir=str(work_dir))


def load(work_dir: Path, rel: str) -> np.ndarray:
    """A page image written by a stage, as a numpy array (gray or BGR)."""
    img = cv2.imread(str(work_dir / rel), cv2.IMREAD_UNCHANGED)
    assert img is not None, rel
    return img
