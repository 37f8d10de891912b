"""Display formulas for the synthetic books: fractions with a bar, exponents, square roots.

Textbooks set formulas on a line of their own between paragraphs; the OCR reads the stacked
and raised parts as garbage, so layout must keep such a region as a picture. Each formula is
drawn with PIL from a few parts (`Run` pieces: text on the baseline, raised small text, a
stacked fraction, a root over its radicand) and comes with a plain-text form for the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from PIL import ImageDraw

from digitize.lab.synth.draw import font, width

VARS = "abcdxyzmnpqt"


@dataclass(frozen=True)
class Part:
    kind: str  # text | sup | frac | root
    a: str
    b: str = ""


def random_formula(rng: random.Random) -> tuple[list[Part], str]:
    """A formula's parts and its plain-text form, e.g. `y = (a + b)/(2c)`."""
    v = rng.sample(VARS, 4)
    n = rng.randint(2, 9)
    shape = rng.choice(["frac", "sup", "root", "mixed"])
    if shape == "frac":
        num, den = f"{v[1]} + {v[2]}", f"{n}{v[3]}"
        return [Part("text", f"{v[0]} = "), Part("frac", num, den)], f"{v[0]} = ({num})/({den})"
    if shape == "sup":
        e = rng.randint(2, 4)
        parts = [
            Part("text", f"{v[0]} = {v[1]}"),
            Part("sup", str(e)),
            Part("text", f" + {n}{v[1]}"),
        ]
        return parts, f"{v[0]} = {v[1]}^{e} + {n}{v[1]}"
    if shape == "root":
        rad = f"{v[1]}² − {n}{v[2]}{v[3]}"
        return [Part("text", f"{v[0]} = "), Part("root", rad)], f"{v[0]} = √({rad})"
    num = f"{v[1]} − √{v[2]}"
    parts = [
        Part("text", f"{v[0]}"),
        Part("sup", "2"),
        Part("text", " = "),
        Part("frac", num, f"{n}"),
    ]
    return parts, f"{v[0]}^2 = ({num})/({n})"


def formula_size(parts: list[Part], f: Any, small: Any) -> tuple[float, float, float]:
    """(width, ascent above the baseline, descent below it) of a formula set in `f`."""
    w, up, down = 0.0, f.size * 0.8, f.size * 0.25
    for p in parts:
        if p.kind == "text":
            w += width(p.a, f)
        elif p.kind == "sup":
            w += width(p.a, small) + 2
            up = max(up, f.size * 1.1)
        elif p.kind == "frac":
            w += max(width(p.a, f), width(p.b, f)) + f.size * 0.4
            up, down = max(up, f.size * 1.45), max(down, f.size * 1.25)
        else:
            w += width(p.a, f) + f.size * 0.9
            up = max(up, f.size * 1.05)
    return w, up, down


def draw_formula(
    draw: ImageDraw.ImageDraw, x: float, base: float, parts: list[Part], f: Any
) -> None:
    """Draw the parts left to right from (x, baseline); the bar of a fraction sits on the
    maths axis (about the height of a minus sign)."""
    small = font("serif", round(f.size * 0.62))
    axis = base - f.size * 0.3
    stroke = max(2, round(f.size / 18))
    for p in parts:
        if p.kind == "text":
            draw.text((x, base), p.a, font=f, fill=0, anchor="ls")
            x += width(p.a, f)
        elif p.kind == "sup":
            draw.text((x + 1, base - f.size * 0.45), p.a, font=small, fill=0, anchor="ls")
            x += width(p.a, small) + 2
        elif p.kind == "frac":
            w = max(width(p.a, f), width(p.b, f)) + f.size * 0.3
            x += f.size * 0.05
            draw.text(
                (x + (w - width(p.a, f)) / 2, axis - f.size * 0.25),
                p.a,
                font=f,
                fill=0,
                anchor="ls",
            )
            draw.line([(x, axis), (x + w, axis)], fill=0, width=stroke)
            draw.text(
                (x + (w - width(p.b, f)) / 2, axis + f.size * 0.95),
                p.b,
                font=f,
                fill=0,
                anchor="ls",
            )
            x += w + f.size * 0.05
        else:  # a root sign: a short tick, a long stroke down, up to an overbar on the radicand
            h = f.size
            top = base - h * 0.95
            pts = [
                (x, base - h * 0.35),
                (x + h * 0.15, base - h * 0.45),
                (x + h * 0.35, base + h * 0.05),
                (x + h * 0.65, top),
                (x + h * 0.8 + width(p.a, f), top),
            ]
            draw.line(pts, fill=0, width=stroke)
            draw.text((x + h * 0.75, base), p.a, font=f, fill=0, anchor="ls")
            x += width(p.a, f) + h * 0.9
