"""The stage interfaces every pipeline step implements: one abstract base class per kind.

A stage is a class with a `kind`, a `name` (its entry-point name), a `version` (part of the
cache key: bump it when the output changes) and an `Options` frozen dataclass (see
`digitize.options`). Stages never call each other, start processes or print: the engine owns
all of that, records which stage touched a page (`Page.steps`) and decides where each method
runs. What a stage may know about the run comes in a `Context`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, final

from digitize.images import PageImages
from digitize.model import Book, Page
from digitize.options import NoOptions, opt, options_digest

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BookStage",
    "Context",
    "Exporter",
    "Ingester",
    "NoOptions",
    "PageStage",
    "Stage",
    "opt",
]

OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True, slots=True)
class Context:
    """What a stage may know about the run. Picklable: it travels to worker processes (without
    the pixels its `images` holds)."""

    #: Tesseract's language string for the run, e.g. `vie+eng`
    lang: str = "vie+eng"
    #: resolution to assume for images that carry none (None: estimate)
    dpi: int | None = None
    #: the book's directory for page images and figure crops; stages write new files there
    #: under content-derived names
    work_dir: str = "."
    #: resolution at which scanned PDF pages are rasterised
    render_dpi: int = 300
    #: the time (Unix seconds) exporters stamp into outputs unless SOURCE_DATE_EPOCH is set:
    #: the input's modification time, so one input converted twice gives identical files
    build_time: int | None = None
    #: True when the engine calls `Ingester.prepare_page` in a worker before a page's first
    #: stage: an ingester may then leave rendering page images to that call (in parallel)
    defer_images: bool = False
    #: the page chain's images (see `digitize.images`); outside the engine, one that writes
    #: every new image at once
    images: PageImages = field(default_factory=PageImages, compare=False, repr=False)
    #: what the running page stage decided and why (`note`); the engine moves it into the
    #: page's step (`Step.note`) and empties it before the next stage
    notes: list[str] = field(default_factory=list, compare=False, repr=False)

    def note(self, text: str) -> None:
        """Record what this stage decided on this page and why ("skipped: speckle 0.1 ...")."""
        self.notes.append(text)

    def image_path(self, page: Page) -> Path:
        """Where the page's image lives (or will be written) in the work dir."""
        assert page.image is not None
        return Path(self.work_dir) / page.image

    def read_image(self, page: Page) -> tuple[np.ndarray, str]:
        """The page's image as a read-only uint8 array (grey or BGR) and the digest naming its
        content, from memory when the stage before made it."""
        assert page.image is not None
        return self.images.read(self.image_path(page), page.image)

    def put_image(self, rel: str, img: np.ndarray, dpi: int) -> None:
        """Hand `img` on as the work-dir image `rel` (written when something needs the file)."""
        self.images.put(Path(self.work_dir) / rel, rel, img, dpi)

    def image_file(self, page: Page) -> Path:
        """The page's image as a file on disk, for tools that read files."""
        return self.images.file(self.image_path(page))


class Stage(ABC, Generic[OptionsT]):
    """What every stage declares. Subclass one of the kinds below, not this."""

    #: ingest | preprocess | ocr | layout | export
    kind: ClassVar[str]
    #: the entry-point name, e.g. "ocr.tesseract"
    name: ClassVar[str]
    #: bump when the output changes: it is part of the cache key
    version: ClassVar[str] = "1"
    #: frozen dataclass of options: fields with defaults and `opt(default, help)` metadata
    Options: ClassVar[type[Any]] = NoOptions
    #: one line shown by `digitize stages`
    summary: ClassVar[str] = ""

    def __init__(self, options: OptionsT | None = None) -> None:
        #: this instance's options (the Options defaults when none are given)
        self.options: OptionsT = options if options is not None else self.Options()

    def check(self, ctx: Context) -> None:
        """Raise MissingDependency when an external tool or language this stage needs for
        this run (`ctx.lang`) is absent. Runs in the main process before any work."""

    def warm_up(self, ctx: Context) -> None:
        """Load now what the first page would load (an OCR engine's language models). A worker
        calls it once as it starts, while the main process is still reading the book."""

    @final
    def options_digest(self) -> str:
        """A short, stable digest of the options: part of the cache key and of `Page.steps`."""
        return options_digest(self.options)


class Ingester(Stage[OptionsT]):
    """Reads a source (a PDF, an image, a folder of images) into a Book."""

    kind: ClassVar[str] = "ingest"
    #: file suffixes this ingester reads, lower case with the dot (".pdf")
    suffixes: ClassVar[tuple[str, ...]] = ()

    def accepts(self, src: Path) -> bool:
        """True when this ingester can read `src` (a file or a folder)."""
        return src.suffix.lower() in self.suffixes

    @abstractmethod
    def ingest(self, src: Path, ctx: Context) -> Book:
        """Read `src` into a Book whose pages carry image paths (relative to `ctx.work_dir`)
        or words from a text layer. Runs in the main process. Raises BadInput on unreadable
        input. With `ctx.defer_images` a page's image may be left for `prepare_page`."""

    def likely_needs_ocr(self, src: Path) -> bool:
        """A cheap guess, before `ingest`, that pages will need image work (a scan, not a text
        layer): the engine then starts its workers while ingest runs. Being wrong costs time
        only, never results."""
        return True

    def prepare_page(self, src: Path, page: Page, ctx: Context) -> Page:
        """Make the page image `ingest` deferred (only when `ctx.defer_images`): hand it over
        with `ctx.put_image` (or write it). Runs in a worker process before the page's first
        stage, whenever the image is neither on disk nor in memory. Returns the page with its
        pixel `size` as rendered."""
        return page


class PageStage(Stage[OptionsT]):
    """One page at a time, in a worker process: preprocess, OCR and per-page layout."""

    @abstractmethod
    def process_page(self, page: Page, ctx: Context) -> Page | tuple[Page, ...]:
        """Return the transformed page, or several (a spread split in two). Runs in a worker
        process, one page at a time; must be deterministic for the same page and options
        (results are cached by that key). Coordinates are pixels of the page's image; pixels
        are read and new images handed on through `ctx` (`read_image`, `put_image`,
        `image_file`). The engine records the step."""


class BookStage(Stage[OptionsT]):
    """The whole book, pages in order, in the main process: running heads, paragraphs across
    pages, headings."""

    @abstractmethod
    def process_book(self, book: Book, ctx: Context) -> Book:
        """Return the transformed book. Runs in the main process after every page stage."""


class Exporter(Stage[OptionsT]):
    """Writes one format of a book."""

    kind: ClassVar[str] = "export"
    #: file suffix of the main output, e.g. ".epub"
    suffix: ClassVar[str] = ""

    @abstractmethod
    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        """Write this format for `book` into `out_dir` and return the paths written. Reading
        formats use `book.meta` and `book.flow`; page-faithful ones (searchable PDF, hOCR,
        ALTO) also `book.pages`; images come from `book.work_dir`. Every file is written to a
        temporary name and renamed (see `digitize.fileio`). Runs in the main process."""
