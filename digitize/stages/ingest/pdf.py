"""`ingest.pdf`: a PDF → Book, page by page, text layer or raster.

A page with a usable text layer (born-digital) becomes words straight from the PDF, in pixel
coordinates at `ctx.render_dpi`, with no image: that is orders of magnitude faster than OCR and
exact. Its pictures (image and Form XObjects, inline images) are cropped into figure blocks. A
text layer is used however short it is, when it is accurate (see `text_layer_verdict`). Every other page is rasterised to `pages/p0001-<hash>.png` in the work dir for the OCR
stage. A scanned PDF that already carries an invisible OCR layer (text render mode 3, e.g.
from OCRmyPDF/ABBYY) is re-OCRed by default (`existing_ocr = "redo"`): that layer is of unknown
quality, often without Vietnamese diacritics; `"use"` takes it as is.

Damage is never silent: a file MuPDF had to repair, or a page MuPDF warned about, gets a
warning on the affected pages; a page that cannot be read at all gets `Page.failed`.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

from digitize.errors import BadInput, MissingDependency, OutputNotWritable
from digitize.fileio import file_sha256, write_bytes
from digitize.images import encode_png
from digitize.model import Book, BookMeta, Page, nfc
from digitize.stage import Context, Ingester, opt
from digitize.stages.ingest import _common, _textsize
from digitize.stages.ingest._pdfpictures import picture_blocks, picture_rects
from digitize.stages.ingest._pdftext import page_words, text_layer_blocks, text_layer_verdict

RENDER_VERSION = "1"  # bump when the rendering of an unchanged page changes


@dataclass(frozen=True, slots=True)
class PdfOptions:
    existing_ocr: Literal["use", "redo"] = opt(
        "redo", "an invisible OCR text layer (scanned PDF): redo the OCR, or use that layer"
    )
    text_layer: bool = opt(True, "use born-digital text layers (false: rasterise every page)")
    colorspace: Literal["gray", "rgb"] = opt("gray", "colour of rasterised pages")
    renderer: Literal["pymupdf", "pdf2image"] = opt(
        "pymupdf", "rasteriser: pymupdf (in-process, fast) or pdf2image (poppler's pdftoppm)"
    )
    dpi_from_image: bool = opt(
        False, "a page that is one scanned image: render at the image's own resolution"
    )
    fit_text_size: bool = opt(
        True,
        "pages larger than 17 inches: render at the dpi that puts their text at an OCR-friendly "
        "x-height (~25 px), measured on a preview",
    )
    max_megapixels: float = opt(
        80.0,
        "a page larger than this at the render dpi is rendered at a lower dpi (a warning); "
        "under Pillow's 89-megapixel bomb warning, which later stages would hit",
    )


class PdfIngester(Ingester[PdfOptions]):
    name: ClassVar[str] = "ingest.pdf"
    version: ClassVar[str] = "4"
    Options: ClassVar[type] = PdfOptions
    summary: ClassVar[str] = "PDF → pages: born-digital text layer, or page images for OCR"
    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)

    def check(self, ctx: Context) -> None:
        if self.options.renderer == "pdf2image" and shutil.which("pdftoppm") is None:
            raise MissingDependency(
                "renderer 'pdf2image' needs poppler's pdftoppm, which was not found",
                hint="apt-get install poppler-utils (or set renderer = 'pymupdf')",
            )

    def ingest(self, src: Path, ctx: Context) -> Book:
        import pymupdf

        src = Path(src)
        _sniff(src)
        try:
            with _quiet_mupdf():
                return self._ingest(src, ctx)
        finally:
            pymupdf.TOOLS.store_shrink(100)  # decoded scans cached by MuPDF: not needed again

    def _ingest(self, src: Path, ctx: Context) -> Book:
        import pymupdf

        pymupdf.TOOLS.mupdf_warnings(reset=True)
        try:
            doc = pymupdf.open(src, filetype="pdf")
        except Exception as e:
            raise BadInput(f"{src.name}: not a readable PDF ({_short(e)})") from e
        with doc:
            if doc.needs_pass:
                raise BadInput(
                    f"{src.name}: the PDF is encrypted with a user password; cannot open it",
                    hint="decrypt it first, e.g. qpdf --password=... --decrypt in.pdf out.pdf",
                )
            open_warnings = _mupdf_warnings()
            try:
                count = doc.page_count
            except Exception as e:  # a damaged page tree MuPDF could not repair
                raise BadInput(
                    f"{src.name}: the PDF's page tree is unreadable ({_short(e)})"
                ) from e
            if count == 0:
                raise BadInput(f"{src.name}: the PDF has no pages")
            doc_warnings: tuple[str, ...] = ()
            if doc.is_repaired:
                doc_warnings = (
                    "the PDF was damaged (broken xref/truncated) and repaired by MuPDF; "
                    "check this page against the original"
                    + (f": {open_warnings}" if open_warnings else ""),
                )
            digest = file_sha256(src)
            pages = [self._page(doc, i, src, digest, ctx, doc_warnings) for i in range(count)]
            try:
                meta = _meta(doc, src, digest, ctx)
            except Exception:  # damaged metadata must not lose the pages
                meta = BookMeta(
                    title=src.stem,
                    lang=_common.meta_lang(ctx.lang),
                    identifier=f"urn:sha256:{digest}",
                    source=src.name,
                )
        return Book(meta=meta, pages=tuple(pages), work_dir=str(ctx.work_dir))

    # ------------------------------------------------------------ one page

    def _page(
        self, doc: Any, i: int, src: Path, digest: str, ctx: Context, warn: tuple[str, ...]
    ) -> Page:
        dpi = ctx.render_dpi
        size = (0, 0)
        try:
            page = doc.load_page(i)
            label = page.get_label() or None
            size = _pixel_size(page, dpi)
            pictures = picture_rects(page)
            words = self._text_layer_words(page, pictures)
            if words is not None:
                blocks = text_layer_blocks(page, words, dpi)
                blocks += picture_blocks(page, pictures, dpi, ctx.work_dir)
                result = Page(
                    index=i, size=size, dpi=dpi, label=label, blocks=blocks, source="textlayer"
                )
            else:
                if self.options.dpi_from_image:
                    dpi = _native_dpi(page) or dpi
                dpi, sized = self._text_dpi(page, dpi)
                dpi, big = _capped_dpi(page, dpi, self.options.max_megapixels)
                big = (*sized, *big)
                if ctx.defer_images:  # the runner's workers render it (prepare_page)
                    rel, size = self._image_name(i, digest, dpi), _pixel_size(page, dpi)
                else:
                    rel, size = self._render(page, src, i, digest, dpi, ctx)
                result = Page(index=i, size=size, dpi=dpi, image=rel, label=label, warnings=big)
            result = replace(
                result, print_size=(round(page.rect.width, 2), round(page.rect.height, 2))
            )
        except (OutputNotWritable, MissingDependency):
            raise
        except Exception as e:  # one bad page must not lose the book: the runner decides
            msgs = _mupdf_warnings()
            reason = f"{src.name} page {i + 1}: cannot be read ({_short(e)})"
            return Page(index=i, size=size, dpi=dpi, failed=reason, warnings=_w(warn, msgs))
        msgs = _mupdf_warnings()
        if warn or msgs:
            result = replace(result, warnings=_w((*warn, *result.warnings), msgs))
        return result

    def _text_dpi(self, page: Any, dpi: int) -> tuple[int, tuple[str, ...]]:
        """A large page's dpi lowered so its text lands at an OCR-friendly size (a note)."""
        if not self.options.fit_text_size:
            return dpi, ()
        best, xh = _textsize.text_dpi(page, dpi)
        if best == dpi or xh is None:
            return dpi, ()
        return best, (
            f"large page: letters too large for OCR at {dpi} dpi; rendered at {best} dpi "
            f"(x-height about {xh:.0f} px)",
        )

    def _text_layer_words(
        self, page: Any, pictures: list[Any] | None = None
    ) -> list[tuple[Any, ...]] | None:
        """The page's words when its text layer is used; None when the page is rasterised.
        `pictures`: the page's picture regions, when the caller has them (`picture_rects`)."""
        if not self.options.text_layer:
            return None
        words = page_words(page)
        verdict = text_layer_verdict(page, words, pictures)
        use = self.options.text_layer and (
            verdict == "text" or (verdict == "ocr" and self.options.existing_ocr == "use")
        )
        return words if use else None

    def likely_needs_ocr(self, src: Path) -> bool:
        """The first, middle and last pages decide (a few ms). An unreadable PDF says no: ingest
        is about to reject it."""
        import pymupdf

        try:
            with _quiet_mupdf(), pymupdf.open(src, filetype="pdf") as doc:
                if doc.needs_pass or doc.page_count == 0:
                    return False
                n = doc.page_count
                picks = sorted({0, n // 2, n - 1})
                return any(self._text_layer_words(doc.load_page(i)) is None for i in picks)
        except Exception:
            return False

    def prepare_page(self, src: Path, page: Page, ctx: Context) -> Page:
        """Render the image `ingest` deferred, in a worker: rasterising runs in parallel with
        the OCR of other pages instead of before all of it. MuPDF's pixels are handed to the
        page chain in memory (preprocessing usually replaces them, so they are seldom even
        written); poppler's PNG is written as it comes."""
        if page.image is None or page.failed:
            return page
        if self.options.renderer == "pdf2image":
            gray = self.options.colorspace == "gray"
            data, size = _render_poppler(src, page.index, page.dpi, gray)
            # A cache file (re-rendered when missing): the rename keeps it whole, fsync is moot.
            write_bytes(ctx.image_path(page), data, durable=False)
        else:
            a = self._render_pixels(src, page)
            ctx.put_image(page.image, a, page.dpi)
            size = (a.shape[1], a.shape[0])
        return page if size == page.size else replace(page, size=size)

    def _render_pixels(self, src: Path, page: Page) -> Any:
        """The page rendered by MuPDF as an array (grey or BGR)."""
        import pymupdf

        # A worker never prints: ingest kept MuPDF's messages as page warnings.
        with _quiet_mupdf(), pymupdf.open(src, filetype="pdf") as doc:
            pix = self._pixmap(doc.load_page(page.index), page.dpi)
        # MuPDF keeps decoded scans in its store (up to 256 MB) for reuse; a worker renders each
        # page once, so that only grew its memory with the book's length. Empty it.
        pymupdf.TOOLS.store_shrink(100)
        return _array(pix)

    def _image_name(self, i: int, digest: str, dpi: int) -> str:
        o = self.options
        return _common.page_image_name(i, digest, dpi, o.colorspace, o.renderer, RENDER_VERSION)

    def _render(
        self, page: Any, src: Path, i: int, digest: str, dpi: int, ctx: Context
    ) -> tuple[str, tuple[int, int]]:
        """Rasterise one page into the work dir (reusing an earlier identical render)."""
        from PIL import Image

        rel = self._image_name(i, digest, dpi)
        target = Path(ctx.work_dir) / rel
        if target.is_file():
            try:
                with Image.open(target) as im:
                    return rel, im.size
            except (OSError, Image.DecompressionBombError):
                pass  # a damaged cache file: render again
        data, size = self._rasterise(page, src, i, dpi)
        write_bytes(target, data)
        return rel, size

    def _rasterise(self, page: Any, src: Path, i: int, dpi: int) -> tuple[bytes, tuple[int, int]]:
        o = self.options
        if o.renderer == "pdf2image":
            return _render_poppler(src, i, dpi, o.colorspace == "gray")
        pix = self._pixmap(page, dpi)
        return _png(pix, dpi), (pix.width, pix.height)

    def _pixmap(self, page: Any, dpi: int) -> Any:
        import pymupdf

        cs = pymupdf.csGRAY if self.options.colorspace == "gray" else pymupdf.csRGB
        mat = pymupdf.Matrix(dpi / 72, dpi / 72)
        return page.get_pixmap(matrix=mat, colorspace=cs, alpha=False)


@contextlib.contextmanager
def _quiet_mupdf() -> Iterator[None]:
    """MuPDF must not print: its messages go into page warnings instead."""
    import pymupdf

    shown = (pymupdf.TOOLS.mupdf_display_errors(), pymupdf.TOOLS.mupdf_display_warnings())
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        yield
    finally:
        pymupdf.TOOLS.mupdf_display_errors(shown[0])
        pymupdf.TOOLS.mupdf_display_warnings(shown[1])


def _png(pix: Any, dpi: int) -> bytes:
    """Lossless PNG of a pixmap. OpenCV's encoder (`encode_png`) is ~3x faster than MuPDF's own
    PNG writer (40 vs 125 ms for an A5 page at 300 dpi: the bulk of ingest time)."""
    return encode_png(_array(pix), dpi)


def _array(pix: Any) -> Any:
    """A pixmap's pixels as OpenCV has them: grey, or BGR."""
    import cv2
    import numpy as np

    a = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
    return a[:, :, 0] if pix.n == 1 else cv2.cvtColor(a, cv2.COLOR_RGB2BGR)


def _render_poppler(src: Path, i: int, dpi: int, gray: bool) -> tuple[bytes, tuple[int, int]]:
    import io

    from pdf2image import convert_from_path

    imgs = convert_from_path(str(src), dpi=dpi, first_page=i + 1, last_page=i + 1, grayscale=gray)
    if not imgs:
        raise RuntimeError("pdftoppm produced no image")
    buf = io.BytesIO()
    imgs[0].save(buf, "PNG", compress_level=1)
    return buf.getvalue(), imgs[0].size


def _pixel_size(page: Any, dpi: int) -> tuple[int, int]:
    """The page's size in pixels at `dpi`, exactly as MuPDF sizes a pixmap of it."""
    import pymupdf

    r = (page.rect * pymupdf.Matrix(dpi / 72, dpi / 72)).irect
    return (r.width, r.height)


def _capped_dpi(page: Any, dpi: int, max_megapixels: float) -> tuple[int, tuple[str, ...]]:
    """A page whose MediaBox is huge (a poster, or a damaged/hostile file claiming 200 inches)
    would take gigabytes to rasterise and forever to OCR: lower its dpi to fit the limit."""
    w, h = _pixel_size(page, dpi)
    if w * h <= max_megapixels * 1e6:
        return dpi, ()
    lower = max(1, int(dpi * (max_megapixels * 1e6 / (w * h)) ** 0.5))
    pts = page.rect
    return lower, (
        f"page is {pts.width / 72:.0f}x{pts.height / 72:.0f} inches: rendered at {lower} dpi, "
        f"not {dpi}, to stay under {max_megapixels:g} megapixels",
    )


def _native_dpi(page: Any) -> int | None:
    """The resolution of the single image covering the page, if the page is just that."""
    infos = page.get_image_info()
    if len(infos) != 1:
        return None
    import pymupdf

    box = pymupdf.Rect(infos[0]["bbox"]) & page.rect
    if box.is_empty or box.get_area() < 0.85 * page.rect.get_area():
        return None
    long_px = max(infos[0]["width"], infos[0]["height"])
    dpi = round(long_px / (max(box.width, box.height) / 72))
    return dpi if 70 <= dpi <= 1200 else None


def _sniff(src: Path) -> None:
    """Refuse what is not a PDF by its bytes (never by its suffix)."""
    try:
        with open(src, "rb") as f:
            head = f.read(1024)
    except FileNotFoundError as e:
        raise BadInput(f"{src}: no such file") from e
    except OSError as e:
        raise BadInput(f"{src.name}: cannot read ({e.strerror or e})") from e
    if not head:
        raise BadInput(f"{src.name}: the file is empty")
    if b"%PDF-" not in head:
        raise BadInput(f"{src.name}: not a PDF (no %PDF- header)")


def _mupdf_warnings() -> str:
    import pymupdf

    text = pymupdf.TOOLS.mupdf_warnings(reset=True) or ""
    return "; ".join(dict.fromkeys(s.strip() for s in text.splitlines() if s.strip()))


def _w(base: tuple[str, ...], msgs: str) -> tuple[str, ...]:
    return (*base, f"MuPDF: {msgs}") if msgs else base


def _short(e: BaseException) -> str:
    return str(e).splitlines()[0][:200] if str(e) else type(e).__name__


def _meta(doc: Any, src: Path, digest: str, ctx: Context) -> BookMeta:
    md = doc.metadata or {}
    title = nfc((md.get("title") or "").strip()) or src.stem
    authors = tuple(nfc(a.strip()) for a in (md.get("author") or "").split(";") if a.strip())
    date = ""
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", md.get("creationDate") or "")
    if m:
        date = "-".join(g for g in m.groups() if g)
    lang = _common.meta_lang(ctx.lang)
    try:
        kind, value = doc.xref_get_key(doc.pdf_catalog(), "Lang")
        if kind == "string" and value.strip():
            lang = value.strip()
    except Exception:
        pass  # no catalog language: keep the run's
    return BookMeta(
        title=title,
        authors=authors,
        lang=lang,
        identifier=f"urn:sha256:{digest}",
        source=src.name,
        date=date,
        description=nfc((md.get("subject") or "").strip()),
    )
