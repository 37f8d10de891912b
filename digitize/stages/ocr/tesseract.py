"""`ocr.tesseract`: words, lines, paragraphs, boxes and confidences from Tesseract.

Two engines give the same result structure: tesserocr (in-process, one engine per worker and
language set, models loaded once) and the `tesseract` CLI through pytesseract (TSV output). The
default `auto` uses tesserocr when it wraps the CLI's libtesseract release (`make setup` builds it
so), the two then reading the same words; else the CLI.

Tesseract's own grouping is kept: each Tesseract paragraph becomes a `Block("paragraph")`; a
block Tesseract found no text in (it reports pictures that way, in both engines) becomes a
`Block("figure", lines=())` with its box. Layout stages refine kinds later.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ClassVar, Literal

from digitize.errors import MissingDependency, PageError
from digitize.images import to_pil
from digitize.model import BBox, Block, Line, Page, Word, nfc
from digitize.stage import Context, PageStage, opt
from digitize.stages.ocr import _coverage, _marks, _scale
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr._capread import CAPITALS, read_drop_caps
from digitize.stages.ocr._cells import reread_cells
from digitize.stages.ocr._rescale import reread_large

_APT_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclasses.dataclass(frozen=True, slots=True)
class TesseractOptions:
    lang: str | None = opt(None, "Tesseract languages, e.g. 'vie+eng' (default: the run's lang)")
    psm: int = opt(3, "page segmentation mode (3 = automatic layout; 6 = one uniform block)")
    oem: int = opt(1, "OCR engine mode (1 = LSTM only; the data we ship for has no legacy models)")
    engine: Literal["auto", "tesserocr", "cli"] = opt(
        "auto",
        "auto = tesserocr in-process when it wraps the same libtesseract as the tesseract CLI "
        "(faster, same words), else the CLI",
    )
    variables: tuple[str, ...] = opt(
        (), "extra Tesseract variables as name=value (e.g. preserve_interword_spaces=1)"
    )
    min_figure_in: float = opt(
        0.25, "text-less blocks narrower or shorter than this (inches) are rules/noise, dropped"
    )
    timeout: float = opt(0.0, "seconds before Tesseract abandons a page (0 = never)")
    letter_px: float = opt(
        24.0,
        "read the page reduced until its median letter is about this tall (px), never "
        "enlarged: Tesseract reads 300-dpi book type better and faster so (0 = as scanned)",
    )
    reread_large: bool = opt(
        False,
        "read display type (titles) again scaled to body size; keep the body-size reading "
        "unless clearly less sure (experimental: fixes title diacritics on light scans, costs "
        "them on heavy ones; word boxes are kept)",
    )
    drop_caps: bool = opt(
        True,
        "read a drop cap no word covers (a letter two to five lines tall) scaled to body size: "
        "the vie model reads nothing at its printed size",
    )
    marks: bool = opt(
        True,
        "with several languages incl. vie: read Vietnamese pages again with vie alone and take "
        "its marks where the words differ only in marks (vie+eng drops them: Dai for Đại)",
    )
    coverage: bool = opt(
        True,
        "re-read text-like ink no word or figure covers; keep what stays unread as page gaps",
    )
    table_cells: bool = opt(
        True, "re-read each cell of a ruled table alone (rules and specks wiped) when surer"
    )


class TesseractOcr(PageStage[TesseractOptions]):
    kind: ClassVar[str] = "ocr"
    name: ClassVar[str] = "ocr.tesseract"
    version: ClassVar[str] = "11"
    Options: ClassVar[type] = TesseractOptions
    summary: ClassVar[str] = "Tesseract OCR: words, lines, paragraphs, boxes, confidences"

    # ------------------------------------------------------------ dependency check

    def check(self, ctx: Context) -> None:
        """Tesseract (for the chosen engine) and every language of the run must be present."""
        self.check_lang(self.options.lang or ctx.lang)

    def check_lang(self, lang: str) -> None:
        """Tesseract (for the chosen engine) and every language in `lang` must be present."""
        # The CLI there, `auto` passes without a look at tesserocr (an import, ~0.05 s).
        checked = self.options.engine != "auto" or eng.cli_path() is None
        if checked and self._engine() == "cli" and eng.cli_path() is None:
            raise MissingDependency("the tesseract program was not found", hint=_APT_HINT)
        if eng.tessdata_dir() is None:
            raise MissingDependency("no Tesseract language data (tessdata) found", hint=_APT_HINT)
        wanted = lang.split("+")
        have = set(eng.installed_languages())
        missing = [w for w in wanted if w and w not in have]
        if missing:
            pkgs = " ".join("tesseract-ocr-" + m.lower().replace("_", "-") for m in missing)
            raise MissingDependency(
                f"Tesseract language(s) not installed: {', '.join(missing)} "
                f"(installed: {', '.join(sorted(have)) or 'none'})",
                hint=f"apt-get install tesseract-ocr {pkgs}",
            )

    def warm_up(self, ctx: Context) -> None:
        """Load the languages' models (~0.3 s for vie+eng; vie alone for `marks`) before the
        first page arrives."""
        if self._engine() == "tesserocr" and (tessdata := eng.tessdata_dir()):
            o = self.options
            lang = o.lang or ctx.lang
            vie = _marks.second_language(lang) if o.marks else None
            for each in (lang, vie) if vie else (lang,):
                eng.engine(tessdata, each, o.oem, _parse_variables(o.variables))

    def _engine(self) -> str:
        if self.options.engine == "auto":
            return "tesserocr" if eng.tesserocr_matches_cli() and eng.tessdata_dir() else "cli"
        if self.options.engine == "tesserocr" and eng.tesserocr_version() is None:
            raise MissingDependency(
                "engine 'tesserocr' requested but tesserocr is not importable",
                hint="pip install tesserocr (or set engine = 'cli')",
            )
        return self.options.engine

    # ------------------------------------------------------------ the page

    def process_page(self, page: Page, ctx: Context) -> Page:
        if page.source == "textlayer" or page.image is None or page.failed:
            return page
        if not ctx.images.available(ctx.image_path(page)):
            raise PageError(f"page {page.index + 1}: image {page.image} not found in work dir")
        lang = self.options.lang or ctx.lang
        self.check_lang(lang)
        dpi = page.dpi or 300
        vie = _marks.second_language(lang) if self.options.marks else None
        # The pixels preprocessing just made when the chain holds them (else the file, decoded
        # once): the page reading, its scale and every re-read below use them.
        pixels, _digest = ctx.read_image(page)
        grey = _coverage.as_grey(pixels)
        raw = self._recognise(page, ctx, lang, dpi, pixels=(pixels, grey), models=vie is not None)
        min_figure_px = self.options.min_figure_in * dpi
        blocks = tuple(build_blocks(raw, min_figure_px=min_figure_px))
        if vie and _marks.vietnamese_page(blocks):
            blocks, doubt = self._take_marks(grey, raw, blocks, vie, dpi)
            page = dataclasses.replace(page, warnings=page.warnings + doubt)
        if self.options.reread_large:
            found = reread_large(
                list(blocks),
                ctx.image_file(page),
                lambda img: self._read_lines(img, lang, dpi),
                Path(ctx.work_dir),
            )
            blocks = tuple(found)
        page = dataclasses.replace(page, warnings=page.warnings + text_size_warning(blocks))
        if not (self.options.drop_caps or self.options.coverage or self.options.table_cells):
            return dataclasses.replace(page, blocks=blocks)
        if self.options.drop_caps:
            cap_lang = vie or lang  # a lone capital: no English word to win it for vie+eng
            found = read_drop_caps(
                list(blocks),
                grey,
                lambda img: self._read_lines(img, cap_lang, dpi, psm=8, only=CAPITALS),
                Path(ctx.work_dir),
            )
            blocks = tuple(found)
        if self.options.table_cells:
            blocks, _n = reread_cells(grey, blocks, dpi, lambda s: self._reread(s, lang, dpi))
        if not self.options.coverage:
            return dataclasses.replace(page, blocks=blocks)
        cov = _coverage.check(grey, blocks, dpi, lambda strip: self._reread(strip, lang, dpi))
        warnings = page.warnings
        if cov.reread:
            warnings += (
                f"coverage: {cov.reread} word(s) Tesseract's layout left out were re-read "
                f"from {cov.candidates - len(cov.gaps)} line(s)",
            )
        if cov.mended:
            warnings += (
                f"coverage: {cov.mended} doubtful word(s) (words glued by Tesseract's "
                "segmentation) replaced by a surer reading of their box",
            )
        if cov.gaps:
            warnings += (
                f"coverage: {len(cov.gaps)} line(s) of text-like ink not read (gaps on the page)",
            )
        return dataclasses.replace(page, blocks=cov.blocks, gaps=cov.gaps, warnings=warnings)

    def _take_marks(
        self,
        grey: Any,
        raw: list[eng.RawBlock],
        blocks: tuple[Block, ...],
        vie: str,
        dpi: int,
    ) -> tuple[tuple[Block, ...], tuple[str, ...]]:
        """Marks from `vie` alone (`_marks`): only the words another model read (both engines
        say which model read each word) are read again, the same way whichever engine runs.
        And a warning when the two models read many words with other letters."""
        other = _marks.other_model(raw, vie)
        found, _runs, _changed, contested = _marks.reread_words(
            grey, list(blocks), other, lambda s: self._reread(s, vie, dpi)
        )
        return tuple(found), _marks.contested_warning(contested, found)

    def _reread(
        self, strip: Any, lang: str, dpi: int
    ) -> list[tuple[str, tuple[int, int, int, int], float]]:
        """Read a strip of stacked line crops as one uniform block (psm 6), same engine."""
        same = self._args(lang, dpi, 6)
        if self._engine() == "tesserocr":
            tessdata = eng.tessdata_dir() or ""
            raw = eng.run_tesserocr(Path("strip.png"), pixels=strip, tessdata=tessdata, **same)
        else:
            from PIL import Image

            raw = eng.run_cli(Image.fromarray(strip), tessdata=eng.tessdata_dir(), **same)
        return [
            (nfc(w.text), w.box, max(0.0, min(1.0, w.conf / 100)))
            for rb in raw
            for para in rb.paras
            for line in para
            for w in line
            if w.text.strip()
        ]

    def _args(self, lang: str, dpi: int, psm: int) -> dict[str, Any]:
        """The engine arguments of a re-read (a strip, a line), the page's but for `psm`."""
        o = self.options
        return {
            "lang": lang,
            "psm": psm,
            "oem": o.oem,
            "dpi": dpi,
            "variables": _parse_variables(o.variables),
            "timeout": o.timeout,
        }

    def _read_lines(
        self, image: Path, lang: str, dpi: int, psm: int = 7, only: str = ""
    ) -> list[list[tuple[str, tuple[int, int, int, int], float]]]:
        """One line of text cut out and scaled (`_rescale`), read as one line (psm 7), or a
        drop cap as one word (psm 8) with `only` its characters allowed."""
        same = self._args(lang, dpi, psm)
        if only:
            same["variables"] = same["variables"] | {"tessedit_char_whitelist": only}
        if self._engine() == "tesserocr":
            raw = eng.run_tesserocr(image, tessdata=eng.tessdata_dir() or "", **same)
        else:
            raw = eng.run_cli(image, tessdata=eng.tessdata_dir(), **same)
        return [
            [(w.text, w.box, w.conf) for w in line] for rb in raw for p in rb.paras for line in p
        ]

    def _recognise(
        self,
        page: Page,
        ctx: Context,
        lang: str,
        dpi: int,
        *,
        pixels: tuple[Any, Any],
        models: bool = False,
    ) -> list[eng.RawBlock]:
        """The page read by the engine (`pixels`: its image as held, and in grey), reduced to
        the scale it reads best (`_scale`), its boxes in page pixels; with `models`, each word
        says which model read it."""
        o = self.options
        path = ctx.image_path(page)
        image, grey = pixels
        try:
            scale = _scale.reading_scale(grey, dpi, o.letter_px)
            if scale < 1.0:
                ctx.note(f"read at {scale:.2f} of the page's size (letters ~{o.letter_px:g} px)")
                image = _scale.reduce(image, scale)
            same = self._args(lang, round(dpi * scale), o.psm)
            if self._engine() == "tesserocr":  # Tesseract need not decode the PNG again
                raw = eng.run_tesserocr(
                    path, pixels=image, tessdata=eng.tessdata_dir() or "", **same
                )
            else:  # the CLI reads files, or PIL images (a reduced page)
                src = to_pil(image) if scale < 1.0 else ctx.image_file(page)
                raw = eng.run_cli(src, tessdata=eng.tessdata_dir(), models=models, **same)
            return _scale.to_page(raw, scale)
        except MissingDependency:
            raise
        except Exception as e:  # engine errors are per page: the runner's policy decides
            raise PageError(f"Tesseract failed on {path.name}: {e}") from e


TEXT_SIZE = "text size:"  # the warning's prefix: the report flags such pages
WORD_HEIGHT = (10, 120)  # px: median word heights outside this are read poorly (x-height 7-80)


def text_size_warning(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """A warning when the page's text is too small or too large for Tesseract to read well."""
    hs = sorted(w.bbox.height for b in blocks for w in b.words if len(w.text) > 1)
    if len(hs) < 5:
        return ()
    h = hs[len(hs) // 2]
    if WORD_HEIGHT[0] <= h <= WORD_HEIGHT[1]:
        return ()
    size = "small" if h < WORD_HEIGHT[0] else "large"
    return (
        f"{TEXT_SIZE} words are {h:.0f} px tall, too {size} for reliable OCR "
        f"(best {WORD_HEIGHT[0]}-{WORD_HEIGHT[1]} px): check the text, or convert at another dpi",
    )


def _parse_variables(items: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        k, sep, v = item.partition("=")
        if not sep or not k.strip():
            raise PageError(f"Tesseract variable {item!r} is not name=value")
        out[k.strip()] = v.strip()
    return out


def _bbox(b: tuple[int, int, int, int]) -> BBox:
    return BBox(float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def build_blocks(raw: list[eng.RawBlock], *, min_figure_px: float) -> list[Block]:
    """Neutral engine output → model blocks: paragraphs, and figures for text-less blocks.

    Blank words are dropped, text is NFC, confidences scaled to 0..1; line and block boxes
    enclose their kept words, so both engines give the same geometry.
    """
    out: list[Block] = []
    for rb in raw:
        paras: list[Block] = []
        for para in rb.paras:
            lines: list[Line] = []
            for raw_line in para:
                words = tuple(
                    Word(nfc(w.text.strip()), _bbox(w.box), max(0.0, min(1.0, w.conf / 100)))
                    for w in raw_line
                    if w.text.strip()
                )
                if words:
                    lines.append(Line(words, BBox.enclosing([w.bbox for w in words])))
            if lines:
                paras.append(
                    Block("paragraph", tuple(lines), BBox.enclosing([ln.bbox for ln in lines]))
                )
        if paras:
            out.extend(paras)
            continue
        box = _bbox(rb.box)
        if min(box.width, box.height) >= min_figure_px:
            out.append(Block("figure", (), box))
    return out


def tesseract_status() -> dict[str, Any]:
    """What `digitize doctor` shows: CLI and tesserocr versions, tessdata, languages."""
    return {
        "cli": eng.cli_path(),
        "cli_version": eng.cli_version(),
        "tesserocr": eng.tesserocr_version(),
        "tesserocr_used": eng.tesserocr_version() is not None and eng.tesserocr_matches_cli(),
        "tessdata": eng.tessdata_dir(),
        "languages": eng.installed_languages(),
    }
