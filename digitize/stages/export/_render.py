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

from digitize.model import (
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
from digitize.text import clean_text

_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
# Tesseract's language names, as layout stages may copy them into `lang`.
_TESS_LANGS = {"vie": "vi", "eng": "en", "fra": "fr", "deu": "de", "chi_sim": "zh-Hans"}


# A list item that starts with its own printed marker.
PRINTED_MARKER = re.compile(
    r"^\s*(?:[•·▪●○◦‣∙*–—-]|\(?(?:\d{1,3}|[a-zđ]|[ivxlc]{1,5})[.)])\s", re.IGNORECASE
)


clean = clean_text  # short name for the exporters' many calls


def esc(text: str) -> str:
    """Clean and escape text for XHTML/HTML element content and attribute values."""
    return html.escape(clean(text), quote=True)


def lang_tag(lang: str | None, default: str = "und") -> str:
    """A BCP 47 tag for `lang` (accepts Tesseract names like `vie`), or `default`."""
    if not lang:
        return default
    first = lang.split("+")[0].strip()
    first = _TESS_LANGS.get(first, first).replace("_", "-")
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
    # A reference mark sits right after a word or punctuation, not inside a number.
    return re.compile(r"(?<=[^\s\d])" + re.escape(mark) + r"(?=[\s.,;:!?)\]]|$)")


class Renderer:
    """Renders chapters. `xhtml` selects XHTML (self-closed voids, epub:type) over HTML;
    `image_src(fig)` returns the src for a figure image or None when it is unavailable.
    """

    def __init__(self, book: Book, xhtml: bool, image_src: Callable[[Figure], str | None]) -> None:
        self.book = book
        self.xhtml = xhtml
        self.image_src = image_src
        self.lang = lang_tag(book.meta.lang)
        self.ids = _Ids()
        self.toc: list[TocEntry] = []
        self.pages: list[PageEntry] = []
        self.figures = 0
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
        self.pages.append(PageEntry(label, chapter, anchor))
        attrs = f'{self._etype("pagebreak")} role="doc-pagebreak" id="{anchor}"'
        attrs += f' aria-label="{esc(label)}"'
        return f"<span{attrs}/>" if self.xhtml else f'<span class="pagebreak"{attrs}></span>'

    # -------------------------------------------------------------- rendering
    def render(self) -> Rendered:
        chapters = split_chapters(self.book.flow)
        for n, ch in enumerate(chapters):
            ch.body = self._chapter(ch, n)
        return Rendered(chapters, self.toc, self.pages, self.figures)

    def _chapter(self, ch: Chapter, n: int) -> str:
        notes = [it for it in ch.items if isinstance(it, Footnote)]
        note_ids = {}
        for note in notes:
            self._notes += 1
            note_ids[id(note)] = f"fn-{self._notes}"
        # Each mark links from its first occurrence in the chapter's paragraphs.
        pending = {clean(nt.mark).strip(): note_ids[id(nt)] for nt in notes if clean(nt.mark)}
        linked: set[str] = set()
        out: list[str] = []
        for item in ch.items:
            if isinstance(item, PageBreak):
                out.append(self._pagebreak(item, n))
            elif isinstance(item, Heading):
                out.append(self._heading(item, n))
            elif isinstance(item, Paragraph):
                out.append(self._paragraph(item, n, pending, linked))
            elif isinstance(item, Figure):
                out.append(self._figure(item))
            elif isinstance(item, ListBlock) and item.items:
                tag = "ol" if item.ordered else "ul"
                lis = "".join(f"<li>{esc(it)}</li>" for it in item.items)
                # Items keep their printed markers ("a)", "1.", "•"): no second, generated one.
                marked = all(PRINTED_MARKER.match(it) for it in item.items)
                attr = ' class="marked"' if marked else ""
                out.append(f"<{tag}{attr}>{lis}</{tag}>")
            elif isinstance(item, Table):
                out.append(self._table(item))
        if notes:
            out.append(self._footnotes(notes, note_ids, linked))
        return "\n".join(out)

    def _heading(self, h: Heading, chapter: int) -> str:
        self._heads += 1
        anchor = f"h-{self._heads}"
        level = max(1, min(6, h.level))
        text = clean(h.text).strip()
        self.toc.append(TocEntry(max(1, h.level), text, chapter, anchor))
        return f'<h{level} id="{anchor}"{self._lang_attr(h.lang)}>{esc(text)}</h{level}>'

    def _paragraph(
        self, p: Paragraph, chapter: int, pending: dict[str, str], linked: set[str]
    ) -> str:
        text = p.text.replace("\n", " ")
        cuts = sorted((max(0, min(len(text), off)), idx, lab) for off, idx, lab in p.breaks)
        parts: list[str] = []
        pos = 0
        for off, idx, lab in cuts:
            parts.append(self._inline(text[pos:off], pending, linked))
            parts.append(self._pagebreak(PageBreak(idx, lab), chapter))
            pos = off
        parts.append(self._inline(text[pos:], pending, linked))
        return f"<p{self._lang_attr(p.lang)}>{''.join(parts)}</p>"

    def _inline(self, raw: str, pending: dict[str, str], linked: set[str]) -> str:
        """Escaped text with the first occurrence of each footnote mark linked to its note."""
        text = clean(raw)
        hits = []
        for mark, fid in pending.items():
            if fid in linked:
                continue
            m = mark_pattern(mark).search(text)
            if m:
                hits.append((m.start(), m.end(), mark, fid))
        hits.sort()
        out, pos = [], 0
        for start, end, mark, fid in hits:
            if start < pos:
                continue
            linked.add(fid)
            out.append(html.escape(text[pos:start]))
            out.append(
                f'<sup><a{self._etype("noteref")} role="doc-noteref" id="ref-{fid}" '
                f'href="#{fid}">{html.escape(mark)}</a></sup>'
            )
            pos = end
        out.append(html.escape(text[pos:]))
        return "".join(out)

    def _figure(self, fig: Figure) -> str:
        caption = clean(fig.caption).strip()
        src = self.image_src(fig)
        cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
        if src is None:
            return f"<figure>{cap}</figure>" if cap else ""
        self.figures += 1
        alt = caption or f"Figure {self.figures}"
        size = ""
        if fig.width > 0 and fig.height > 0:
            size = f' width="{int(fig.width)}" height="{int(fig.height)}"'
        end = "/>" if self.xhtml else ">"
        img = f'<img src="{html.escape(src)}" alt="{esc(alt)}"{size}{end}'
        return f"<figure>{img}{cap}</figure>"

    def _table(self, t: Table) -> str:
        cap = f"<caption>{esc(t.caption)}</caption>" if clean(t.caption).strip() else ""
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in t.rows
        )
        return f"<table>{cap}<tbody>{rows}</tbody></table>" if rows else ""

    def _footnotes(self, notes: list[Footnote], ids: dict[int, str], linked: set[str]) -> str:
        out = ['<section class="footnotes">']
        for note in notes:
            fid = ids[id(note)]
            mark = esc(note.mark.strip()) or "*"
            back = (
                f'<a href="#ref-{fid}" role="doc-backlink">{mark}</a>'
                if fid in linked
                else f"<span>{mark}</span>"
            )
            out.append(
                f'<aside{self._etype("footnote")} role="doc-footnote" id="{fid}">'
                f"<p>{back} {esc(note.text)}</p></aside>"
            )
        out.append("</section>")
        return "\n".join(out)


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
