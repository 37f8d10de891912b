"""Figures, lists, tables and page furniture for the typesetter, and its truth records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from digitize.lab.synth.design import Design
from digitize.lab.synth.draw import draw_figure, font, width
from digitize.lab.synth.formulas import Part, draw_formula, formula_size
from digitize.lab.synth.text import FigureEl, ListEl, TableEl

Box = tuple[float, float, float, float]


@dataclass
class TLine:
    text: str
    bbox: Box


@dataclass
class TBlock:
    kind: str
    lines: list[TLine] = field(default_factory=list)
    level: int | None = None
    box: Box | None = None  # figures and tables: the drawn region

    @property
    def bbox(self) -> Box:
        boxes = [ln.bbox for ln in self.lines] + ([self.box] if self.box else [])
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


@dataclass
class TPage:
    index: int
    label: str
    image: Image.Image
    blocks: list[TBlock] = field(default_factory=list)
    columns: int = 1
    chapter_start: bool = False
    chapter: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)
    note_height: float = 0.0


def _union(a: Box | None, b: Box) -> Box:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def wrap(text: str, f: Any, avail: float) -> list[str]:
    """Greedy left-aligned wrapping (captions, list items, footnotes)."""
    lines: list[str] = []
    cur = ""
    for w in text.split():
        cand = f"{cur} {w}" if cur else w
        if cur and width(cand, f) > avail:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    return [*lines, cur] if cur else lines


class ElementsMixin:
    """Atomic elements (never split over pages) and the furniture drawn when a page is done."""

    s: float
    lh: int
    size: tuple[int, int]
    margin: tuple[int, int, int, int]
    title: str
    footer: str | None
    draw: ImageDraw.ImageDraw
    rng: Any
    design: Design
    body_face: str
    y: float

    def column(self) -> tuple[float, float]: ...
    def need(self, h: float) -> None: ...
    def emit(self, item: dict[str, Any]) -> None: ...
    def add(self, block: TBlock) -> TBlock: ...
    def text_line(self, x: float, baseline: float, text: str, f: Any) -> TLine: ...

    @property
    def page(self) -> TPage: ...

    def figure(self, el: FigureEl) -> None:
        d = self.design
        f, lh = font("serif-italic", round(30 * self.s)), round(40 * self.s)
        x0, avail = self.column()
        cap = wrap(el.caption, f, avail * 0.9)
        h = el.height * self.s * (0.8 if self.page.columns == 2 else 1.0)
        self.need(h + lh * (len(cap) + 1.2))
        x0, avail = self.column()
        cap = wrap(el.caption, f, avail * 0.9)  # need() may have moved to a narrower column
        fw = avail * 0.85
        box = (x0 + (avail - fw) / 2, self.y + 10 * self.s, x0 + (avail + fw) / 2, self.y + h)
        group = "Nhóm" if el.caption.startswith("Hình") else "Group"
        draw_figure(
            self.draw,
            tuple(round(v) for v in box),  # type: ignore[arg-type]
            el.shape,
            self.rng,
            labels=tuple(f"{group} {c}" for c in "ABC") if d.chart_labels else (),
            frame=not d.chart_labels,
        )
        self.add(TBlock("figure", box=box))
        self.y += h + 0.4 * lh
        block = self.add(TBlock("caption"))
        for ln in cap:
            x = x0 + (avail - width(ln, f)) / 2
            block.lines.append(self.text_line(x, self.y + lh * 0.78, ln, f))
            self.y += lh
        self.y += 0.6 * self.lh
        self.emit({"kind": "figure", "caption": el.caption})

    def list(self, el: ListEl) -> None:
        f, lh = self.body, self.lh
        marks = {
            "bullet": [self.design.bullet] * len(el.items),
            "alpha": [f"{chr(97 + k)})" for k in range(len(el.items))],
            "num": [f"{k + 1}." for k in range(len(el.items))],
        }[el.style]
        x0, avail = self.column()
        hang = 60 * self.s
        wrapped = [wrap(it, f, avail - hang - 30 * self.s) for it in el.items]
        self.need(lh * (sum(len(w) for w in wrapped) + 0.6))
        x0, avail = self.column()
        self.y += 0.3 * lh
        for mark, lines in zip(marks, wrapped, strict=True):
            block = self.add(TBlock("list_item"))
            for n, ln in enumerate(lines):
                baseline = self.y + lh * 0.78
                tl = self.text_line(x0 + 30 * self.s + hang, baseline, ln, f)
                if n == 0:
                    m = self.text_line(x0 + 30 * self.s, baseline, mark, f)
                    tl = TLine(f"{mark} {ln}", _union(m.bbox, tl.bbox))
                block.lines.append(tl)
                self.y += lh
        self.y += 0.3 * lh
        self.emit(
            {
                "kind": "list",
                "items": list(el.items),
                "ordered": el.style != "bullet",
                "markers": marks,
            }
        )

    def table(self, el: TableEl) -> None:
        f, lh = font("sans", round(30 * self.s)), round(50 * self.s)
        cf = font("serif-italic", round(30 * self.s))
        x0, avail = self.column()
        cap = wrap(el.caption, cf, avail * 0.9)
        self.need(lh * (len(el.rows) + len(cap) + 1))
        x0, avail = self.column()
        block = self.add(TBlock("caption"))
        for ln in cap:
            x = x0 + (avail - width(ln, cf)) / 2
            block.lines.append(self.text_line(x, self.y + 40 * self.s * 0.78, ln, cf))
            self.y += 40 * self.s
        self.y += 0.3 * lh
        widths = [0.2, 0.5, 0.3]
        tw = avail * 0.9
        tx = x0 + (avail - tw) / 2
        top = self.y
        tb = self.add(TBlock("table"))
        for r, row in enumerate(el.rows):
            x, y = tx, top + r * lh
            cells = []
            for c, cell in enumerate(row):
                cw = tw * widths[c]
                cf_ = font("sans-bold", round(30 * self.s)) if r == 0 else f
                cells.append(self.text_line(x + 14 * self.s, y + lh * 0.7, cell, cf_))
                x += cw
            tb.lines.append(
                TLine(
                    " ".join(row),
                    tuple(  # type: ignore[arg-type]
                        [
                            min(c.bbox[0] for c in cells),
                            min(c.bbox[1] for c in cells),
                            max(c.bbox[2] for c in cells),
                            max(c.bbox[3] for c in cells),
                        ]
                    ),
                )
            )
        bottom = top + len(el.rows) * lh
        x = tx
        grid = self.design.table_rules == "grid"
        for c in [0.0, *widths] if grid else []:
            x += tw * c
            self.draw.line([(x, top), (x, bottom)], fill=0, width=2)
        for r in range(len(el.rows) + 1) if grid else (0, 1, len(el.rows)):
            self.draw.line(
                [(tx, top + r * lh), (tx + tw, top + r * lh)],
                fill=0,
                width=4 if r in (0, 1, len(el.rows)) else 2,
            )
        tb.box = (tx - 2, top - 2, tx + tw + 2, bottom + 2)
        self.y = bottom + 0.8 * self.lh
        self.emit({"kind": "table", "rows": [list(r) for r in el.rows], "caption": el.caption})

    def figure_pair(self, left: FigureEl, right: FigureEl) -> None:
        """Two figures side by side, each with its caption under it: the captions' lines sit at
        the same heights, a gutter apart."""
        d = self.design
        f, lh = font("serif-italic", round(30 * self.s)), round(40 * self.s)
        x0, avail = self.column()
        half = avail / 2
        caps = [wrap(el.caption, f, half * 0.85) for el in (left, right)]
        h = max(left.height, right.height) * self.s * 0.8
        self.need(h + lh * (max(len(c) for c in caps) + 1.2))
        x0, avail = self.column()
        half = avail / 2
        caps = [wrap(el.caption, f, half * 0.85) for el in (left, right)]
        top = self.y
        for k, el in enumerate((left, right)):
            hx = x0 + k * half
            box = (hx + half * 0.06, top + 10 * self.s, hx + half * 0.94, top + h)
            draw_figure(
                self.draw,
                tuple(round(v) for v in box),  # type: ignore[arg-type]
                el.shape,
                self.rng,
                labels=(),
                frame=not d.chart_labels,
            )
            self.add(TBlock("figure", box=box))
            y = top + h + 0.4 * lh
            block = self.add(TBlock("caption"))
            for ln in caps[k]:
                x = hx + (half - width(ln, f)) / 2
                block.lines.append(self.text_line(x, y + lh * 0.78, ln, f))
                y += lh
        self.y = top + h + 0.4 * lh + lh * max(len(c) for c in caps) + 0.6 * self.lh
        for el in (left, right):
            self.emit({"kind": "figure", "caption": el.caption})

    def boxed_note(self, title: str, text: str) -> None:
        """A framed note set apart from the running text: a bold title line, then its text."""
        s = self.s
        f, tf = font("serif", round(32 * s)), font("sans-bold", round(32 * s))
        lh, pad = round(44 * s), round(24 * s)
        x0, avail = self.column()
        lines = wrap(text, f, avail - 2 * pad)
        self.need(2 * pad + lh * (len(lines) + 1) + self.lh)
        x0, avail = self.column()  # maybe another column or page, of another measure
        lines = wrap(text, f, avail - 2 * pad)
        top = self.y + 0.3 * self.lh
        block = self.add(TBlock("aside"))
        y = top + pad
        for k, ln in enumerate([title, *lines]):
            block.lines.append(self.text_line(x0 + pad, y + lh * 0.78, ln, tf if k == 0 else f))
            y += lh
        bottom = y + pad
        self.draw.rectangle([x0, top, x0 + avail, bottom], outline=0, width=3)
        block.box = (x0 - 2, top - 2, x0 + avail + 2, bottom + 2)
        self.y = bottom + 0.8 * self.lh
        self.emit({"kind": "aside", "title": title, "text": text})

    def formula(self, parts: list[Part], plain: str) -> None:
        """A display formula, centred on a line of its own between paragraphs; the truth has
        its drawn box and its plain-text form."""
        f = font(self.body_face, round(36 * self.s))
        small = font("serif", round(f.size * 0.62))
        w, up, down = formula_size(parts, f, small)
        self.need(up + down + self.lh)
        x0, avail = self.column()
        top = self.y + 0.4 * self.lh
        base = top + up
        x = x0 + (avail - w) / 2
        draw_formula(self.draw, x, base, parts, f)
        self.add(TBlock("formula", box=(x - 4, top - 4, x + w + 4, base + down + 4)))
        self.y = base + down + 0.6 * self.lh
        self.emit({"kind": "formula", "text": plain})

    def exercise(self, head: str, options: list[str], lang: str) -> None:
        """A numbered question, then its options A.-D. side by side: four across, two by two
        or one a line, as their length allows."""
        f, lh, s = self.body, self.lh, self.s
        marks = [f"{chr(65 + k)}." for k in range(len(options))]
        widest = max(width(f"{m} {o}", f) for m, o in zip(marks, options, strict=True))
        self.need(lh * (len(wrap(head, f, self.column()[1])) + len(options) + 0.6))
        x0, avail = self.column()
        across = next((n for n in (4, 2) if widest + 40 * s < (avail - 30 * s) / n), 1)
        block = self.add(TBlock("paragraph"))
        for ln in wrap(head, f, avail):
            block.lines.append(self.text_line(x0, self.y + lh * 0.78, ln, f))
            self.y += lh
        self.emit({"kind": "paragraph", "text": head, "lang": lang})
        for k, (mark, opt) in enumerate(zip(marks, options, strict=True)):
            r, c = divmod(k, across)
            x = x0 + 30 * s + c * (avail - 30 * s) / across
            tl = self.text_line(x, self.y + r * lh + lh * 0.78, f"{mark} {opt}", f)
            self.add(TBlock("list_item")).lines.append(tl)
        self.y += lh * (-(-len(options) // across) + 0.3)
        self.emit({"kind": "list", "items": options, "ordered": True, "markers": marks})

    # ------------------------------------------------------------------ page furniture

    def finish_page(self, page: TPage) -> None:
        """Draw running head, page number, footer and footnotes once the page's text is set."""
        draw = ImageDraw.Draw(page.image)
        self.draw = draw
        w, h = self.size
        t, inner, outer, b = self.margin
        recto = not page.label.isdigit() or int(page.label) % 2 == 1
        left, right = (inner, outer) if recto else (outer, inner)
        d = self.design
        face = {"italic": "serif-italic", "caps": "serif", "caps-bold": "sans-bold"}
        hf = font(face[d.head_style], round(d.head_pt * self.s))
        nf = font("serif", round(30 * self.s))
        # the first body baseline is 0.8 line below the top margin; the head sits 1 + gap above
        head_base = t + 0.8 * self.lh - (1 + d.head_gap) * self.lh
        if page.notes:
            nfnt, nlh = font("serif", round(28 * self.s)), round(36 * self.s)
            y = h - b - page.note_height + 40 * self.s
            draw.line(
                [(left, y - 22 * self.s), (left + 250 * self.s, y - 22 * self.s)], fill=0, width=2
            )
            for mark, text in page.notes:
                block = self.add_to(page, TBlock("footnote"))
                for ln in wrap(f"{mark} {text}", nfnt, w - left - right):
                    block.lines.append(self.text_line(left, y + nlh * 0.78, ln, nfnt))
                    y += nlh
        if page.chapter_start or not page.label.isdigit():
            x = (w - width(page.label, nf)) / 2
            blk = self.add_to(page, TBlock("page_number"))
            blk.lines.append(self.text_line(x, h - b / 2, page.label, nf))
        else:
            # verso: number at the outer (left) corner, book title opposite; recto: mirrored
            head = page.chapter if recto else self.title
            head = head if d.head_style == "italic" else head.upper()
            hx = left if recto else w - right - width(head, hf)
            nx = w - right - width(page.label, nf) if recto else left
            blk = self.add_to(page, TBlock("header"))
            blk.lines.append(self.text_line(hx, head_base, head, hf))
            blk = self.add_to(page, TBlock("page_number"))
            blk.lines.append(self.text_line(nx, head_base, page.label, nf))
            rule = head_base + 18 * self.s
            if d.head_rule and d.head_gap >= 0.5:  # closer, a rule would cut the first line
                draw.line([(left, rule), (w - right, rule)], fill=0, width=2)
        if self.footer:
            ff = font("sans", round(24 * self.s))
            fx = (w - width(self.footer, ff)) / 2
            fy = h - b / 2 + (45 * self.s if page.chapter_start or not page.label.isdigit() else 0)
            blk = self.add_to(page, TBlock("footer"))
            blk.lines.append(self.text_line(fx, fy, self.footer, ff))

    @staticmethod
    def add_to(page: TPage, block: TBlock) -> TBlock:
        page.blocks.append(block)
        return block
