"""Run the tesseract CLI on a page image and build a Page the way `ocr.tesseract` does:
one Block per Tesseract paragraph, with Lines and Words (page pixels, conf 0..1)."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from digitize.model import BBox, Block, Line, Page, Word, nfc
from digitize.stages.ocr import _tesseract_engines as eng

#: tests that run real Tesseract with the book languages (CI installs them)
has_vie_eng = pytest.mark.skipif(
    eng.tessdata_dir() is None or not {"vie", "eng"} <= set(eng.installed_languages()),
    reason="tesseract with vie+eng data not installed",
)
#: both engines of `ocr.tesseract`, for tests that must hold whichever runs
ENGINES = [
    pytest.param(
        "tesserocr",
        marks=pytest.mark.skipif(eng.tesserocr_version() is None, reason="no tesserocr"),
    ),
    pytest.param("cli", marks=pytest.mark.skipif(eng.cli_path() is None, reason="no CLI")),
]


def ocr_page(
    image: Path,
    index: int,
    work: Path,
    lang: str = "vie+eng",
    figures: list[tuple[int, int, int, int]] = (),
) -> Page:  # type: ignore[assignment]
    tsv = subprocess.run(
        ["tesseract", str(image), "-", "-l", lang, "--psm", "3", "tsv"],
        capture_output=True,
        text=True,
        check=True,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/usr/local/bin"},
    ).stdout
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    paras: dict[tuple[int, int], dict[int, list[Word]]] = {}
    for r in rows:
        if r["level"] != "5" or not r["text"].strip():
            continue
        x, y, w, h = (int(r[k]) for k in ("left", "top", "width", "height"))
        word = Word(nfc(r["text"]), BBox(x, y, x + w, y + h), max(0.0, float(r["conf"])) / 100)
        key = (int(r["block_num"]), int(r["par_num"]))
        paras.setdefault(key, {}).setdefault(int(r["line_num"]), []).append(word)
    blocks = []
    for _, lines in sorted(paras.items()):
        lns = [
            Line(tuple(ws), BBox.enclosing([w.bbox for w in ws])) for _, ws in sorted(lines.items())
        ]
        blocks.append(Block("paragraph", tuple(lns), BBox.enclosing([ln.bbox for ln in lns])))
    # Tesseract's own figure regions are unreliable on line art; the test gives the true ones,
    # dropping any OCR noise read inside them.
    for f in figures:
        fb = BBox(*f)
        blocks = [b for b in blocks if not _inside(b.bbox, fb)]
        blocks.append(Block("figure", (), fb))
    from PIL import Image

    with Image.open(image) as im:
        size = im.size
    return Page(
        index=index, size=size, dpi=200, image=str(image.relative_to(work)), blocks=tuple(blocks)
    )


def _inside(a: BBox, b: BBox) -> bool:
    return a.x0 >= b.x0 - 5 and a.y0 >= b.y0 - 5 and a.x1 <= b.x1 + 5 and a.y1 <= b.y1 + 5
