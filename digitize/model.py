"""The document model that flows through every stage.

Plain frozen dataclasses: picklable (they cross process boundaries in the runner's pool) and
with a lossless JSON round trip (`digitize.bookjson`: the page cache, `book.json` checkpoints
and golden tests use it).
All text is Unicode NFC; constructors do not normalise, the stages that produce text do
(see `nfc`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import ClassVar, Literal, get_args

BlockKind = Literal[
    "paragraph",
    "heading",
    "caption",
    "figure",
    "table",
    "list_item",
    "footnote",
    "header",
    "footer",
    "page_number",
    "aside",
    "formula",
]
BLOCK_KINDS: tuple[str, ...] = get_args(BlockKind)
# Kinds a reader never sees in the body text: they are page furniture.
FURNITURE_KINDS = frozenset({"header", "footer", "page_number"})


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC: OCR emits Vietnamese diacritics in mixed forms."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class BBox:
    """A rectangle in page-image pixels, top-left origin, x1/y1 exclusive."""

    #: Left edge, in pixels from the left of the page image.
    x0: float
    #: Top edge, in pixels from the top of the page image.
    y0: float
    #: Right edge (exclusive).
    x1: float
    #: Bottom edge (exclusive).
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def overlaps(self, other: BBox) -> bool:
        """Whether the two boxes share some area (touching edges do not)."""
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def union(self, other: BBox) -> BBox:
        return BBox(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    @staticmethod
    def enclosing(boxes: list[BBox] | tuple[BBox, ...]) -> BBox:
        """The smallest box holding all `boxes` (which must not be empty)."""
        if len(boxes) == 1:
            return boxes[0]
        return BBox(
            min(b.x0 for b in boxes),
            min(b.y0 for b in boxes),
            max(b.x1 for b in boxes),
            max(b.y1 for b in boxes),
        )


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word, as the OCR engine (or a PDF's text layer) gave it."""

    #: The word, NFC; untrusted (clean it with `digitize.text.clean_text` before writing it).
    text: str
    #: Where the word is on the page image.
    bbox: BBox
    #: The engine's confidence in 0..1 (1.0 for a born-digital text layer).
    conf: float = 1.0


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line of a block: its words in reading order."""

    #: The words, left to right (in reading order).
    words: tuple[Word, ...]
    #: The box around all the words.
    bbox: BBox

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class Block:
    """A region of a page, as layout stages classify it (page-faithful exporters read these)."""

    #: One of `BLOCK_KINDS`: paragraph, heading, caption, figure, table, list_item, footnote,
    #: header, footer, page_number (the last three are page furniture, see `FURNITURE_KINDS`),
    #: aside (the text of a framed box), formula (a display formula: kept as a picture, its
    #: lines' text the alt text).
    kind: str
    #: The block's lines, top to bottom.
    lines: tuple[Line, ...]
    #: The box around the block.
    bbox: BBox
    #: Heading level for headings (1 = chapter, 2 = section, ...); None for other kinds.
    level: int | None = None
    #: True when a person set this block's kind (`digitize proof`): layout heuristics must not
    #: second-guess it.
    confirmed: bool = False
    #: A figure's picture, already cropped (a path in the work dir), when the page has no image
    #: to crop it from (a born-digital page: ingest renders its pictures); None otherwise.
    image: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line.words)


@dataclass(frozen=True, slots=True)
class Step:
    """Which stage touched a page: part of its provenance in the report. Written by the
    engine, never by stages."""

    #: The stage's name, e.g. "ocr.tesseract".
    name: str
    #: The stage's version (part of the cache key).
    version: str
    #: A digest of the stage's options for this run.
    options_digest: str
    #: CPU seconds the stage took on this page, in the run that made the result.
    cpu_seconds: float = field(default=0.0, compare=False)
    #: What the stage decided on this page and why, when it said (a cleanup stage that
    #: skipped a page that needed nothing: "skipped: speckle 0.02/cm2").
    note: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the book.

    `index` is 0-based in book order; `label` is the printed page number once layout found it
    (used for the EPUB page-list and citations). `image` is a path to the page image in the run's
    work dir (never pixels: pages cross process boundaries), or None for a born-digital page
    whose text came from the PDF's text layer. `size` is (width, height) in image pixels.
    """

    #: 0-based position in the book.
    index: int
    #: (width, height) of the page image in pixels.
    size: tuple[int, int]
    #: Resolution of the page image, dots per inch.
    dpi: int
    #: Path of the page image, relative to the book's work dir; None for a born-digital page.
    image: str | None = None
    #: The printed page number ("iv", "12"), once layout found it; None if none was printed.
    label: str | None = None
    #: The page's regions, in reading order.
    blocks: tuple[Block, ...] = ()
    #: Skew corrected by preprocessing, in degrees.
    skew: float = 0.0
    #: Rotation applied by preprocessing, in degrees (0, 90, 180, 270).
    rotation: int = 0
    #: Where the text came from: "scan" (OCR) or "textlayer" (a born-digital PDF).
    source: str = "scan"
    #: The stages that touched the page (written by the engine).
    steps: tuple[Step, ...] = ()
    #: Warnings about this page, shown in the report.
    warnings: tuple[str, ...] = ()
    #: Why the page failed, when the run's on_error policy skipped it; None for a good page.
    failed: str | None = None
    #: The page image before preprocess.binarize (same geometry as `image`): figures are
    #: cropped from it, since a binarised photo is useless. None when the page was not binarised.
    unbinarized: str | None = None
    #: (width, height) of the source page in points (1/72 in), as ingest found it: preprocessing
    #: crops, pads and turns the image, but the searchable PDF keeps the printed page's size.
    print_size: tuple[float, float] | None = None
    #: Boxes of text-like ink that OCR did not read, even when asked again line by line (the
    #: coverage check of ocr.tesseract): text the book may be missing. The report draws them and
    #: flags the page for review.
    gaps: tuple[BBox, ...] = ()

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for b in self.blocks for w in b.words)

    def with_step(self, step: Step) -> Page:
        """The page with `step` recorded as the stage that touched it last (once)."""
        if self.steps and self.steps[-1].name == step.name:
            return self
        return replace(self, steps=(*self.steps, step))

    @property
    def mean_conf(self) -> float | None:
        ws = [w for w in self.words if w.text.strip()]
        return sum(w.conf for w in ws) / len(ws) if ws else None


# ---------------------------------------------------------------- the reading-order flow


@dataclass(frozen=True, slots=True)
class PageBreak:
    """The start of a printed page in the reading flow (EPUB page-list, citations)."""

    kind: ClassVar[str] = "page_break"
    #: 0-based index of the page that starts here (`Page.index`).
    index: int
    #: Its printed page number, if any (else readers show `index + 1`).
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of the book's outline: chapters are level 1, their sections 2, and so on."""

    kind: ClassVar[str] = "heading"
    #: The heading text, NFC, untrusted.
    text: str
    #: Outline level, 1 = chapter; levels may skip (1 then 3).
    level: int = 1
    #: BCP 47 language when it differs from the book's (`BookMeta.lang`), else None.
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph joined across lines, columns and pages.

    `breaks` are page breaks that fall inside the paragraph: (character offset in `text`,
    page index, label), so the EPUB page-list can point into the middle of a paragraph.
    """

    kind: ClassVar[str] = "paragraph"
    #: The paragraph text on one line (hyphenation joined), NFC, untrusted.
    text: str
    #: Page breaks inside the paragraph: (character offset in `text`, page index, label).
    breaks: tuple[tuple[int, int, str | None], ...] = ()
    #: BCP 47 language when it differs from the book's, else None.
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture, diagram or other non-text region, cropped from the page."""

    kind: ClassVar[str] = "figure"
    #: Path of the cropped image, relative to `Book.work_dir`.
    image: str
    #: Its caption ("Hình 1. ..."), or "".
    caption: str = ""
    #: Width of the image in pixels (0 if unknown).
    width: int = 0
    #: Height of the image in pixels (0 if unknown).
    height: int = 0
    #: What the picture is: "" (a figure) or "formula" (a display formula OCR cannot read as
    #: text; exporters mark it as maths).
    role: str = ""
    #: Its recognised text, the image's alt text when set ("" for a figure: see its caption).
    alt: str = ""


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A list; items keep their printed markers ("a)", "1.", "•") exactly as on the page."""

    kind: ClassVar[str] = "list"
    #: The items' text, each with its printed marker, NFC, untrusted.
    items: tuple[str, ...]
    #: True for a numbered list ("1.", "a)"), False for bullets.
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table: rows of cell texts, the first row as printed (often the header)."""

    kind: ClassVar[str] = "table"
    #: Rows of cell texts, top to bottom; rows may differ in length. NFC, untrusted.
    rows: tuple[tuple[str, ...], ...]
    #: Its caption ("Bảng 1. ..."), or "".
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote body; `mark` is the reference mark found in the text (e.g. "1", "*")."""

    kind: ClassVar[str] = "footnote"
    #: The mark that refers to it from the text.
    mark: str
    #: The footnote's text, NFC, untrusted.
    text: str


@dataclass(frozen=True, slots=True)
class Aside:
    """A boxed note or sidebar ("Ghi nhớ", "Em có biết?"): printed in a frame beside or between
    the running text, read apart from it (EPUB/HTML `aside`)."""

    kind: ClassVar[str] = "aside"
    #: The box's text (lines joined), NFC, untrusted.
    text: str
    #: Its title line ("Ghi nhớ"), or "".
    title: str = ""


FlowItem = PageBreak | Heading | Paragraph | Figure | ListBlock | Table | Footnote | Aside
FLOW_TYPES: dict[str, type] = {
    t.kind: t for t in (PageBreak, Heading, Paragraph, Figure, ListBlock, Table, Footnote, Aside)
}


@dataclass(frozen=True, slots=True)
class BookMeta:
    """The book's metadata: from `book.toml` (same keys), `--title`/`--author`, or the input.
    `lang` is decided by the engine from the text unless the user gave it; `source`, `isbn` and
    `date` describe the printed book as the user gave them, never guessed; `file` is set by the
    engine."""

    #: The title (EPUB dc:title, HTML <title>).
    title: str = "Untitled"
    #: Authors, in order (EPUB dc:creator).
    authors: tuple[str, ...] = ()
    #: Main language of the text, BCP 47 ("vi", "en").
    lang: str = "vi"
    #: A unique identifier: ISBN, URN or URL (EPUB dc:identifier; made from the content if "").
    identifier: str = ""
    #: Where the printed book comes from (a library, a collection), as the user gave it (dc:source).
    source: str = ""
    #: Publication date or year, as the user gave it ("2024", "2024-09-01"); never guessed.
    date: str = ""
    #: The publisher.
    publisher: str = ""
    #: A short description (EPUB dc:description).
    description: str = ""
    #: The printed book's ISBN, as the user gave it.
    isbn: str = ""
    #: The input's file name, set by the engine: outputs are named after it (`naming.book_stem`).
    file: str = ""


@dataclass(frozen=True, slots=True)
class Correction:
    """One proofreading edit (`digitize proof`), kept in book.json: who changed what, when.

    It names its block by position *and* by what the block said and where it stood before the
    edit (`anchor`, `box`), so it can be applied again to a re-conversion of the same book in
    which the block is still found. `op`: word (line/word positions, new text in `value`), text
    (the block's new text), kind (new kind in `value`, heading `level`), join (with the next
    block), split (`line` starts the new block), reviewed (the page; block is -1).
    """

    #: What the edit does: word, text, kind, join, split or reviewed (see above).
    op: str
    #: The page's `Page.index`.
    page: int
    #: Position of the block on the page when the edit was made (-1: the page itself).
    block: int = -1
    #: The block's text before the edit.
    anchor: str = ""
    #: The block's bbox (x0, y0, x1, y1) before the edit.
    box: tuple[float, float, float, float] | None = None
    #: The new text (word, text) or kind (kind).
    value: str = ""
    #: The new heading level (kind).
    level: int | None = None
    #: Line position in the block (word, split), else -1.
    line: int = -1
    #: Word position in the line (word), else -1.
    word: int = -1
    #: Who made the edit.
    who: str = ""
    #: When, ISO 8601, UTC.
    when: str = ""


@dataclass(frozen=True, slots=True)
class Book:
    """A whole book: what a book stage changes and what an exporter receives.

    Reading exporters (EPUB, HTML, text) write `flow` and `meta`; page-faithful exporters
    (searchable PDF, hOCR, ALTO) read `pages` too."""

    #: Title, authors, language, ...
    meta: BookMeta
    #: Every page, in book order.
    pages: tuple[Page, ...] = ()
    #: The reading-order document: PageBreak, Heading, Paragraph, Figure, ListBlock, Table
    #: and Footnote items (each has a `kind`); see `FlowItem`.
    flow: tuple[FlowItem, ...] = field(default=())
    #: Folder where page images and figure crops live (their paths are relative to it).
    work_dir: str = ""
    #: Proofreading edits (`digitize proof`), oldest first.
    corrections: tuple[Correction, ...] = ()

    def with_pages(self, pages: tuple[Page, ...] | list[Page]) -> Book:
        return replace(self, pages=tuple(pages))
