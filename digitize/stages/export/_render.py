"""Shared by the EPUB and HTML exporters: the flow cut into chapters and rendered to markup.

OCR text is untrusted. Every string goes through `clean` (NFC, no C0 controls except tab and
newline, no bidi overrides that could reorder what a reader sees) and then `esc`. Ids are
global across the whole book so a single-file HTML edition and a many-file EPUB share them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from digitize.model import (
    Aside,
    Book,
    Figure,
    FlowItem,
    Footnote,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
)
from digitize.stages.export._a11y import HeadingLevels, figure_alt, header_cells, words
from digitize.stages.export._lists import list_html
from digitize.text import SUPERSCRIPT_DIGITS, bcp47, clean_text, superscript

_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


clean = clean_text  # short name for the exporters' many calls


def esc(text: str) -> str:
    """Clean and escape text for XHTML/HTML element content and attribute values."""
    return html.escape(clean(text), quote=True)


def lang_tag(lang: str | None, default: str = "und") -> str:
    """A BCP 47 tag for `lang` (accepts Tesseract names like `vie`), or `default`."""
    if not lang:
        return default
    # Tesseract's language names, as layout stages may copy them into `lang`
    first = (bcp47(lang) or lang.split("+")[0].strip()).replace("_", "-")
    return first if _LANG.match(first) else default


def page_label(pb: PageBreak) -> str:
    """The printed label of a page, falling back to its 1-based position."""
    label = clean(pb.label or "").strip()
    return label or str(pb.index + 1)


@dataclass
class TocEntry:
    level: int
    text: str
    chapter: int
    anchor: str


@dataclass
class PageEntry:
    label: str
    chapter: int
    anchor: str


@dataclass
class Chapter:
    items: list[FlowItem] = field(default_factory=list)
    title: str = ""
    body: str = ""  # rendered markup, filled by `render`


@dataclass
class Rendered:
    chapters: list[Chapter]
    toc: list[TocEntry]
    pages: list[PageEntry]
    figures: int
    undescribed: list[str] = field(default_factory=list)  # pages of uncaptioned figures
    notes: int = 0


def split_chapters(flow: tuple[FlowItem, ...] | list[FlowItem]) -> list[Chapter]:
    """One chapter per level-1 heading; page breaks right before such a heading move with it,
    so a chapter file starts with the marker of the page the chapter starts on.
    """
    chapters: list[Chapter] = [Chapter()]
    for item in flow:
        if isinstance(item, Heading) and item.level <= 1:
            cur = chapters[-1]
            moved: list[FlowItem] = []
            while cur.items and isinstance(cur.items[-1], PageBreak):
                moved.insert(0, cur.items.pop())
            new = Chapter(items=moved, title=clean(item.text).strip())
            chapters.append(new)
        chapters[-1].items.append(item)
    return [c for c in chapters if c.items] or [Chapter()]


class _Ids:
    """Unique ids across the book: `page-<label>` when the label is usable, else by index."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def page(self, pb: PageBreak) -> str:
        label = re.sub(r"[^A-Za-z0-9_-]", "", page_label(pb))
        for cand in (f"page-{label}" if label else "", f"page-i{pb.index + 1}"):
            if cand and cand not in self.used:
                self.used.add(cand)
                return cand
        n = 2
        while f"page-i{pb.index + 1}-{n}" in self.used:
            n += 1
        self.used.add(f"page-i{pb.index + 1}-{n}")
        return f"page-i{pb.index + 1}-{n}"


def mark_pattern(mark: str) -> re.Pattern[str]:
    """A footnote's reference mark in running text, as printed (`1`) or raised (`¹`): right
    after a word or punctuation, not inside a number."""
    forms = sorted({mark, superscript(mark)}, key=len, reverse=True)
    alt = "|".join(re.escape(f) for f in forms)
    return re.compile(r"(?<=[^\s\d])(?:" + alt + r")(?=[\s.,;:!?)\]]|$)")


class Renderer:
    """Renders chapters. `xhtml` selects XHTML (self-closed voids, epub:type) over HTML;
    `image_src(fig)` returns the src for a figure image or None when it is unavailable.
    """

    def __init__(self, book: Book, xhtml: bool, image_src: Callable[[Figure], str | None]) -> None:
        self.book = book
        self.xhtml = xhtml
        self.image_src = image_src
        self.lang = lang_tag(book.meta.lang)
        self.words = words(self.lang)
        self.ids = _Ids()
        self.toc: list[TocEntry] = []
        self.pages: list[PageEntry] = []
        self.figures = 0
        self.undescribed: list[str] = []  # page labels of figures with no caption
        self.linked = 0
        self.levels = HeadingLevels()
        self.page = "1"  # label of the page being rendered
        self._heads = 0
        self._notes = 0

    # -------------------------------------------------------------- helpers
    def _etype(self, value: str) -> str:
        return f' epub:type="{value}"' if self.xhtml else ""

    def _lang_attr(self, lang: str | None) -> str:
        tag = lang_tag(lang, "")
        if not tag or tag == self.lang:
            return ""
        return f' lang="{tag}" xml:lang="{tag}"' if self.xhtml else f' lang="{tag}"'

    def _pagebreak(self, pb: PageBreak, chapter: int) -> str:
        anchor = self.ids.page(pb)
        label = page_label(pb)
        self.page = label
        self.pages.append(PageEntry(label, chapter, anchor))
        attrs = f'{self._etype("pagebreak")} role="doc-pagebreak" id="{anchor}"'
        attrs += f' aria-label="{esc(label)}"'
        return f"<span{attrs}/>" if self.xhtml else f'<span class="pagebreak"{attrs}></span>'

    # -------------------------------------------------------------- rendering
    def render(self) -> Rendered:
        chapters = split_chapters(self.book.flow)
        for n, ch in enumerate(chapters):
            ch.body = self._chapter(ch, n)
        return Rendered(chapters, self.toc, self.pages, self.figures, self.undescribed, self._notes)

    def _chapter(self, ch: Chapter, n: int) -> str:
        self.levels.reset()  # each chapter is a document of its own in the EPUB
        notes = [it for it in ch.items if isinstance(it, Footnote)]
        note_ids = {}
        for note in notes:
            self._notes += 1
            note_ids[id(note)] = f"fn-{self._notes}"
        refs = _note_refs(ch.items, note_ids)
        linked: set[str] = set()
        out: list[str] = []
        for k, item in enumerate(ch.items):
            if isinstance(item, PageBreak):
                out.append(self._pagebreak(item, n))
            elif isinstance(item, Heading):
                out.append(self._heading(item, n))
            elif isinstance(item, Paragraph):
                out.append(self._paragraph(item, n, refs.get(k, []), linked))
            elif isinstance(item, Figure):
                out.append(self._figure(item))
            elif isinstance(item, ListBlock) and item.items:
                out.append(list_html(item, esc))
            elif isinstance(item, Table):
                out.append(self._table(item))
            elif isinstance(item, Aside):
                out.append(self._aside(item))
        if notes:
            out.append(self._footnotes(notes, note_ids, linked))
        return "\n".join(out)

    def _heading(self, h: Heading, chapter: int) -> str:
        self._heads += 1
        anchor = f"h-{self._heads}"
        level = self.levels.level(h.level)
        text = clean(h.text).strip()
        self.toc.append(TocEntry(level, text, chapter, anchor))
        return f'<h{level} id="{anchor}"{self._lang_attr(h.lang)}>{esc(text)}</h{level}>'

    def _paragraph(
        self, p: Paragraph, chapter: int, refs: list[tuple[int, int, str, str]], linked: set[str]
    ) -> str:
        """The paragraph with its page-break markers and its note references, in text order."""
        text = p.text.replace("\n", " ")
        cuts: list[tuple[int, int, str]] = []  # (offset, 0 = page break / 1 = note, key)
        breaks = sorted((max(0, min(len(text), off)), idx, lab) for off, idx, lab in p.breaks)
        for b, (off, _, _) in enumerate(breaks):
            cuts.append((off, 0, str(b)))
        spans = {fid: (start, end, mark) for start, end, mark, fid in refs}
        for fid, (start, _, _) in spans.items():
            cuts.append((start, 1, fid))
        parts: list[str] = []
        pos = 0
        for off, what, key in sorted(cuts):
            if what == 0:
                parts.append(esc(text[pos:off]))
                _, idx, lab = breaks[int(key)]
                parts.append(self._pagebreak(PageBreak(idx, lab), chapter))
                pos = max(pos, off)
            elif off >= pos:
                start, end, _ = spans[key]
                parts.append(esc(text[pos:start]))
                parts.append(self._noteref(key, text[start:end]))
                linked.add(key)
                pos = end
        parts.append(esc(text[pos:]))
        return f"<p{self._lang_attr(p.lang)}>{''.join(parts)}</p>"

    def _noteref(self, fid: str, printed: str) -> str:
        """The reference mark as printed, linked: a raised `¹` stays the character it is, a
        plain `1` is raised with `<sup>`."""
        self.linked += 1
        link = (
            f'<a{self._etype("noteref")} role="doc-noteref" id="ref-{fid}" '
            f'href="#{fid}">{esc(printed)}</a>'
        )
        raised = any(c in SUPERSCRIPT_DIGITS for c in printed)
        return link if raised else f"<sup>{link}</sup>"

    def _figure(self, fig: Figure) -> str:
        caption = clean(fig.caption).strip()
        src = self.image_src(fig)
        cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
        if src is None:  # gone (a cleared cache) or unreadable: say so, never a broken <img>
            return f"<figure>{self._missing(fig)}{cap}</figure>"
        self.figures += 1
        formula = fig.role == "formula"  # a display formula: its recognised text is the alt
        alt_text = clean(fig.alt).strip()
        if not caption and not (formula and alt_text):
            self.undescribed.append(self.page)
        alt = alt_text if formula and alt_text else figure_alt(caption, self.lang, self.page)
        if formula and not alt_text and not caption:  # no credible reading: name it
            alt = self.words["formula"]
        size = ""
        if fig.width > 0 and fig.height > 0:
            size = f' width="{int(fig.width)}" height="{int(fig.height)}"'
        end = "/>" if self.xhtml else ">"
        img = f'<img src="{html.escape(src)}" alt="{esc(alt)}"{size}{end}'
        attr = ' class="formula"' if formula else ""
        return f"<figure{attr}>{img}{cap}</figure>"

    @staticmethod
    def _missing(fig: Figure) -> str:
        """A visible placeholder for a figure whose image is not there: a bordered box saying
        which file is missing (styled inline: it needs no stylesheet of any exporter)."""
        label = esc(f"image missing: {PurePosixPath(fig.image).name or fig.image}")
        style = (
            "border: 2px dashed #888; padding: 2em 1em; margin: 0 auto; max-width: 30em; "
            "color: #666; font: 0.9em sans-serif; text-align: center"
        )
        return f'<div class="image-missing" role="img" aria-label="{label}" style="{style}">{label}</div>'

    def _aside(self, a: Aside) -> str:
        """A boxed note: an `aside` apart from the running text, its title a labelled line."""
        title = f'<p class="aside-title"><strong>{esc(a.title)}</strong></p>' if a.title else ""
        body = f"<p>{esc(a.text)}</p>" if a.text else ""
        return f'<aside class="box">{title}{body}</aside>'

    def _table(self, t: Table) -> str:
        rows = [r for r in t.rows if r]
        if not rows:
            return ""
        cap = f"<caption>{esc(t.caption)}</caption>" if clean(t.caption).strip() else ""
        head_row, head_col = header_cells(tuple(rows))
        head = ""
        if head_row:
            head = (
                "<thead><tr>"
                + "".join(f'<th scope="col">{esc(c)}</th>' for c in rows[0])
                + "</tr></thead>"
            )
            rows = rows[1:]

        def row(cells: tuple[str, ...]) -> str:
            out = []
            for i, c in enumerate(cells):
                if i == 0 and head_col:
                    out.append(f'<th scope="row">{esc(c)}</th>')
                else:
                    out.append(f"<td>{esc(c)}</td>")
            return "<tr>" + "".join(out) + "</tr>"

        return f"<table>{cap}{head}<tbody>{''.join(row(r) for r in rows)}</tbody></table>"

    def _footnotes(self, notes: list[Footnote], ids: dict[int, str], linked: set[str]) -> str:
        out = [f'<section class="footnotes" aria-label="{esc(self.words["notes"])}">']
        for note in notes:
            fid = ids[id(note)]
            mark = esc(note.mark.strip()) or "*"
            # The note's number leads back to where it is cited (the usual e-book pattern).
            head = (
                f'<a href="#ref-{fid}" role="doc-backlink"'
                f' aria-label="{esc(self.words["back"])} ({mark})">{mark}</a>'
                if fid in linked
                else f'<span class="note-mark">{mark}</span>'
            )
            out.append(
                f'<aside{self._etype("footnote")} role="doc-footnote" id="{fid}">'
                f"<p>{head} {esc(note.text)}</p></aside>"
            )
        out.append("</section>")
        return "\n".join(out)


def _note_refs(
    items: list[FlowItem], note_ids: dict[int, str]
) -> dict[int, list[tuple[int, int, str, str]]]:
    """Where each footnote of a chapter is cited: {paragraph's index in `items`: [(start, end,
    mark, note id)]}. layout.flow puts a note right after the paragraph citing it, so that
    paragraph is searched first, then the chapter's earlier ones (latest first); each mark
    occurrence links one note. A note whose mark is nowhere in the text stays unlinked."""
    taken: dict[int, list[tuple[int, int]]] = {}
    out: dict[int, list[tuple[int, int, str, str]]] = {}
    for k, note in enumerate(items):
        if not isinstance(note, Footnote) or not clean(note.mark).strip():
            continue
        mark = clean(note.mark).strip()
        pattern = mark_pattern(mark)
        for j in range(k - 1, -1, -1):
            para = items[j]
            if not isinstance(para, Paragraph):
                continue
            text = para.text.replace("\n", " ")
            used = taken.setdefault(j, [])
            hit = next(
                (
                    m
                    for m in pattern.finditer(text)
                    if all(m.end() <= a or m.start() >= b for a, b in used)
                ),
                None,
            )
            if hit is not None:
                used.append((hit.start(), hit.end()))
                out.setdefault(j, []).append((hit.start(), hit.end(), mark, note_ids[id(note)]))
                break
    return out


def nav_list(toc: list[TocEntry], href: Callable[[TocEntry], str], ol_class: str = "") -> str:
    """Nested `<ol>` for the table of contents; never emits an empty `<ol>` (EPUBCheck rejects
    it). A level that skips (1 → 3) nests under the nearest shallower entry.
    """
    if not toc:
        return ""
    root: list[tuple[TocEntry, list]] = []
    stack: list[tuple[int, list]] = [(0, root)]
    for e in toc:
        while stack[-1][0] >= e.level and len(stack) > 1:
            stack.pop()
        node: tuple[TocEntry, list] = (e, [])
        stack[-1][1].append(node)
        stack.append((e.level, node[1]))

    def emit(nodes: list, cls: str = "") -> str:
        attr = f' class="{cls}"' if cls else ""
        lis = []
        for entry, kids in nodes:
            inner = f'<a href="{html.escape(href(entry))}">{esc(entry.text) or "—"}</a>'
            if kids:
                inner += emit(kids)
            lis.append(f"<li>{inner}</li>")
        return f"<ol{attr}>" + "".join(lis) + "</ol>"

    return emit(root, ol_class)
