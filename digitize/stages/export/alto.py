"""ALTO v4 XML: the layout and text of every page, as library digitisation programmes store it.

One file for the book (ALTO's Layout holds a Page per scanned page). Coordinates are
page-image pixels (MeasurementUnit pixel), word confidence WC is 0..1. Running headers, footers
and page numbers go in TopMargin / BottomMargin so the PrintSpace holds the body text only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from digitize.fileio import write_text
from digitize.model import FURNITURE_KINDS, BBox, Block, Book, Page
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export._ocr import ibox, lines_of, text_blocks
from digitize.stages.export._render import esc

NS = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA = "http://www.loc.gov/alto/v4/alto-4-2.xsd"


@dataclass(frozen=True, slots=True)
class AltoOptions:
    margins: bool = opt(True, "put headers, footers and page numbers in Top/BottomMargin")


class AltoExporter(Exporter):
    name: ClassVar[str] = "export.alto"
    version: ClassVar[str] = "1"
    suffix: ClassVar[str] = ".alto.xml"
    Options: ClassVar[type] = AltoOptions
    summary: ClassVar[str] = "ALTO v4 XML: page layout, words, boxes and confidences"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        opts: AltoOptions = self.options
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<alto xmlns="{NS}" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            f' xsi:schemaLocation="{NS} {SCHEMA}">',
            "<Description>",
            "<MeasurementUnit>pixel</MeasurementUnit>",
            "<sourceImageInformation>",
            f"<fileName>{esc(book.meta.source or book.meta.title)}</fileName>",
            "</sourceImageInformation>",
            '<OCRProcessing ID="OCR_0"><ocrProcessingStep><processingSoftware>',
            "<softwareName>digitize</softwareName>",
            "</processingSoftware></ocrProcessingStep></OCRProcessing>",
            "</Description>",
            "<Layout>",
        ]
        for n, page in enumerate(book.pages, 1):
            out.extend(_page(page, n, opts.margins))
        out += ["</Layout>", "</alto>", ""]
        path = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        return [write_text(path, "\n".join(out))]


def _pos(b: BBox) -> str:
    x0, y0, x1, y1 = ibox(b.x0, b.y0, b.x1, b.y1)
    return f'HPOS="{x0}" VPOS="{y0}" WIDTH="{x1 - x0}" HEIGHT="{y1 - y0}"'


def _page(page: Page, n: int, margins: bool) -> list[str]:
    w, h = max(1, page.size[0]), max(1, page.size[1])
    printed = f' PRINTED_IMG_NR="{esc(page.label)}"' if page.label else ""
    out = [f'<Page ID="P{n}" PHYSICAL_IMG_NR="{n}"{printed} WIDTH="{w}" HEIGHT="{h}">']
    top: list[Block] = []
    bottom: list[Block] = []
    body: list[Block] = []
    for block in text_blocks(page):
        if margins and block.kind in FURNITURE_KINDS:
            low = block.kind == "footer" or (block.kind != "header" and block.bbox.cy > h / 2)
            (bottom if low else top).append(block)
        else:
            body.append(block)
    ids = iter(range(1, 1_000_000))
    # ALTO's order inside Page: TopMargin, LeftMargin, RightMargin, BottomMargin, PrintSpace.
    for tag, blocks in (("TopMargin", top), ("BottomMargin", bottom)):
        if blocks:
            box = BBox.enclosing([b.bbox for b in blocks])
            out.append(f'<{tag} ID="P{n}_{tag}" {_pos(box)}>')
            out += [line for b in blocks for line in _block(b, f"P{n}_B{next(ids)}")]
            out.append(f"</{tag}>")
    space = BBox.enclosing([b.bbox for b in body]) if body else BBox(0, 0, w, h)
    out.append(f'<PrintSpace ID="P{n}_PS" {_pos(space)}>')
    out += [line for b in body for line in _block(b, f"P{n}_B{next(ids)}")]
    out += ["</PrintSpace>", "</Page>"]
    return out


def _block(block: Block, bid: str) -> list[str]:
    out = [f'<TextBlock ID="{bid}" {_pos(block.bbox)}>']
    for li, (line, words) in enumerate(lines_of(block), 1):
        lid = f"{bid}_L{li}"
        out.append(f'<TextLine ID="{lid}" {_pos(line.bbox)}>')
        prev = None
        for wi, (word, text) in enumerate(words, 1):
            if prev is not None:
                gap = max(0, round(word.bbox.x0 - prev.x1))
                out.append(f'<SP WIDTH="{gap}" HPOS="{round(prev.x1)}" VPOS="{round(prev.y0)}"/>')
            out.append(
                f'<String ID="{lid}_W{wi}" CONTENT="{esc(text)}" {_pos(word.bbox)}'
                f' WC="{_wc(word.conf)}"/>'
            )
            prev = word.bbox
        out.append("</TextLine>")
    out.append("</TextBlock>")
    return out


def _wc(conf: float) -> str:
    """Confidence clamped to ALTO's 0..1 (an edited book.json may hold anything)."""
    return f"{min(1.0, max(0.0, conf)) if conf == conf else 0.0:.3f}".rstrip("0").rstrip(".")
