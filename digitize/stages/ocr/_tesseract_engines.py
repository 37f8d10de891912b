"""Tesseract backends for `ocr.tesseract`: in-process tesserocr and the `tesseract` CLI.

Both return the same neutral structure (blocks → paragraphs → lines → words, Tesseract's own
grouping) so the stage builds identical model objects whichever engine ran. Helper module of
the `ocr.tesseract` stage; nothing else should import it.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize.stages import _tessdata

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels, x1/y1 exclusive


@dataclass
class RawWord:
    text: str
    box: Box
    conf: float  # 0..100 as Tesseract reports it
    model: str = ""  # the language whose model read it (tesserocr; the CLI with `models`)


@dataclass
class RawBlock:
    """One Tesseract block. Pictures come out of both engines as a block whose only word is
    blank; rules and noise likewise (the stage tells them apart by size, the same way for
    both engines, so the result never depends on which engine ran)."""

    box: Box
    paras: list[list[list[RawWord]]] = field(default_factory=list)  # paras → lines → words


# ---------------------------------------------------------------- discovery


@functools.lru_cache(maxsize=1)
def cli_path() -> str | None:
    return shutil.which("tesseract")


def _run_cli(*args: str) -> str:
    exe = cli_path()
    if exe is None:
        return ""
    try:
        res = subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (res.stdout or "") + "\n" + (res.stderr or "")


@functools.lru_cache(maxsize=1)
def cli_version() -> str | None:
    m = re.search(r"tesseract\s+v?(\d+\.\d+[\w.\-]*)", _run_cli("--version"))
    return m.group(1) if m else None


def tessdata_dir() -> str | None:
    """The tessdata directory with the language files (see `stages/_tessdata.py`)."""
    return _tessdata.tessdata_dir()


def installed_languages() -> list[str]:
    d = tessdata_dir()
    if d is None:
        return []
    return sorted(p.name[: -len(".traineddata")] for p in Path(d).glob("*.traineddata"))


@functools.lru_cache(maxsize=1)
def tesserocr_version() -> str | None:
    """tesserocr's version (with its bundled libtesseract's), or None when not importable."""
    try:
        import tesserocr
    except Exception:  # ImportError, or a broken native library
        return None
    lib = tesserocr.tesseract_version().split()[1] if tesserocr.tesseract_version() else "?"
    return f"{getattr(tesserocr, '__version__', '?')} (libtesseract {lib})"


def tesserocr_lib_version() -> str | None:
    """The libtesseract version tesserocr runs (a wheel bundles its own), e.g. '5.5.4'."""
    v = tesserocr_version()
    m = re.search(r"libtesseract (\d+\.\d+(?:\.\d+)?)", v or "")
    return m.group(1) if m else None


def tesserocr_matches_cli() -> bool:
    """Whether `auto` may use tesserocr: only when it runs the same libtesseract release as the
    CLI (or there is no CLI). Releases segment pages differently: the tesserocr 2.13 wheel's
    libtesseract 5.5.4 drops a whole text line of testpdfs/multipage.pdf that Debian's 5.3.0
    CLI reads, and the two agree on only 99.0-99.5 % of words on real scans, so a book would
    read differently depending on whether a wheel happens to be installed."""
    lib = tesserocr_lib_version()
    if lib is None:
        return False
    cli = cli_version()
    if cli is None or cli_path() is None:
        return True
    return _release(lib) == _release(cli)


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])


# ---------------------------------------------------------------- tesserocr (in-process)

# One engine per worker process and (tessdata, lang, oem, variables): loading vie+eng models
# costs ~0.3 s, far more than a small page's recognition, so engines live as long as the
# worker. Variables are part of the key because SetVariable persists on an engine.
_APIS: dict[tuple[str, str, int, tuple[tuple[str, str], ...]], Any] = {}


def engine(tessdata: str, lang: str, oem: int, variables: dict[str, str]) -> Any:
    """This worker's engine for the configuration, loaded on first use."""
    key = (tessdata, lang, oem, tuple(sorted(variables.items())))
    api = _APIS.get(key)
    if api is None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        import tesserocr

        # passed at Init so init-only variables (e.g. load_system_dawg) take effect too
        api = tesserocr.PyTessBaseAPI(path=tessdata, lang=lang, oem=oem, variables=variables)
        _APIS[key] = api
    return api


def run_tesserocr(
    image: Path,
    *,
    pixels: Any = None,
    tessdata: str,
    lang: str,
    psm: int,
    oem: int,
    dpi: int,
    variables: dict[str, str],
    timeout: float,
) -> list[RawBlock]:
    from tesserocr import RIL

    api = engine(tessdata, lang, oem, variables)
    api.Clear()
    api.SetPageSegMode(psm)
    try:
        if pixels is not None and pixels.ndim in (2, 3):  # `image`'s content, grey or BGR
            rgb = pixels if pixels.ndim == 2 else pixels[:, :, ::-1]
            h, w = rgb.shape[:2]
            bpp = 1 if rgb.ndim == 2 else 3
            api.SetImageBytes(rgb.tobytes(), w, h, bpp, w * bpp)
        else:
            api.SetImageFile(str(image))
    except RuntimeError:
        # leptonica could not read it: hand over Pillow's decoding instead
        from PIL import Image

        with Image.open(image) as im:
            api.SetImage(im.convert("L") if im.mode not in ("L", "RGB") else im.copy())
    api.SetSourceResolution(dpi)
    if not api.Recognize(int(timeout * 1000)):
        raise RuntimeError("recognition failed or timed out")
    ri = api.GetIterator()
    blocks: list[RawBlock] = []
    if ri is None:
        return blocks
    while True:
        if ri.IsAtBeginningOf(RIL.BLOCK):
            blocks.append(RawBlock(_box(ri.BoundingBox(RIL.BLOCK))))
        b = blocks[-1] if blocks else None
        if b is not None and not ri.Empty(RIL.WORD):
            if ri.IsAtBeginningOf(RIL.PARA) or not b.paras:
                b.paras.append([])
            if ri.IsAtBeginningOf(RIL.TEXTLINE) or not b.paras[-1]:
                b.paras[-1].append([])
            wbox = ri.BoundingBox(RIL.WORD)
            if wbox is not None:
                b.paras[-1][-1].append(
                    RawWord(
                        ri.GetUTF8Text(RIL.WORD) or "",
                        _box(wbox),
                        ri.Confidence(RIL.WORD),
                        ri.WordRecognitionLanguage() or "",
                    )
                )
        if not ri.Next(RIL.WORD):
            break
    return blocks


def _box(b: Any) -> Box:
    if b is None:  # Tesseract has no box for an empty element
        return (0, 0, 0, 0)
    x0, y0, x1, y1 = b
    return (int(x0), int(y0), int(x1), int(y1))


# ---------------------------------------------------------------- tesseract CLI


def run_cli(
    image: Path | Any,
    *,
    tessdata: str | None,
    lang: str,
    psm: int,
    oem: int,
    dpi: int,
    variables: dict[str, str],
    timeout: float,
    models: bool = False,
) -> list[RawBlock]:
    """Run the CLI with TSV output (what pytesseract's image_to_data parses) and regroup it.

    `image` is a file, or a PIL image (pytesseract writes it to a temporary file). With
    `models` the same call writes hOCR too, which names the model that read each word (as
    tesserocr's WordRecognitionLanguage does): the Vietnamese marks re-read needs it."""
    import pytesseract
    from pytesseract import pytesseract as tess

    config = ["-c tessedit_create_tsv=1", f"--psm {psm}", f"--oem {oem}", f"--dpi {dpi}"]
    if tessdata:
        config.append(f"--tessdata-dir {shlex.quote(tessdata)}")
    config += [f"-c {shlex.quote(f'{k}={v}')}" for k, v in variables.items()]
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if not models:
        tsv = pytesseract.image_to_data(
            str(image) if isinstance(image, Path) else image,
            lang=lang,
            config=" ".join(config[1:]),
            timeout=timeout or 0,
        )
        return parse_tsv(tsv)
    with tess.save(str(image) if isinstance(image, Path) else image) as (base, source):
        tess.run_tesseract(source, base, "tsv hocr", lang, " ".join(config), 0, timeout or 0)
        tsv = Path(base + ".tsv").read_text(encoding="utf-8")
        hocr = Path(base + ".hocr").read_text(encoding="utf-8")
    blocks = parse_tsv(tsv)
    langs = hocr_models(hocr)
    for b in blocks:
        for para in b.paras:
            for line in para:
                for w in line:
                    w.model = langs.get(w.box, "")
    return blocks


_HOCR_TAG = re.compile(r"<(?:p|span) class='(ocr_par|ocrx_word)'([^>]*)>")
_HOCR_LANG = re.compile(r"\blang='([^']*)'")
_HOCR_BOX = re.compile(r"\bbbox (\d+) (\d+) (\d+) (\d+)")


def hocr_models(hocr: str) -> dict[Box, str]:
    """Word box -> the language whose model read it, from Tesseract's hOCR: a word names its
    language when it differs from its paragraph's, else it has the paragraph's."""
    out: dict[Box, str] = {}
    par = ""
    for m in _HOCR_TAG.finditer(hocr):
        lang = _HOCR_LANG.search(m.group(2))
        if m.group(1) == "ocr_par":
            par = lang.group(1) if lang else ""
            continue
        box = _HOCR_BOX.search(m.group(2))
        if box:
            x0, y0, x1, y1 = (int(v) for v in box.groups())
            out[(x0, y0, x1, y1)] = lang.group(1) if lang else par
    return out


def parse_tsv(tsv: str) -> list[RawBlock]:
    """Tesseract TSV → blocks. Rows are level 1..5 (page, block, para, line, word)."""
    blocks: dict[int, RawBlock] = {}
    paras: dict[tuple[int, int], list[list[RawWord]]] = {}
    lines: dict[tuple[int, int, int], list[RawWord]] = {}
    rows = tsv.splitlines()
    for row in rows[1:]:
        cols = row.split("\t")
        if len(cols) < 11:
            continue
        try:
            level, _page, bn, pn, ln = (int(c) for c in cols[:5])
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        text = cols[11] if len(cols) > 11 else ""
        box = (left, top, left + width, top + height)
        if level == 2:
            blocks[bn] = RawBlock(box)
        elif level == 3 and bn in blocks:
            paras[(bn, pn)] = []
            blocks[bn].paras.append(paras[(bn, pn)])
        elif level == 4 and (bn, pn) in paras:
            lines[(bn, pn, ln)] = []
            paras[(bn, pn)].append(lines[(bn, pn, ln)])
        elif level == 5 and (bn, pn, ln) in lines:
            lines[(bn, pn, ln)].append(RawWord(text, box, conf))
    return list(blocks.values())
