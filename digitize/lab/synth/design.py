"""The page design of a synthetic book, drawn per book so the layout stages meet many designs.

Layout rules that fit one design are rules for the next book to break: heading faces and sizes,
chapter titles centred or set in a narrow measure (so they wrap over two or three lines),
running heads in small italics or capitals, with or without a rule, far from the text block or
at the body's own leading, charts with words (tick numbers, names) in small type, words set
in italic or bold inside a line (OCR reports such pieces as lines of their own), list marks the
OCR drops, a chapter's first letter dropped through two or three lines, display formulas. A design comes from its own random stream, so the content plan of a seed does not change with it;
`BookSpec.design` pins fields for tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Design:
    heading_face: str = "sans-bold"  # a face of synth.draw.FACES
    chapter_pt: int = 50  # chapter title size at a 1240 px wide page (body is 36)
    section_pt: int = 38
    chapter_align: str = "left"  # left | center
    chapter_measure: float = 1.0  # share of the column a chapter title fills before it wraps
    head_style: str = "italic"  # italic | caps | caps-bold: how the running head is set
    head_pt: int = 28
    head_rule: bool = True  # a rule under the running head
    head_gap: float = 1.0  # extra space between running head and text, in body line heights
    chart_labels: bool = False  # charts carry tick numbers and names, diagrams words; no frame
    table_rules: str = "grid"  # grid (every cell ruled) | open (rules across only)
    boxed_notes: float = 0.0  # chance of a framed note ("Ghi nhớ") after a paragraph
    exercises: float = 0.0  # chance of a question ("Câu 3.") with options A.-D. after one
    paired_figures: float = 0.0  # chance that a figure is set beside a second one (1.2a, 1.2b)
    emphasis: float = 0.0  # share of paragraphs with a run of words set in italic or bold
    bullet: str = "•"  # the mark of bulleted list items: `–` is often lost by the OCR
    drop_cap: int = 0  # lines a chapter's first letter drops through (0: no drop cap)
    formulas: float = 0.0  # chance of a display formula (fraction, power, root) after a paragraph


def choose_design(rng: random.Random, pins: tuple[tuple[str, Any], ...] = ()) -> Design:
    """A random design; `pins` ((field, value) pairs) fix fields whatever the draw."""
    chapter_pt = rng.choice([44, 50, 56, 64])
    style = rng.choice(["italic", "caps", "caps-bold"])
    head_pt = 28 if style == "italic" else rng.choice([26, 30, 34, 40])
    d = Design(
        heading_face=rng.choice(["sans-bold", "serif-bold"]),
        chapter_pt=chapter_pt,
        section_pt=rng.choice([38, 40, 44]),
        chapter_align=rng.choice(["left", "center"]),
        chapter_measure=rng.choice([1.0, 0.75, 0.55]),
        head_style=style,
        head_pt=min(head_pt, int(0.8 * chapter_pt)),
        head_rule=rng.random() < 0.6,
        head_gap=rng.choice([1.0, 0.5, 0.0]),
        chart_labels=rng.random() < 0.5,
        emphasis=rng.choice([0.0, 0.3, 0.6]),
        bullet=rng.choice(["•", "–"]),
    )
    # drawn last: the fields above keep their values for every seed
    d = replace(
        d,
        table_rules=rng.choice(["grid", "open"]),
        boxed_notes=rng.choice([0.0, 0.15]),
        exercises=rng.choice([0.0, 0.15]),
        paired_figures=rng.choice([0.0, 0.5]),
        drop_cap=rng.choice([0, 0, 2, 3]),
        formulas=rng.choice([0.0, 0.0, 0.2]),
    )
    known = {f.name for f in fields(Design)}
    bad = [k for k, _ in pins if k not in known]
    if bad:
        raise ValueError(f"unknown design field(s) {bad}; known: {sorted(known)}")
    return replace(d, **dict(pins))
