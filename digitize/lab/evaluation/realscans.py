"""Real scanned pages with published ground truth (`/work/shared/realscans`, see MANIFEST.md).

Enumerating skips cleanly (returns []) when the folder is absent, so tests and tools run on
machines without it. Ground truth is read as published; see the manifest for its quirks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from digitize.model import nfc

# The checkout's sibling `shared/` (as laid out for developers and CI); not part of the project.
DEFAULT_ROOT = Path(__file__).resolve().parents[4] / "shared" / "realscans"

# (folder, image glob, how to name the truth from the image stem, dpi, tesseract lang)
_COLLECTIONS: tuple[tuple[str, str, str, int | None, str], ...] = (
    ("vie/nomvn", "*_p1.png", "{base}.gt.txt", 200, "vie"),  # no DPI tag; 200 dpi upstream
    ("eng/oldbooks", "*.png", "{stem}.gt.txt", 300, "eng"),
    ("eng/scribe", "*.png", "{stem}.gt.txt", None, "eng"),
    ("eng/tesseract-test", "*.tif", "{stem}.txt", 300, "eng"),
    ("eng/unlv", "*.tif", "{stem}.txt", 300, "eng"),
)


@dataclass(frozen=True)
class RealPage:
    """One real page: its image, its ground-truth text file and how to OCR it."""

    id: str  # "<collection>/<stem>", e.g. "eng/oldbooks/b017"
    image: Path
    truth: Path
    dpi: int | None  # None: trust the file / let Tesseract estimate
    lang: str  # Tesseract language code
    collection: str

    def truth_text(self) -> str:
        return nfc(self.truth.read_text(encoding="utf-8"))


def realscans_root(root: Path | str | None = None) -> Path:
    """`root`, else $DIGITIZE_REALSCANS, else `../shared/realscans` beside the checkout."""
    if root is not None:
        return Path(root)
    return Path(os.environ.get("DIGITIZE_REALSCANS", DEFAULT_ROOT))


def realscan_pages(root: Path | str | None = None, lang: str | None = None) -> list[RealPage]:
    """Every page with ground truth under `root`, sorted by id; [] when `root` is absent.

    `lang` ("vie" / "eng") keeps one language only.
    """
    base = realscans_root(root)
    if not base.is_dir():
        return []
    out = []
    for folder, pattern, truth_name, dpi, tl in _COLLECTIONS:
        d = base / folder
        if not d.is_dir() or (lang and tl != lang):
            continue
        for img in sorted(d.glob(pattern)):
            stem = img.stem
            base_name = stem[: -len("_p1")] if stem.endswith("_p1") else stem
            gt = d / truth_name.format(stem=stem, base=base_name)
            if gt.is_file():
                out.append(RealPage(f"{folder}/{stem}", img, gt, dpi, tl, folder))
    return out
