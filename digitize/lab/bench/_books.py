"""The bench's inputs, all made from one synthetic scanned book (`digitize.lab.synth`).

- the scanned PDF (`book.pdf`: JPEG page images, no text layer) and its pages rendered to PNG at
  the pipeline's resolution, exactly as `ingest.pdf` renders them (the ideal's input);
- a born-digital twin: the same pages' true text typeset with pymupdf `insert_text` at the true
  line positions (DejaVu Serif covers Vietnamese), so text and page count match;
- long books for the memory scaling: the scanned pages repeated to 30 and 300 pages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def make_scanned(out: Path, pages: int, seed: int = 1, level: str = "light") -> Path:
    """A synthetic Vietnamese textbook, degraded to `level` (`light` by default, `heavy` for
    the heavy-scans case): `out/book.pdf`, `out/truth.json`."""
    if not (out / "book.pdf").is_file():
        cmd = [sys.executable, "-m", "digitize.lab.synth", "--lang", "vi", "--pages", str(pages)]
        cmd += ["--level", level, "--seed", str(seed), "-o", str(out)]
        subprocess.run(cmd, check=True, capture_output=True)
    return out / "book.pdf"


def render_pages(pdf: Path, out: Path, dpi: int) -> list[Path]:
    """Grey PNGs at `dpi`, the pixels `ingest.pdf` hands to Tesseract."""
    import pymupdf

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with pymupdf.open(pdf) as doc:
        for i, page in enumerate(doc):
            p = out / f"p{i + 1:04d}.png"
            if not p.is_file():
                pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
                pix.save(p)
            paths.append(p)
    return paths


def make_born_digital(truth_json: Path, scanned: Path, out: Path) -> Path:
    """The same book typeset as a born-digital PDF: every true line at its true position."""
    import pymupdf

    if out.is_file():
        return out
    truth = json.loads(truth_json.read_text(encoding="utf-8"))
    src = pymupdf.open(scanned)
    doc = pymupdf.open()
    pages = [src.load_page(i) for i in range(src.page_count)]
    for tp, sp in zip(truth["pages"], pages, strict=False):
        page = doc.new_page(width=sp.rect.width, height=sp.rect.height)
        k = 72 / (tp.get("dpi") or 300)
        page.insert_font(fontname="dv", fontfile=FONT)
        for block in tp["blocks"]:
            for line in block.get("lines") or []:
                x0, y0, _x1, y1 = (v * k for v in line["bbox"])
                size = max(4.0, (y1 - y0) * 0.78)
                page.insert_text(
                    (x0, y1 - 0.22 * (y1 - y0)), line["text"], fontname="dv", fontsize=size
                )
    doc.set_metadata({"title": truth.get("title", "")})
    doc.save(out, garbage=3, deflate=True)
    return out


def make_long(scanned: Path, out: Path, pages: int) -> Path:
    """`pages` pages made by repeating the scanned book's pages (one file per length)."""
    import pymupdf

    if out.is_file():
        return out
    src = pymupdf.open(scanned)
    doc = pymupdf.open()
    while doc.page_count < pages:
        n = min(src.page_count, pages - doc.page_count)
        doc.insert_pdf(src, from_page=0, to_page=n - 1)
    doc.save(out)
    return out
