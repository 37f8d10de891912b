"""EPUB 3 exporter: one XHTML per chapter, nav with nested TOC, landmarks and page-list.

The OCF zip is written directly (not with ebooklib): ebooklib drops chapter `<head>`s, builds
its page-list from every element with an id, writes empty `<ol/>`s, stamps local time as UTC,
reuses one id for all authors and reports failure by returning False. Writing the package
ourselves also makes it byte-reproducible (fixed zip times, sorted entries, SOURCE_DATE_EPOCH).
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from digitize.bookjson import book_to_json
from digitize.errors import BadInput
from digitize.fileio import atomic_write
from digitize.model import Book, Figure
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export import _a11y, _media
from digitize.stages.export._render import Rendered, Renderer, clean, esc, lang_tag, nav_list

_DATE = re.compile(  # W3CDTF, which EPUBCheck expects in dc:date
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
CSS = """\
ol.marked, ul.marked { list-style: none; padding-left: 1.2em; }
body { font-family: serif; line-height: 1.5; margin: 0 1em; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.25; }
figure { margin: 1em 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; font-style: italic; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #888; padding: 0.2em 0.5em; vertical-align: top; }
.footnotes { border-top: 1px solid #888; margin-top: 2em; font-size: 0.9em; }
.cover { text-align: center; margin: 0; }
.cover img { max-width: 100%; max-height: 100vh; }
"""


@dataclass(frozen=True, slots=True)
class EpubOptions:
    cover: str | None = opt(None, "cover image file; default: the first page's image")
    auto_cover: bool = opt(True, "use the first page's image as cover when no cover is given")


def _xhtml(lang: str, title: str, body: str, css: bool = True) -> str:
    link = '<link rel="stylesheet" type="text/css" href="style.css"/>' if css else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{lang}" xml:lang="{lang}">\n<head>\n<meta charset="UTF-8"/>\n'
        f"<title>{esc(title)}</title>\n{link}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


class EpubExporter(Exporter[EpubOptions]):
    name: ClassVar[str] = "export.epub"
    version: ClassVar[str] = "5"
    Options: ClassVar[type] = EpubOptions
    suffix: ClassVar[str] = ".epub"
    summary: ClassVar[str] = "EPUB 3 with nav, page-list, figures, footnotes, a11y metadata"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        files: dict[str, bytes] = {}
        manifest: list[tuple[str, str, str, str]] = []  # id, href, media type, properties
        images: dict[str, str] = {}

        def image_src(fig: Figure) -> str | None:
            img = _media.figure_image(book, fig.image)
            if img is None:
                return None
            data, suffix, mtype = img
            name = "images/" + _media.content_name(data, suffix)
            if name not in files:
                files[name] = data
                manifest.append((f"img-{name[7:23]}", name, mtype, ""))
            images[fig.image] = name
            return name

        r = Renderer(book, xhtml=True, image_src=image_src).render()
        lang = lang_tag(book.meta.lang)
        w = _a11y.words(lang)
        labels = (w["contents"], w["landmarks"], w["pages"], w["start"], w["cover"])
        title_raw = clean(book.meta.title).strip() or "Untitled"
        title = esc(title_raw)

        spine: list[tuple[str, bool]] = []
        cover_href = self._cover(book, files, manifest)
        if cover_href:
            img = f'<img src="{cover_href}" alt="{labels[4]}"/>'
            body = f'<section class="cover" epub:type="cover">{img}</section>'
            files["cover.xhtml"] = _xhtml(lang, labels[4], body).encode()
            manifest.append(("cover", "cover.xhtml", "application/xhtml+xml", ""))
            spine.append(("cover", True))

        spine.append(("nav", True))  # the landmarks link to it, so it must be a spine item
        chap_names = [f"chap-{i + 1:03d}.xhtml" for i in range(len(r.chapters))]
        for i, ch in enumerate(r.chapters):
            role = ' epub:type="chapter" role="doc-chapter"' if ch.title else ""
            body = f"<section{role}>\n{ch.body}\n</section>"
            files[chap_names[i]] = _xhtml(lang, ch.title or title_raw, body).encode()
            manifest.append((f"chap-{i + 1:03d}", chap_names[i], "application/xhtml+xml", ""))
            spine.append((f"chap-{i + 1:03d}", True))

        files["nav.xhtml"] = self._nav(r, chap_names, lang, labels, title, cover_href).encode()
        manifest.append(("nav", "nav.xhtml", "application/xhtml+xml", "nav"))
        files["style.css"] = CSS.encode()
        manifest.append(("css", "style.css", "text/css", ""))
        epoch = _media.build_epoch(ctx.build_time)
        files["package.opf"] = self._opf(book, r, manifest, spine, lang, title, epoch).encode()

        out = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        self._write_zip(out, files, epoch)
        return [out]

    # ---------------------------------------------------------------- parts
    def _cover(
        self, book: Book, files: dict[str, bytes], manifest: list[tuple[str, str, str, str]]
    ) -> str | None:
        if self.options.cover:
            path = Path(self.options.cover)
            try:
                data, suffix, mtype = _media.load_image(path)
            except (OSError, ValueError) as e:  # PIL's UnidentifiedImageError is an OSError
                raise BadInput(
                    f"cover image {path} cannot be read: {e}", hint="give a PNG or JPEG file"
                ) from e
        elif self.options.auto_cover and book.pages:
            page_image = _media.resolve_in_work_dir(book, book.pages[0].image)
            if page_image is None:
                return None
            try:
                data, suffix, mtype = _media.cover_jpeg(page_image), ".jpg", "image/jpeg"
            except (OSError, ValueError):
                return None  # an unreadable page image: no cover rather than no book
        else:
            return None
        href = f"images/cover{suffix}"
        files[href] = data
        manifest.append(("cover-image", href, mtype, "cover-image"))
        return href

    def _nav(
        self,
        r: Rendered,
        chap_names: list[str],
        lang: str,
        labels: tuple[str, ...],
        title: str,
        cover_href: str | None,
    ) -> str:
        toc = nav_list(r.toc, lambda e: f"{chap_names[e.chapter]}#{e.anchor}")
        if not toc:  # a book without headings still needs one TOC entry
            toc = f'<ol><li><a href="{chap_names[0]}">{title}</a></li></ol>'
        parts = [
            f'<nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc-title">'
            f'<h1 id="toc-title">{labels[0]}</h1>\n{toc}\n</nav>'
        ]
        marks = [f'<li><a epub:type="toc" href="nav.xhtml#toc">{labels[0]}</a></li>']
        if cover_href:
            marks.insert(0, f'<li><a epub:type="cover" href="cover.xhtml">{labels[4]}</a></li>')
        marks.append(f'<li><a epub:type="bodymatter" href="{chap_names[0]}">{labels[3]}</a></li>')
        parts.append(
            f'<nav epub:type="landmarks" id="landmarks" hidden="hidden"><h2>{labels[1]}</h2>'
            f"<ol>{''.join(marks)}</ol></nav>"
        )
        if r.pages:
            lis = "".join(
                f'<li><a href="{chap_names[p.chapter]}#{p.anchor}">{esc(p.label)}</a></li>'
                for p in r.pages
            )
            parts.append(
                f'<nav epub:type="page-list" id="page-list" hidden="hidden"><h2>{labels[2]}</h2>'
                f"<ol>{lis}</ol></nav>"
            )
        return _xhtml(lang, labels[0], "\n".join(parts))

    def _opf(
        self,
        book: Book,
        r: Rendered,
        manifest: list[tuple[str, str, str, str]],
        spine: list[tuple[str, bool]],
        lang: str,
        title: str,
        epoch: int | None,
    ) -> str:
        m = book.meta
        ident = esc(m.identifier).strip() or _content_uuid(book)
        md = [
            f'<dc:identifier id="pub-id">{ident}</dc:identifier>',
            f"<dc:title>{title}</dc:title>",
            f"<dc:language>{lang}</dc:language>",
        ]
        for i, author in enumerate(a for a in m.authors if esc(a).strip()):
            md.append(f'<dc:creator id="creator-{i + 1}">{esc(author).strip()}</dc:creator>')
            md.append(
                f'<meta refines="#creator-{i + 1}" property="role" scheme="marc:relators">'
                "aut</meta>"
            )
        # The printed book the pagination comes from: what the user said (book.toml `source`,
        # `isbn`), else its title; never the scan's file name.
        isbn = clean(m.isbn).strip()
        source = esc(m.source).strip() or (esc(f"urn:isbn:{isbn}") if isbn else "")
        if source or r.pages:
            md.append(f'<dc:source id="src">{source or title}</dc:source>')
            if r.pages:
                md.append('<meta refines="#src" property="source-of">pagination</meta>')
        if _DATE.match(m.date.strip()):
            md.append(f"<dc:date>{m.date.strip()}</dc:date>")
        if esc(m.publisher).strip():
            md.append(f"<dc:publisher>{esc(m.publisher).strip()}</dc:publisher>")
        if esc(m.description).strip():
            md.append(f"<dc:description>{esc(m.description).strip()}</dc:description>")
        md.append(f'<meta property="dcterms:modified">{_media.modified_utc(epoch)}</meta>')
        md += _a11y.epub_metadata(r.figures, r.undescribed, bool(r.pages), r.notes > 0)
        if any(p == "cover-image" for _, _, _, p in manifest):
            md.append('<meta name="cover" content="cover-image"/>')
        items = "\n".join(
            f'<item id="{i}" href="{h}" media-type="{t}"'
            + (f' properties="{p}"' if p else "")
            + "/>"
            for i, h, t, p in sorted(manifest, key=lambda x: x[1])
        )
        refs = "\n".join(
            f'<itemref idref="{i}"' + ("" if linear else ' linear="no"') + "/>"
            for i, linear in spine
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            f'unique-identifier="pub-id" xml:lang="{lang}">\n'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            + "\n".join(md)
            + f"\n</metadata>\n<manifest>\n{items}\n</manifest>\n<spine>\n{refs}\n</spine>\n"
            "</package>\n"
        )

    @staticmethod
    def _write_zip(out: Path, files: dict[str, bytes], epoch: int | None) -> None:
        container = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
            '<rootfiles><rootfile full-path="EPUB/package.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles>\n</container>\n'
        )
        entries = [("mimetype", b"application/epub+zip")]
        entries.append(("META-INF/container.xml", container.encode()))
        entries += [(f"EPUB/{name}", data) for name, data in sorted(files.items())]
        stamp = _media.zip_timestamp(epoch)
        with atomic_write(out, "wb") as f, zipfile.ZipFile(f, "w") as z:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                if name == "mimetype":
                    info.compress_type = zipfile.ZIP_STORED
                    z.writestr(info, data)
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, data, compresslevel=9)


def _content_uuid(book: Book) -> str:
    """A stable urn:uuid from the book's content, so re-exports keep their identity."""
    digest = hashlib.sha256(book_to_json(book.__class__(book.meta, (), book.flow)).encode())
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digitize:' + digest.hexdigest())}"
