"""ALTO 4.4 XML: the layout and text of every page, as library digitisation programmes store it.

One file for the book (ALTO's Layout holds a Page per scanned page). Coordinates are pixels
(MeasurementUnit pixel) of the page images written beside it in `<stem>_pages/`, listed in
`sourceImageInformation` (page-NNNN is Page PN); word confidence WC is 0..1. Running headers,
footers and page numbers go in TopMargin / BottomMargin so the PrintSpace holds the body text
and figures (Illustration). Each TextBlock has its LANG; a word split by a line-end hyphen is
two Strings with SUBS_TYPE/SUBS_CONTENT (the whole word) and a HYP between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from digitize.fileio import write_text
from digitize.model import FURNITURE_KINDS, BBox, Block, Book, Page, Word
from digitize.naming import book_stem
from digitize.stage import Context, Exporter, opt
from digitize.stages.export._ocr import (
    IMAGES_NOTE,
    block_lang,
    ibox,
    lines_of,
    ship_page_images,
    text_blocks,
)
from digitize.stages.export._render import esc, lang_tag

NS = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA = "http://www.loc.gov/alto/v4/alto-4-4.xsd"


@dataclass(frozen=True, slots=True)
class AltoOptions:
    margins: bool = opt(True, "put headers, footers and page numbers in Top/BottomMargin")
    images: bool = opt(True, "write the page images the coordinates refer to beside the file")


class AltoExporter(Exporter):
    name: ClassVar[str] = "export.alto"
    version: ClassVar[str] = "2"
    suffix: ClassVar[str] = ".alto.xml"
    Options: ClassVar[type] = AltoOptions
    summary: ClassVar[str] = "ALTO v4 XML: page layout, words, boxes and confidences"

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        opts: AltoOptions = self.options
        images, written = ship_page_images(book, out_dir) if opts.images else ({}, [])
        lang = lang_tag(book.meta.lang)
        folder = f"{book_stem(book.meta)}_pages"
        source = [f"<fileName>{esc(folder if images else book_stem(book.meta))}</fileName>"]
        source += [
            f'<fileIdentifier fileIdentifierLocation="P{n}">{esc(rel)}</fileIdentifier>'
            for n, rel in sorted(images.items())
        ]
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<alto xmlns="{NS}" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            f' xsi:schemaLocation="{NS} {SCHEMA}">',
            # A comment is not parsed: no escaping, only no "--" (the folder is a safe stem).
            f"<!-- {IMAGES_NOTE.format(folder=folder).replace('--', '- -')} -->" if images else "",
            "<Description>",
            "<MeasurementUnit>pixel</MeasurementUnit>",
            "<sourceImageInformation>",
            *source,
            "</sourceImageInformation>",
            '<OCRProcessing ID="OCR_0"><ocrProcessingStep><processingSoftware>',
            "<softwareName>digitize</softwareName>",
            "</processingSoftware></ocrProcessingStep></OCRProcessing>",
            "</Description>",
            "<Layout>",
        ]
        for n, page in enumerate(book.pages, 1):
            out.extend(_page(page, n, opts.margins, lang))
        out += ["</Layout>", "</alto>", ""]
        path = Path(out_dir) / f"{book_stem(book.meta)}{self.suffix}"
        return [write_text(path, "\n".join(line for line in out if line)), *written]


def _pos(b: BBox) -> str:
    x0, y0, x1, y1 = ibox(b.x0, b.y0, b.x1, b.y1)
    return f'HPOS="{x0}" VPOS="{y0}" WIDTH="{x1 - x0}" HEIGHT="{y1 - y0}"'


def _page(page: Page, n: int, margins: bool, lang: str) -> list[str]:
    w, h = max(1, page.size[0]), max(1, page.size[1])
    printed = f' PRINTED_IMG_NR="{esc(page.label)}"' if page.label else ""
    out = [
        f'<Page ID="P{n}" PHYSICAL_IMG_NR="{n}"{printed} WIDTH="{w}" HEIGHT="{h}" LANG="{lang}">'
    ]
    top: list[Block] = []
    bottom: list[Block] = []
    body: list[Block] = []
    for block in [*text_blocks(page), *(b for b in page.blocks if b.kind == "figure")]:
        if margins and block.kind in FURNITURE_KINDS:
            low = block.kind == "footer" or (block.kind != "header" and block.bbox.cy > h / 2)
            (bottom if low else top).append(block)
        else:
            body.append(block)
    body.sort(key=page.blocks.index)  # figures where the page has them, in reading order
    ids = iter(range(1, 1_000_000))
    # ALTO's order inside Page: TopMargin, LeftMargin, RightMargin, BottomMargin, PrintSpace.
    for tag, blocks in (("TopMargin", top), ("BottomMargin", bottom)):
        if blocks:
            box = BBox.enclosing([b.bbox for b in blocks])
            out.append(f'<{tag} ID="P{n}_{tag}" {_pos(box)}>')
            out += [line for b in blocks for line in _block(b, f"P{n}_B{next(ids)}", lang)]
            out.append(f"</{tag}>")
    space = BBox.enclosing([b.bbox for b in body]) if body else BBox(0, 0, w, h)
    out.append(f'<PrintSpace ID="P{n}_PS" {_pos(space)}>')
    out += [line for b in body for line in _block(b, f"P{n}_B{next(ids)}", lang)]
    out += ["</PrintSpace>", "</Page>"]
    return out


def _block(block: Block, bid: str, lang: str) -> list[str]:
    if block.kind == "figure":
        return [f'<Illustration ID="{bid}" TYPE="figure" {_pos(block.bbox)}/>']
    out = [f'<TextBlock ID="{bid}" {_pos(block.bbox)} LANG="{block_lang(block, lang)}">']
    lines = list(lines_of(block))
    splits = _hyphenated(lines)
    for li, (line, words) in enumerate(lines, 1):
        lid = f"{bid}_L{li}"
        out.append(f'<TextLine ID="{lid}" {_pos(line.bbox)}>')
        prev = None
        last = len(words)
        for wi, (word, text) in enumerate(words, 1):
            if prev is not None:
                gap = max(0, round(word.bbox.x0 - prev.x1))
                out.append(f'<SP WIDTH="{gap}" HPOS="{round(prev.x1)}" VPOS="{round(prev.y0)}"/>')
            subs = ""
            if wi == last and li - 1 in splits:  # first half: the hyphen leaves its text
                text = text[:-1]
                subs = f' SUBS_TYPE="HypPart1" SUBS_CONTENT="{esc(splits[li - 1])}"'
            elif wi == 1 and li - 2 in splits:
                subs = f' SUBS_TYPE="HypPart2" SUBS_CONTENT="{esc(splits[li - 2])}"'
            out.append(
                f'<String ID="{lid}_W{wi}" CONTENT="{esc(text)}" {_pos(word.bbox)}'
                f' WC="{_wc(word.conf)}"{subs}/>'
            )
            prev = word.bbox
        if li - 1 in splits:
            b = words[-1][0].bbox
            out.append(f'<HYP CONTENT="-" HPOS="{round(b.x1)}" VPOS="{round(b.y0)}"/>')
        out.append("</TextLine>")
    out.append("</TextBlock>")
    return out


def _hyphenated(lines: list[tuple[Any, list[tuple[Word, str]]]]) -> dict[int, str]:
    """{line index: the whole word} for lines that end in a word split by a hyphen: a line's
    last word ends in letter + `-` and the next line of the block starts with a lower-case
    letter (`Domestica-` / `tion`). A compound broken at its own hyphen (`well-` / `known`)
    looks the same; the whole word then reads `wellknown`, as most OCR pipelines write it."""
    out: dict[int, str] = {}
    for i in range(len(lines) - 1):
        head = lines[i][1][-1][1]
        tail = lines[i + 1][1][0][1]
        if (
            len(head) > 2
            and head.endswith("-")
            and head[-2].isalpha()
            and tail[:1].islower()
            and (i - 1 not in out or len(lines[i][1]) > 1)  # a one-word line is not two halves
        ):
            out[i] = head[:-1] + tail.rstrip(".,;:!?)]»”’\"'")
    return out


def _wc(conf: float) -> str:
    """Confidence clamped to ALTO's 0..1 (an edited book.json may hold anything)."""
    return f"{min(1.0, max(0.0, conf)) if conf == conf else 0.0:.3f}".rstrip("0").rstrip(".")
