"""Markdown exporter (CommonMark + GFM tables and footnotes).

Figures are copied beside the file into `<stem>_files/` so the Markdown stays portable. OCR
text is escaped so nothing in it can become markup, a link or a block marker: `<`, `>` become
entities, Markdown punctuation is backslash-escaped. Page starts are `<!-- page N -->`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from digitize.fileio import write_bytes, write_text
from digitize.model import (
    Aside,
    Book,
    Figure,
    Footnote,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
)
from digitize.naming import book_stem
from digitize.stage import Context, Exporter
from digitize.stages.export import _media
from digitize.stages.export._lists import list_lines
from digitize.stages.export._render import (
    clean,
    mark_pattern,
    page_label,
    split_chapters,
)

_INLINE = re.compile(r"([\\`*_\[\]|~&])")
_LINE_START = re.compile(r"^(\s*)([-+=#>]|\d+(?=[.)]))")


def md_escape(text: str, first: bool = True) -> str:
    """OCR text as literal Markdown inline content on one line, stripped."""
    return _esc(text, first).strip()


def _esc(text: str, first: bool) -> str:
    """Escape without stripping; `first`: the text starts a line (block markers matter)."""
    text = re.sub(r"\s+", " ", clean(text))
    text = _INLINE.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    m = _LINE_START.match(text) if first else None
    if m:  # would start a list, heading or setext underline: escape the marker
        i = m.end(2) if m.group(2)[0].isdigit() else m.start(2)
        text = text[:i] + "\\" + text[i:]
    return text


def page_comment(label: str) -> str:
    safe = re.sub(r"[^\w.\-]", "", label) or "?"
    return f"<!-- page {safe} -->"


class MarkdownExporter(Exporter):
    name: ClassVar[str] = "export.md"
    version: ClassVar[str] = "3"
    suffix: ClassVar[str] = ".md"
    summary: ClassVar[str] = "Markdown with headings, lists, tables, figures, footnotes"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        stem = book_stem(book.meta)
        out = Path(out_dir) / f"{stem}{self.suffix}"
        written: list[Path] = []
        blocks: list[str] = []
        note_no = 0
        for chapter in split_chapters(book.flow):
            notes = [it for it in chapter.items if isinstance(it, Footnote)]
            ids: dict[int, int] = {}
            for nt in notes:
                note_no += 1
                ids[id(nt)] = note_no
            pending = {clean(nt.mark).strip(): ids[id(nt)] for nt in notes if clean(nt.mark)}
            for item in chapter.items:
                if isinstance(item, PageBreak):
                    blocks.append(page_comment(page_label(item)))
                elif isinstance(item, Heading):
                    level = max(1, min(6, item.level))
                    blocks.append("#" * level + " " + (md_escape(item.text, first=False) or "—"))
                elif isinstance(item, Paragraph):
                    blocks.append(self._paragraph(item, pending))
                elif isinstance(item, ListBlock) and item.items:
                    blocks.append("\n".join(list_lines(item, md_escape)))
                elif isinstance(item, Table):
                    blocks.append(self._table(item))
                elif isinstance(item, Figure):
                    blocks.append(self._figure(book, item, out_dir, stem, written))
                elif isinstance(item, Footnote):
                    blocks.append(f"[^{ids[id(item)]}]: {md_escape(item.text)}")
                elif isinstance(item, Aside):  # a boxed note: a quote block, its title bold
                    title = f"> **{md_escape(item.title)}**\n>\n" if item.title else ""
                    blocks.append(title + "> " + md_escape(item.text.replace("\n", " ")))
        text = "\n\n".join(b for b in blocks if b) + "\n"
        return [write_text(out, text), *written]

    @staticmethod
    def _paragraph(p: Paragraph, pending: dict[str, int]) -> str:
        """Escaped text with footnote references and inline page comments at the breaks."""
        raw = p.text.replace("\n", " ")
        cuts = sorted((max(0, min(len(raw), off)), idx, lab) for off, idx, lab in p.breaks)
        segments: list[tuple[str, PageBreak | None]] = []
        pos = 0
        for off, idx, lab in cuts:
            segments.append((raw[pos:off], PageBreak(idx, lab)))
            pos = off
        segments.append((raw[pos:], None))
        out = ""
        for seg, pb in segments:
            text = clean(seg)
            hits = []
            for mark, n in pending.items():
                m = mark_pattern(mark).search(text)
                if m:
                    hits.append((m.start(), m.end(), mark, n))
            start = 0
            for s, e, mark, n in sorted(hits):
                if s < start:
                    continue
                out += _esc(text[start:s], first=not out) + f"[^{n}]"
                start = e
                del pending[mark]
            out += _esc(text[start:], first=not out)
            if pb is not None:
                out += page_comment(page_label(pb))
        return out.strip()

    @staticmethod
    def _table(t: Table) -> str:
        if not t.rows:
            return ""
        width = max(len(r) for r in t.rows)

        def row(cells: tuple[str, ...]) -> str:
            cells = tuple(cells) + ("",) * (width - len(cells))
            return "| " + " | ".join(md_escape(c, first=False) for c in cells) + " |"

        lines = [row(t.rows[0]), "|" + " --- |" * width, *(row(r) for r in t.rows[1:])]
        cap = md_escape(t.caption)
        return (f"*{cap}*\n\n" if cap else "") + "\n".join(lines)

    @staticmethod
    def _figure(book: Book, fig: Figure, out_dir: Path, stem: str, written: list[Path]) -> str:
        caption = md_escape(fig.caption)
        alt = md_escape(fig.alt) if fig.role == "formula" else caption  # a formula: its text
        img = _media.figure_image(book, fig.image)
        if img is None:
            return f"*{caption or alt}*" if caption or alt else ""
        data, suffix, _ = img
        rel = f"{stem}_files/{_media.content_name(data, suffix)}"
        dest = Path(out_dir) / rel
        if dest not in written:
            write_bytes(dest, data)
            written.append(dest)
        return f"![{alt}]({rel})" + (f"\n\n*{caption}*" if caption else "")
