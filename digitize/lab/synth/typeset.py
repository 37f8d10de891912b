"""The typesetter: lays the content plan out on clean page images and records exact truth.

Every string drawn is recorded with its box as it is drawn, so the truth cannot drift from the
pixels. The reading-order flow is built alongside: paragraphs are joined across lines, columns
and pages (hyphenation removed), and a page break inside a paragraph is recorded in its
`breaks` (as in `digitize.model.Paragraph`) instead of a separate `page_break` item.
"""

from __future__ import annotations

import random
import re
from typing import Any

from PIL import Image, ImageDraw

from digitize.lab.synth.design import Design
from digitize.lab.synth.draw import font, hyphen_points, width
from digitize.lab.synth.elements import ElementsMixin, TBlock, TLine, TPage, _union, wrap
from digitize.lab.synth.formulas import random_formula
from digitize.lab.synth.text import (
    Element,
    FigureEl,
    HeadingEl,
    ListEl,
    ParaEl,
    TableEl,
    _phrase,
)
from digitize.text import to_roman as roman


class Done(Exception):
    """The page budget is spent."""


BOX_TITLES = {
    "vi": ["Ghi nhớ", "Em có biết?", "Lưu ý"],
    "en": ["Remember", "Did you know?", "Note"],
}


class Typesetter(ElementsMixin):
    def __init__(
        self,
        *,
        title: str,
        n_pages: int,
        size: tuple[int, int],
        rng: random.Random,
        two_column: float,
        first_number: int,
        front_matter: bool,
        footer: str | None,
        body_face: str = "serif",
        design: Design | None = None,
    ) -> None:
        self.title, self.n_pages, self.size, self.rng = title, n_pages, size, rng
        self.two_column, self.footer = two_column, footer
        self.design = design or Design()
        s = size[0] / 1240  # every measure scales with the page width
        self.s = s
        self.body_face = body_face
        self.body = font(body_face, round(36 * s))
        self.drop_next = 0  # lines the next paragraph's drop cap spans (after a chapter title)
        self.lh = round(50 * s)
        self.margin = (round(150 * s), round(120 * s), round(105 * s), round(150 * s))  # t,in,out,b
        self.pages: list[TPage] = []
        self.flow: list[dict[str, Any]] = []
        self.hyphenated: list[dict[str, Any]] = []
        self.pending_break: dict[str, Any] | None = None
        self.front = front_matter
        self.front_no = 5 if front_matter else 0
        self.body_no = first_number
        self.chapter = ""
        self.note_no = 0
        self.pending_notes: list[dict[str, Any]] = []
        # boxed notes draw from their own stream: the content plan of a seed stays the same
        self.box_rng = random.Random(f"boxes:{title}:{first_number}")
        self.exercises_set = 0
        self.formula_rng = random.Random(f"formulas:{title}:{first_number}")  # its own stream
        self.last_text = ""

    # ------------------------------------------------------------------ pages and columns

    @property
    def page(self) -> TPage:
        return self.pages[-1]

    def new_page(self, single: bool = False) -> None:
        if self.pages:
            self.finish_page(self.page)
        if len(self.pages) >= self.n_pages:
            raise Done
        if self.front:
            label = roman(self.front_no)
            self.front_no += 1
        else:
            label = str(self.body_no)
            self.body_no += 1
        cols = 1 if single or self.rng.random() >= self.two_column else 2
        img = Image.new("L", self.size, 255)
        self.pages.append(TPage(len(self.pages), label, img, columns=cols, chapter=self.chapter))
        self.draw = ImageDraw.Draw(img)
        self.pending_break = {"kind": "page_break", "index": len(self.pages) - 1, "label": label}
        self.col = 0
        self.y = float(self.margin[0])

    def column(self) -> tuple[float, float]:
        """(x0, width) of the current column; recto (odd) pages have the gutter on the left."""
        w = self.size[0]
        _, inner, outer, _ = self.margin
        recto = not self.page.label.isdigit() or int(self.page.label) % 2 == 1
        left, right = (inner, outer) if recto else (outer, inner)
        full = w - left - right
        if self.page.columns == 1:
            return float(left), float(full)
        gap = 50 * self.s
        cw = (full - gap) / 2
        return left + self.col * (cw + gap), cw

    def limit(self) -> float:
        return self.size[1] - self.margin[3] - self.page.note_height

    def next_column(self) -> None:
        if self.page.columns == 2 and self.col == 0:
            self.col = 1
            self.y = float(self.margin[0])
        else:
            self.new_page()

    def need(self, h: float) -> None:
        if self.y + h > self.limit():
            self.next_column()

    def emit(self, item: dict[str, Any]) -> None:
        if self.pending_break is not None:
            self.flow.append(self.pending_break)
            self.pending_break = None
        self.flow.append(item)

    def add(self, block: TBlock) -> TBlock:
        self.page.blocks.append(block)
        return block

    def text_line(self, x: float, baseline: float, text: str, f: Any) -> TLine:
        self.draw.text((x, baseline), text, font=f, fill=0, anchor="ls")
        return TLine(
            text,
            tuple(float(v) for v in self.draw.textbbox((x, baseline), text, font=f, anchor="ls")),
        )

    # ------------------------------------------------------------------ elements

    def place(self, el: Element, after_heading: bool) -> None:
        if isinstance(el, HeadingEl):
            self.heading(el)
            return
        if isinstance(el, ParaEl):
            self.paragraph(el, indent=not after_heading)
            self.last_text = el.text
            if self.box_rng.random() < self.design.boxed_notes:
                lang = "en" if el.lang == "en" else "vi"
                title = self.box_rng.choice(BOX_TITLES[lang])
                words = (
                    _phrase(el.text, self.box_rng, 8, 14)
                    + ", "
                    + _phrase(el.text, self.box_rng, 8, 14).lower()
                )
                self.boxed_note(title, words + ".")
            if self.box_rng.random() < self.design.exercises:
                self.exercises_set += 1
                lang = "en" if el.lang == "en" else "vi"
                word = "Question" if lang == "en" else self.box_rng.choice(["Câu", "Bài"])
                ask = _phrase(el.text, self.box_rng, 6, 12)
                opts = [_phrase(el.text, self.box_rng, 1, 3).replace(".", "") for _ in range(4)]
                if self.box_rng.random() < 0.5:
                    opts = [str(self.box_rng.randint(2, 999)) for _ in range(4)]
                self.exercise(f"{word} {self.exercises_set}. {ask}?", opts, lang)
            if self.design.formulas and self.formula_rng.random() < self.design.formulas:
                self.formula(*random_formula(self.formula_rng))
        elif isinstance(el, FigureEl):
            m = re.match(r"(\S+ [\d.]*\d)\. (.*)", el.caption)
            if m and self.page.columns == 1 and self.box_rng.random() < self.design.paired_figures:
                other = _phrase(self.last_text or m.group(2), self.box_rng, 3, 6)
                shape = self.box_rng.choice(["bars", "circles", "polygon", "diagram"])
                self.figure_pair(
                    FigureEl(f"{m.group(1)}a. {m.group(2)}", el.shape, el.height),
                    FigureEl(f"{m.group(1)}b. {other}", shape, el.height),
                )
            else:
                self.figure(el)
        elif isinstance(el, ListEl):
            self.list(el)
        elif isinstance(el, TableEl):
            self.table(el)
        self.drop_next = 0  # only a chapter's first paragraph opens with a drop cap

    def heading(self, el: HeadingEl) -> None:
        d = self.design
        if el.level == 1:
            if self.front and el.chapter_title:
                self.front = False
            self.chapter = el.chapter_title or el.text
            self.note_no = 0
            if not self.pages or self.page.blocks:
                self.new_page(single=True)
            else:
                self.page.columns, self.col = 1, 0
            self.page.chapter_start, self.page.chapter = True, self.chapter
            pt, measure = d.chapter_pt, d.chapter_measure
            self.y += 140 * self.s
            self.drop_next = d.drop_cap
        else:
            pt, measure = d.section_pt, 1.0
            self.need(round(1.37 * pt * self.s) * 2 + self.lh * 2)
            if self.y > self.margin[0] + 1:
                self.y += 0.7 * self.lh
        f, lh = font(d.heading_face, round(pt * self.s)), round(1.35 * pt * self.s)
        x0, avail = self.column()
        lines = wrap(el.text, f, avail * measure)
        self.need(lh * len(lines))
        x0, avail = self.column()
        block = self.add(TBlock("heading", level=el.level))
        centre = el.level == 1 and d.chapter_align == "center"
        for ln in lines:
            x = x0 + (avail - width(ln, f)) / 2 if centre else x0
            block.lines.append(self.text_line(x, self.y + lh * 0.8, ln, f))
            self.y += lh
        self.y += (0.8 if el.level == 1 else 0.3) * self.lh
        self.emit({"kind": "heading", "level": el.level, "text": el.text})

    def emphasis(self, text: str, n: int) -> dict[int, Any]:
        """Word index -> font for a run of one to three words set in italic or bold, in the
        design's share of paragraphs. Its own random stream: the book's plan stays the same."""
        r = random.Random(f"emphasis:{text}")
        if n < 4 or r.random() >= self.design.emphasis:
            return {}
        face = font(r.choice(["serif-italic", "serif-bold"]), round(36 * self.s))
        start = r.randrange(n - 3)
        return {k: face for k in range(start, start + r.randint(1, 3))}

    def _drop_cap(self, words: list[str]) -> str:
        """The letter this paragraph's first word drops (after a chapter title), or ''."""
        if not self.drop_next or not words or len(words[0]) < 2 or not words[0][0].isalpha():
            return ""
        return words[0][0]

    def _cap_font(self, nlines: int) -> Any:
        """Body face at the size whose capitals reach from the first line's cap height down to
        the baseline of line `nlines`."""
        body_px = round(36 * self.s)
        return font(self.body_face, round((max(nlines - 1, 0) * self.lh + 0.73 * body_px) / 0.73))

    def paragraph(self, el: ParaEl, indent: bool) -> None:
        f, lh, space = self.body, self.lh, width(" ", self.body)
        small = font("serif", round(22 * self.s))
        notes = dict(el.notes)
        words = el.text.split()
        emph = self.emphasis(el.text, len(words))
        item: dict[str, Any] = {"kind": "paragraph", "text": "", "lang": el.lang}
        placed: list[str] = []
        i, carry, first, block, where = 0, "", True, None, None
        cap, cap_lines, nline = self._drop_cap(words), self.drop_next, 0
        cap_f = self._cap_font(cap_lines)
        cap_w = width(cap, cap_f) + 0.4 * lh if cap else 0.0
        self.drop_next = 0
        self.need(lh * (cap_lines if cap else 1))
        self.emit(item)
        while i < len(words):
            x0, avail = self.column()
            ind = 55 * self.s if first and indent else 0.0
            if cap and nline < cap_lines:
                ind = cap_w
            line: list[tuple[str, str]] = []  # (drawn text, footnote mark)
            faces: list[Any] = []  # the font of each word of `line`
            cur, j, cj, split = 0.0, i, carry, None
            line_notes: list[tuple[str, str, int]] = []
            while j < len(words):
                w = cj or words[j]
                if cap and j == 0:
                    w = w[1:]  # its first letter is the drop cap
                mark = ""
                if j in notes and self.page.columns == 1:
                    mark = str(self.note_no + len(line_notes) + 1)
                fw = f if cj else emph.get(j, f)
                ww = width(w, fw) + (width(mark, small) if mark else 0)
                gap = space if line else 0.0
                if cur + gap + ww <= avail - ind:
                    line.append((w, mark))
                    faces.append(fw)
                    if mark:
                        line_notes.append((mark, notes[j], j))
                    cur += gap + ww
                    j, cj = j + 1, ""
                    continue
                left = avail - ind - cur - gap
                if el.lang == "en" and not cj and left > 0.12 * avail:
                    for p in reversed(hyphen_points(w)):
                        pre = w[:p] + "-"
                        if width(pre, f) <= left:
                            line.append((pre, ""))
                            faces.append(f)
                            cur += gap + width(pre, f)
                            split, cj = (w, p), w[p:]
                            break
                break
            if not line:  # a word wider than the column: let it overhang rather than loop
                line.append((words[j], ""))
                faces.append(f)
                j += 1
            fn_h = 0.0
            if line_notes:
                fn_f = font("serif", round(28 * self.s))
                fw = self.column()[1] if self.page.columns == 1 else avail
                for mark, text, _ in line_notes:
                    fn_h += len(wrap(f"{mark} {text}", fn_f, fw)) * round(36 * self.s)
                fn_h += 0 if self.page.notes else 40 * self.s
            if self.y + lh + fn_h > self.limit():
                self.next_column()
                continue
            if self.pending_break is not None and placed:
                pb = self.pending_break
                at = len(" ".join(placed)) + (-1 if carry else 1)
                item.setdefault("breaks", []).append([at, pb["index"], pb["label"]])
                self.pending_break = None
            elif self.pending_break is not None:  # moved to a new page before its first line
                self.flow.insert(
                    next(k for k, v in enumerate(self.flow) if v is item), self.pending_break
                )
                self.pending_break = None
            if where != (self.page.index, self.col):
                block, where = self.add(TBlock("paragraph")), (self.page.index, self.col)
            last = j >= len(words) and not cj
            extra = avail - ind - cur
            gap = space + (
                extra / (len(line) - 1)
                if len(line) > 1 and not last and extra < 0.35 * avail
                else 0.0
            )
            x, baseline, bbox = x0 + ind, self.y + lh * 0.78, None
            for (w, mark), fw in zip(line, faces, strict=True):
                ln = self.text_line(x, baseline, w, fw)
                bbox = _union(bbox, ln.bbox)
                x += width(w, fw)
                if mark:
                    self.draw.text(
                        (x + 2, baseline - 16 * self.s), mark, font=small, fill=0, anchor="ls"
                    )
                    bbox = _union(
                        bbox,
                        self.draw.textbbox(
                            (x + 2, baseline - 16 * self.s), mark, font=small, anchor="ls"
                        ),
                    )
                    x += width(mark, small)
                x += gap
            assert block is not None and bbox is not None
            text = " ".join(w for w, _ in line)
            if cap and first:  # the truth line holds the whole word, its box the letter too
                drawn = self.text_line(x0, baseline + (cap_lines - 1) * lh, cap, cap_f)
                text, bbox = cap + text, _union(bbox, drawn.bbox)
            block.lines.append(TLine(text, bbox))
            nline += 1
            marks = {k: mark for mark, _, k in line_notes}
            for k in range(i, j):
                if k == i and carry:
                    placed[-1] = words[k]  # the split word is whole again
                else:
                    placed.append(words[k])
                if k in marks:
                    item.setdefault("refs", []).append([len(" ".join(placed)), marks[k]])
            for mark, text, _ in line_notes:
                self.page.notes.append((mark, text))
                self.note_no += 1
                self.pending_notes.append({"kind": "footnote", "mark": mark, "text": text})
            self.page.note_height += fn_h
            if split is not None:
                w, p = split
                lead = len(w) - len(w.lstrip('"“('))
                self.hyphenated.append(
                    {
                        "word": w.strip('"“”(),.;:!?'),
                        "prefix": w[lead:p],
                        "suffix": w[p:].rstrip('"”),.;:!?'),
                        "page": self.page.index,
                    }
                )
                placed.append(w[:p] + "-")  # what the page shows until the suffix is placed
            carry, i, first = cj, j, False
            item["text"] = " ".join(placed)
            self.y += lh
        for n in self.pending_notes:
            self.emit(n)
        self.pending_notes = []
