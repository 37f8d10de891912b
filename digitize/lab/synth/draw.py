"""Fonts, English hyphenation and the drawn figures of synthetic pages."""

from __future__ import annotations

import functools
import math
import random
import re

from PIL import ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FACES = {
    "serif": "DejaVuSerif.ttf",
    "serif-italic": "DejaVuSerif-Italic.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
}


@functools.lru_cache(maxsize=64)
def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    """DejaVu covers Vietnamese; the BASIC layout engine keeps rendering deterministic."""
    return ImageFont.truetype(
        f"{FONT_DIR}/{FACES[face]}", size, layout_engine=ImageFont.Layout.BASIC
    )


def width(text: str, f: ImageFont.FreeTypeFont) -> float:
    return float(f.getlength(text))


_VOWELS = set("aeiouyAEIOUY")
_WORD = re.compile(r"^([\"“(]*)([A-Za-z]+)([,.;:!?\"”)]*)$")


def hyphen_points(word: str) -> list[int]:
    """Split points (offsets into `word`) by a plain V-CV / VC-CV rule, 3+ letters each side.

    Only plain ASCII words: Vietnamese syllables are never split, and we want every split to
    be one a reader would accept so the truth stays unambiguous.
    """
    m = _WORD.match(word)
    if not m:
        return []
    lead, core = m.group(1), m.group(2)
    if len(core) < 7:
        return []
    pts = []
    for i in range(3, len(core) - 2):
        a, b, c = core[i - 1], core[i], core[i + 1]
        if b in _VOWELS:
            continue
        if (
            (a in _VOWELS and c in _VOWELS)
            or (  # VC-CV, but keep common digraphs together
                a not in _VOWELS
                and i >= 4
                and core[i - 2] in _VOWELS
                and c in _VOWELS
                and core[i - 1 : i + 1].lower() not in {"th", "ch", "sh", "ph", "wh", "ck", "gh"}
            )
        ):  # V-CV
            pts.append(i)
    return [len(lead) + p for p in pts if len(core) - p >= 3]


def draw_figure(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    shape: str,
    rng: random.Random,
    labels: tuple[str, ...] = (),
    frame: bool = True,
) -> None:
    """Draw a figure inside `box`. Without `labels` it is text-free: OCR must find nothing
    there. With them, a bar chart gets tick numbers and names under its bars, a diagram names
    in its boxes, in small type: words of the picture that must not leak into the text."""
    x0, y0, x1, y1 = box
    if frame:
        draw.rectangle(box, outline=60, width=3)
    if labels and shape == "bars":
        _labels(draw, box, labels)
    pad = 80 if labels else 30
    ix0, iy0, ix1, iy1 = x0 + pad, y0 + pad, x1 - pad, y1 - pad
    w, h = ix1 - ix0, iy1 - iy0
    if shape == "bars":
        draw.line([(ix0, iy0), (ix0, iy1), (ix1, iy1)], fill=0, width=4)
        n = rng.randint(4, 7)
        bw = w / (n * 1.6)
        for i in range(n):
            bh = rng.uniform(0.2, 0.95) * h
            bx = ix0 + 20 + i * bw * 1.5
            draw.rectangle([bx, iy1 - bh, bx + bw, iy1 - 2], fill=rng.choice([70, 120, 170]))
    elif shape == "circles":
        for _ in range(rng.randint(3, 6)):
            r = rng.uniform(0.12, 0.3) * min(w, h)
            cx, cy = rng.uniform(ix0 + r, ix1 - r), rng.uniform(iy0 + r, iy1 - r)
            draw.ellipse(
                [cx - r, cy - r, cx + r, cy + r],
                outline=20,
                width=4,
                fill=rng.choice([None, 200, 160]),
            )
    elif shape == "polygon":
        n = rng.randint(5, 8)
        cx, cy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        pts = []
        for i in range(n):
            a = 2 * math.pi * i / n + rng.uniform(-0.2, 0.2)
            r = rng.uniform(0.55, 1.0)
            pts.append((cx + r * w / 2 * math.cos(a), cy + r * h / 2 * math.sin(a)))
        draw.polygon(pts, fill=150, outline=0, width=4)
    else:  # diagram: boxes joined by arrows
        n = rng.randint(2, 4)
        bw = w / (n * 1.5)
        prev = None
        for i in range(n):
            bx = ix0 + i * bw * 1.5
            by = iy0 + rng.uniform(0.1, 0.5) * h
            draw.rectangle([bx, by, bx + bw, by + h * 0.35], outline=0, width=4, fill=220)
            if i < len(labels):  # a name just over its box
                draw.text((bx, by - 8), labels[i], font=_label_font(box), fill=0, anchor="ld")
            if prev is not None:
                px, py = prev
                draw.line([(px, py), (bx, by + h * 0.17)], fill=0, width=4)
                draw.polygon(
                    [
                        (bx, by + h * 0.17),
                        (bx - 18, by + h * 0.17 - 10),
                        (bx - 18, by + h * 0.17 + 10),
                    ],
                    fill=0,
                )
            prev = (bx + bw, by + h * 0.17)


def _label_font(box: tuple[int, int, int, int]) -> ImageFont.FreeTypeFont:
    return font("sans", max(14, round((box[3] - box[1]) / 16)))


def _labels(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], words: tuple[str, ...]
) -> None:
    """Small type at a bar chart's axes, outside the plotted ink: ticks left, names below."""
    x0, y0, x1, y1 = box
    f = _label_font(box)
    pad = 80
    for k, v in enumerate(("100", "50", "0")):
        y = y0 + pad + k * (y1 - y0 - 2 * pad) / 2
        draw.text((x0 + pad - 12, y), v, font=f, fill=0, anchor="rm")
    n = min(3, len(words))
    for k in range(n):
        x = x0 + pad + (k + 0.5) * (x1 - x0 - 2 * pad) / n
        draw.text((x, y1 - pad + 12), words[k], font=f, fill=0, anchor="mt")
