"""The stage interfaces every pipeline step implements, and their option schema.

A stage is a class with a `kind`, a `name` (its entry-point name), a `version` (part of the
cache key: bump it when the output changes) and an `Options` frozen dataclass whose fields,
defaults and `help` metadata are the option schema a pipeline file is validated against.
Stages never call each other, start processes or print: the runner owns all of that.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from digitize.model import Book, Page


def opt(default: Any, help: str) -> Any:
    """Declare an option: its default and the one-line help shown by `digitize stages`."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("option defaults must be immutable (use a tuple)")
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class NoOptions:
    """A stage without options."""


OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True, slots=True)
class Context:
    """What a stage may know about the run. Picklable: it travels to worker processes.

    `lang` is Tesseract's language string (`vie+eng`); `dpi` the resolution to assume for
    images that carry none (None: estimate); `work_dir` the book's directory for page images
    and figure crops (stages write new files there under content-derived names);
    `build_time` the time (Unix seconds) exporters stamp into outputs: the runner takes
    SOURCE_DATE_EPOCH, else the input's modification time, so the same input converted twice gives
    byte-identical files.
    """

    lang: str = "vie+eng"
    dpi: int | None = None
    work_dir: str = "."
    render_dpi: int = 300
    build_time: int | None = None
    # True when the runner calls `Ingester.prepare_page` in a worker before a page's first stage:
    # an ingester may then leave writing page images to that call (rendering in parallel).
    defer_images: bool = False


class Stage(Generic[OptionsT]):
    kind: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[str] = "1"
    Options: ClassVar[type] = NoOptions
    summary: ClassVar[str] = ""

    def __init__(self, options: OptionsT | None = None) -> None:
        self.options: OptionsT = options if options is not None else self.Options()

    def check(self) -> None:
        """Raise MissingDependency when an external tool or language this stage needs is absent."""

    def warm_up(self, ctx: Context) -> None:
        """Load now what the first page would load (an OCR engine's language models). A worker
        calls it once as it starts, while the parent is still reading the book."""

    def options_digest(self) -> str:
        """A short, stable digest of the options: part of the cache key and of `Page.steps`."""
        return options_digest(self.options)


class Ingester(Stage[OptionsT]):
    kind: ClassVar[str] = "ingest"
    suffixes: ClassVar[tuple[str, ...]] = ()

    def accepts(self, src: Path) -> bool:
        """True when this ingester can read `src` (a file or a folder)."""
        return src.suffix.lower() in self.suffixes

    def ingest(self, src: Path, ctx: Context) -> Book:
        """Read `src` into a Book whose pages carry image paths (written under ctx.work_dir)
        or a text layer. Runs in the runner's main process. Raises BadInput on unreadable input.
        """
        raise NotImplementedError

    def likely_needs_ocr(self, src: Path) -> bool:
        """A cheap guess, before `ingest`, that pages will need image work (a scan, not a text
        layer): the runner then starts its workers while ingest runs. Being wrong costs time
        only, never results."""
        return True

    def prepare_page(self, src: Path, page: Page, ctx: Context) -> Page:
        """Write the page image `ingest` deferred (only when `ctx.defer_images`). Runs in a
        worker process before the page's first stage, whenever the image file is missing.
        """
        return page


class PageStage(Stage[OptionsT]):
    def process_page(self, page: Page, ctx: Context) -> Page:
        """Return the transformed page. Runs in a worker process, one page at a time; must be
        deterministic for the same page and options (results are cached by that key).
        Pixel coordinates are page-image pixels of the image the page carries.
        """
        raise NotImplementedError


class BookStage(Stage[OptionsT]):
    def process_book(self, book: Book, ctx: Context) -> Book:
        """Return the transformed book (whole book, pages in order). Runs in the main process,
        after every page stage.
        """
        raise NotImplementedError


class Exporter(Stage[OptionsT]):
    kind: ClassVar[str] = "export"
    #: file suffix of the main output, e.g. ".epub"
    suffix: ClassVar[str] = ""

    def export(self, book: Book, out_dir: Path, ctx: Context) -> list[Path]:
        """Write this format for `book` into `out_dir` and return the paths written.
        Reads only `book.meta` and `book.flow` (plus images under `book.work_dir`). Every file is
        written to a temporary name and renamed (see `digitize.fileio`). Runs in the main process.
        """
        raise NotImplementedError


# ---------------------------------------------------------------- option schema


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: Any
    default: Any
    help: str

    @property
    def type_name(self) -> str:
        return _type_name(self.type)


def option_specs(options_cls: type) -> list[OptionSpec]:
    hints = typing.get_type_hints(options_cls)
    return [
        OptionSpec(f.name, hints[f.name], f.default, f.metadata.get("help", ""))
        for f in dataclasses.fields(options_cls)
    ]


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    if tp is type(None):
        return "none"
    return getattr(tp, "__name__", str(tp))


def coerce_option(tp: Any, value: Any) -> Any:
    """Check `value` (from TOML or a `--set` string) against `tp`; return it converted.

    Raises ValueError with a message naming the expected type.
    """
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        choices = typing.get_args(tp)
        for c in choices:
            if value == c or (isinstance(value, str) and str(c) == value):
                return c
        raise ValueError(f"expected one of {', '.join(repr(c) for c in choices)}")
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        is_none = value is None or (isinstance(value, str) and value.lower() == "none")
        if is_none and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return coerce_option(a, value)
            except ValueError as e:
                errors.append(str(e))
        raise ValueError(" or ".join(errors))
    if origin is tuple:
        (item,) = typing.get_args(tp)[:1]
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expected a list of {_type_name(item)}")
        return tuple(coerce_option(item, v) for v in value)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "no", "0", "off"):
            return False
        raise ValueError("expected true or false")
    if tp is int:
        if isinstance(value, bool):
            raise ValueError("expected an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise ValueError("expected an integer")
    if tp is float:
        if isinstance(value, bool):
            raise ValueError("expected a number")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ValueError("expected a number")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ValueError("expected a string")
    raise ValueError(f"unsupported option type {_type_name(tp)}")


def options_digest(options: Any) -> str:
    """sha256 of the options as canonical JSON (key order, defaults included), shortened."""
    is_instance = dataclasses.is_dataclass(options) and not isinstance(options, type)
    data = dataclasses.asdict(options) if is_instance else {}
    blob = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
