"""The document model that flows through every stage.

Plain frozen dataclasses: picklable (they cross process boundaries in the runner's pool) and
with a lossless JSON round trip (the page cache, `book.json` checkpoints and golden tests use it).
All text is Unicode NFC; constructors do not normalise, the stages that produce text do
(see `nfc`).
"""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, ClassVar, Literal, get_args

SCHEMA_VERSION = 1

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

    x0: float
    y0: float
    x1: float
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
    """One recognised word; `conf` is the engine's confidence in 0..1."""

    text: str
    bbox: BBox
    conf: float = 1.0


@dataclass(frozen=True, slots=True)
class Line:
    words: tuple[Word, ...]
    bbox: BBox

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class Block:
    """A region of a page. `level` is set for headings (1 = chapter). `confirmed`: a person
    set this block's kind (`digitize proof`), so layout heuristics must not second-guess it."""

    kind: str
    lines: tuple[Line, ...]
    bbox: BBox
    level: int | None = None
    confirmed: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line.words)


@dataclass(frozen=True, slots=True)
class Step:
    """Which stage touched a page: part of its provenance in the report."""

    name: str
    version: str
    options_digest: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the book.

    `index` is 0-based in book order; `label` is the printed page number once layout found it
    (used for the EPUB page-list and citations). `image` is a path to the page image in the run's
    work dir (never pixels: pages cross process boundaries), or None for a born-digital page
    whose text came from the PDF's text layer. `size` is (width, height) in image pixels.
    """

    index: int
    size: tuple[int, int]
    dpi: int
    image: str | None = None
    label: str | None = None
    blocks: tuple[Block, ...] = ()
    skew: float = 0.0
    rotation: int = 0
    source: str = "scan"  # scan | textlayer
    steps: tuple[Step, ...] = ()
    warnings: tuple[str, ...] = ()
    failed: str | None = None  # reason, when the runner's on_error policy skipped the page
    # The page image before preprocess.binarize (same geometry as `image`): figures are cropped
    # from it, since a binarised photo is useless. None when the page was not binarised.
    unbinarized: str | None = None
    # (width, height) of the source page in points (1/72 in), as ingest found it: preprocessing
    # crops, pads and turns the image, but the searchable PDF keeps the printed page's size.
    print_size: tuple[float, float] | None = None

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
    """Start of printed page `index` (label = its printed number, if any)."""

    kind: ClassVar[str] = "page_break"
    index: int
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    level: int = 1
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph joined across lines, columns and pages.

    `breaks` are page breaks that fall inside the paragraph: (character offset in `text`,
    page index, label), so the EPUB page-list can point into the middle of a paragraph.
    """

    kind: ClassVar[str] = "paragraph"
    text: str
    breaks: tuple[tuple[int, int, str | None], ...] = ()
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """A non-text region cropped to `image` (path relative to the book's work dir)."""

    kind: ClassVar[str] = "figure"
    image: str
    caption: str = ""
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A list; items keep their printed markers ("a)", "1.", "•") exactly as on the page."""

    kind: ClassVar[str] = "list"
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    kind: ClassVar[str] = "table"
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote body; `mark` is the reference mark found in the text (e.g. "1", "*")."""

    kind: ClassVar[str] = "footnote"
    mark: str
    text: str


FlowItem = PageBreak | Heading | Paragraph | Figure | ListBlock | Table | Footnote
FLOW_TYPES: dict[str, type] = {
    t.kind: t for t in (PageBreak, Heading, Paragraph, Figure, ListBlock, Table, Footnote)
}


@dataclass(frozen=True, slots=True)
class BookMeta:
    """What a catalogue says of the book. `lang` is a BCP 47 code (the engine decides it from
    the text unless the user gave it); `source` and `isbn` describe the printed book (the
    user's, never guessed); `date` is its publication date as the user gave it; `file` is the
    input's file name, set by the engine: outputs are named after it."""

    title: str = "Untitled"
    authors: tuple[str, ...] = ()
    lang: str = "vi"
    identifier: str = ""
    source: str = ""
    date: str = ""
    publisher: str = ""
    description: str = ""
    isbn: str = ""
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

    op: str
    page: int  # Page.index
    block: int = -1  # position of the block on the page when the edit was made
    anchor: str = ""  # the block's text before the edit
    box: tuple[float, float, float, float] | None = None  # the block's bbox before the edit
    value: str = ""
    level: int | None = None
    line: int = -1
    word: int = -1
    who: str = ""
    when: str = ""  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class Book:
    meta: BookMeta
    pages: tuple[Page, ...] = ()
    flow: tuple[FlowItem, ...] = field(default=())
    work_dir: str = ""  # where page images and figure crops live
    corrections: tuple[Correction, ...] = ()  # proofreading edits, oldest first

    def with_pages(self, pages: tuple[Page, ...] | list[Page]) -> Book:
        return replace(self, pages=tuple(pages))


# ---------------------------------------------------------------- JSON round trip

_CLASSES: dict[str, type] = {
    c.__name__: c for c in (BBox, Word, Line, Block, Step, Page, BookMeta, Correction, Book)
}
_CLASSES.update({c.__name__: c for c in FLOW_TYPES.values()})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def to_jsonable(obj: Any) -> Any:
    """Turn model objects into JSON-ready values; dataclasses carry their type in `"t"`.

    Boxes and words are the bulk of a page, so they are written compactly as arrays.
    """
    if isinstance(obj, BBox):
        return [obj.x0, obj.y0, obj.x1, obj.y1]
    if isinstance(obj, Word):
        return [obj.text, [obj.bbox.x0, obj.bbox.y0, obj.bbox.x1, obj.bbox.y1], obj.conf]
    if isinstance(obj, Line):  # the bulk of a book: spelled out, same shape as the general case
        b = obj.bbox
        words = [[w.text, [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1], w.conf] for w in obj.words]
        return {"t": "Line", "words": words, "bbox": [b.x0, b.y0, b.x1, b.y1]}
    if is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {"t": type(obj).__name__}
        for name in _field_names(type(obj)):
            out[name] = to_jsonable(getattr(obj, name))
        return out
    if isinstance(obj, (tuple, list)):
        return [to_jsonable(v) for v in obj]
    return obj


def _from(cls: type, data: Any) -> Any:
    if cls is BBox:
        return BBox(*data)
    if cls is Word:
        text, box, conf = data
        return Word(text, BBox(*box), conf)
    return from_jsonable(data)


_FIELD_TYPES: dict[tuple[str, str], type] = {
    ("Line", "bbox"): BBox,
    ("Block", "bbox"): BBox,
}


def from_jsonable(data: Any) -> Any:
    """Inverse of `to_jsonable`."""
    if isinstance(data, dict) and "t" in data:
        name = data["t"]
        cls = _CLASSES.get(name)
        if cls is None:
            raise ValueError(f"unknown model type {name!r}")
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            v = data[f.name]
            if (name, f.name) in _FIELD_TYPES:
                kwargs[f.name] = _from(_FIELD_TYPES[(name, f.name)], v)
            elif name == "Line" and f.name == "words":
                kwargs[f.name] = tuple(_from(Word, w) for w in v)
            else:
                kwargs[f.name] = _tuplify(from_jsonable(v))
        return cls(**kwargs)
    if isinstance(data, list):
        return [from_jsonable(v) for v in data]
    return data


def _tuplify(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_tuplify(x) for x in v)
    return v


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent)


def loads(text: str) -> Any:
    return from_jsonable(json.loads(text))


def book_to_json(book: Book, indent: int | None = 1) -> str:
    """The versioned `book.json` checkpoint an archivist may edit and re-export.

    Indented down to one block / flow item per line, compact below: json's C encoder only
    runs without `indent`, and a fully indented book (a line per box number) took ~10x longer
    to write than this. `indent=None` is all compact, for files only digitize reads."""
    doc = {"schema": "digitize.book", "version": SCHEMA_VERSION, "book": to_jsonable(book)}
    if indent is None:
        return json.dumps(doc, ensure_ascii=False)
    return _pretty(doc, indent, 0)


_PRETTY_DEPTH = 5  # document, book, pages, page, blocks: each block (or flow item field) a line


def _pretty(v: Any, indent: int, depth: int) -> str:
    if depth >= _PRETTY_DEPTH or not isinstance(v, (dict, list)) or not v:
        return json.dumps(v, ensure_ascii=False)
    pad, inner = " " * (indent * depth), " " * (indent * (depth + 1))
    if isinstance(v, dict):
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(x, indent, depth + 1)}"
            for k, x in v.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + _pretty(x, indent, depth + 1) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def book_from_json(text: str) -> Book:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("schema") != "digitize.book":
        raise ValueError("not a digitize book.json (missing schema 'digitize.book')")
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"book.json schema version {data.get('version')} is not supported")
    book = from_jsonable(data["book"])
    if not isinstance(book, Book):
        raise ValueError("book.json does not hold a Book")
    return book
