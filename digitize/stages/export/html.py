"""HTML edition: one self-contained file (images as data URIs) or a small static site.

The site is `<stem>_html/index.html` (table of contents) plus one page per chapter, images
under `images/` and a stylesheet that reads on a phone and prints cleanly. Page anchors
(`id="page-47"`) let a citation of the printed book link straight to the spot.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from digitize.fileio import write_bytes, write_text
from digitize.model import Book, Figure
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export import _a11y, _media
from digitize.stages.export._render import Renderer, clean, esc, lang_tag, nav_list

# Defence in depth: even if markup slipped through escaping, nothing could run or load.
_CSP = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "img-src 'self' data:; style-src 'self' 'unsafe-inline'\">"
)
CSS = """\
ol.marked, ul.marked { list-style: none; padding-left: 1.2em; }
:root { color-scheme: light dark; --muted: #666; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "DejaVu Serif", "Noto Serif", Georgia, serif; font-size: 1.125rem;
  line-height: 1.6; max-width: 38em; margin: 0 auto; padding: 1em 1.2em 4em; }
h1, h2, h3, h4, h5, h6 { font-family: "DejaVu Sans", "Noto Sans", sans-serif;
  line-height: 1.25; margin: 1.6em 0 0.6em; }
p { margin: 0 0 0.8em; text-align: start; hyphens: auto; }
.book-title { font-size: 1.6em; font-weight: bold; margin: 1em 0 0.2em; }
.book-authors { color: var(--muted); margin: 0 0 1.5em; }
nav.toc ol { list-style: none; padding-left: 1.2em; } nav.toc a { text-decoration: none; }
figure { margin: 1.2em 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; font-style: italic; color: var(--muted); }
table { border-collapse: collapse; display: block; overflow-x: auto; margin: 1em 0; }
td, th { border: 1px solid #999; padding: 0.25em 0.6em; vertical-align: top; }
/* printed page numbers: a thin rule between blocks, a small mark inside a paragraph */
.pagebreak::before { content: attr(aria-label); font: 0.7rem sans-serif; color: var(--muted); }
section > .pagebreak { display: block; text-align: right; clear: both;
  border-top: 1px dotted var(--muted); margin: 0.4em 0; line-height: 1.2; }
p > .pagebreak::before { content: "[" attr(aria-label) "]"; vertical-align: super;
  margin: 0 0.2em; }
.footnotes { border-top: 1px solid #999; margin-top: 2em; font-size: 0.9em; }
.chapter-nav { display: flex; justify-content: space-between; gap: 1em; margin: 2em 0; }
@media print {
  body { max-width: none; font-size: 11pt; padding: 0; }
  nav.toc { break-after: page; } .chapter { break-before: page; }
  .chapter-nav, .pagebreak { display: none; } a { color: inherit; text-decoration: none; }
  h1, h2, h3 { break-after: avoid; } figure, table { break-inside: avoid; }
}
"""


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    single_file: bool = opt(True, "one self-contained .html (images inlined) instead of a site")


def _page(lang: str, title: str, body: str, style: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{_CSP}\n<title>{esc(title)}</title>\n{style}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


class HtmlExporter(Exporter[HtmlOptions]):
    name: ClassVar[str] = "export.html"
    version: ClassVar[str] = "5"
    Options: ClassVar[type] = HtmlOptions
    suffix: ClassVar[str] = ".html"
    summary: ClassVar[str] = "HTML edition: a self-contained page or a small static site"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        stem = book_stem(book.meta)
        if self.options.single_file:
            return [self._single(book, Path(out_dir) / f"{stem}.html")]
        return self._site(book, Path(out_dir) / f"{stem}_html")

    def _header(self, book: Book) -> str:
        title = esc(book.meta.title).strip() or "Untitled"
        authors = ", ".join(esc(a).strip() for a in book.meta.authors if esc(a).strip())
        by = f'<p class="book-authors">{authors}</p>' if authors else ""
        return f'<header><p class="book-title">{title}</p>{by}</header>'

    def _single(self, book: Book, out: Path) -> Path:
        def image_src(fig: Figure) -> str | None:
            img = _media.figure_image(book, fig.image)
            if img is None:
                return None
            data, _, mtype = img
            return f"data:{mtype};base64,{base64.b64encode(data).decode('ascii')}"

        r = Renderer(book, xhtml=False, image_src=image_src).render()
        lang, labels = self._lang(book)
        toc = nav_list(r.toc, lambda e: f"#{e.anchor}")
        parts = [self._header(book)]
        if toc:
            parts.append(
                f'<nav class="toc" aria-label="{labels[0]}"><h2>{labels[0]}</h2>{toc}</nav>'
            )
        parts.append("<main>")
        parts += [f'<section class="chapter">\n{ch.body}\n</section>' for ch in r.chapters]
        parts.append("</main>")
        title = clean(book.meta.title).strip() or "Untitled"
        html = _page(lang, title, "\n".join(parts), f"<style>\n{CSS}</style>")
        return write_text(out, html)

    def _site(self, book: Book, root: Path) -> list[Path]:
        written: list[Path] = []

        def image_src(fig: Figure) -> str | None:
            img = _media.figure_image(book, fig.image)
            if img is None:
                return None
            data, suffix, _ = img
            name = "images/" + _media.content_name(data, suffix)
            if not (root / name).exists() or (root / name).read_bytes() != data:
                write_bytes(root / name, data)
            if root / name not in written:
                written.append(root / name)
            return name

        r = Renderer(book, xhtml=False, image_src=image_src).render()
        lang, labels = self._lang(book)
        title = clean(book.meta.title).strip() or "Untitled"
        style = '<link rel="stylesheet" href="style.css">'
        names = [f"chapter-{i + 1:03d}.html" for i in range(len(r.chapters))]
        written.append(write_text(root / "style.css", CSS))
        toc = nav_list(r.toc, lambda e: f"{names[e.chapter]}#{e.anchor}") or (
            f'<ol><li><a href="{names[0]}">{esc(title)}</a></li></ol>'
        )
        index = f'{self._header(book)}<nav class="toc" aria-label="{labels[0]}">{toc}</nav>'
        written.append(write_text(root / "index.html", _page(lang, title, index, style)))
        for i, ch in enumerate(r.chapters):
            links = [
                f'<a href="{names[i - 1]}" rel="prev">← {labels[1]}</a>' if i else "<span></span>"
            ]
            links.append(f'<a href="index.html">{labels[0]}</a>')
            if i + 1 < len(r.chapters):
                links.append(f'<a href="{names[i + 1]}" rel="next">{labels[2]} →</a>')
            else:
                links.append("<span></span>")
            nav = f'<nav class="chapter-nav">{"".join(links)}</nav>'
            body = f'<main><section class="chapter">\n{ch.body}\n</section></main>\n{nav}'
            written.append(write_text(root / names[i], _page(lang, ch.title or title, body, style)))
        return written

    @staticmethod
    def _lang(book: Book) -> tuple[str, tuple[str, ...]]:
        lang = lang_tag(book.meta.lang)
        w = _a11y.words(lang)
        return lang, (w["contents"], w["previous"], w["next"], w["page"])
