"""Tesseract CER on the shared real scans with and without the preprocess stages.

    .venv/bin/python bench/preprocess_real.py [/work/shared/realscans]

Pages with ground truth only (MANIFEST.md conventions: NFC, whitespace collapsed; NOMVN pages
are 200 dpi; lang eng or vie as in the manifest's baseline). Skips when the folder is absent.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from preprocess_cer import cer, ocr

from digitize.model import Page
from digitize.registry import load_stage
from digitize.stage import Context

CHAINS = {
    "none": [],
    "default": ["borders", "deskew", "illumination", "denoise"],
    "default+binarize": ["borders", "deskew", "illumination", "denoise", "binarize"],
}


def pages(root: Path) -> list[tuple[Path, Path, str, int]]:
    out = []
    for gt in sorted(set(root.rglob("*.txt"))):
        if gt.name.endswith(".gt.txt"):
            stem = gt.name[: -len(".gt.txt")]
        elif gt.with_suffix(".uzn").exists() or gt.with_suffix(".tif").exists():
            stem = gt.stem
        else:
            continue
        cands = [gt.parent / f"{stem}{s}" for s in (".png", "_p1.png", ".tif")]
        img = next((c for c in cands if c.exists()), None)
        if img is None:
            continue
        vie = "/vie/" in str(gt)
        out.append((img, gt, "vie" if vie else "eng", 200 if vie else 300))
    return out


def run_chain(img: Path, names: list[str], dpi: int, work: Path) -> Path:
    if not names:
        return img
    rel = f"src/{img.name}"
    data = cv2.imread(str(img), cv2.IMREAD_UNCHANGED)
    (work / "src").mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(work / rel), data if data.dtype == np.uint8 else (data >> 8).astype(np.uint8))
    h, w = data.shape[:2]
    page = Page(index=0, size=(w, h), dpi=dpi, image=rel)
    ctx = Context(work_dir=str(work), dpi=dpi)
    for n in names:
        page = load_stage(f"preprocess.{n}")().process_page(page, ctx)
    if page.warnings:
        print(f"  {img.name} {'+'.join(names)}: {'; '.join(page.warnings)}", file=sys.stderr)
    return work / page.image


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/realscans")
    if not root.is_dir():
        print(f"skipped: {root} not found")
        return
    work = Path(tempfile.mkdtemp(prefix="ppreal-"))
    todo = pages(root)

    def one(item: tuple[Path, Path, str, int]) -> tuple[str, dict[str, float]]:
        img, gt, lang, dpi = item
        truth = gt.read_text(encoding="utf-8", errors="replace")
        res = {}
        for label, names in CHAINS.items():
            out = run_chain(img, names, dpi, work / img.stem / label)
            res[label] = cer(truth, ocr(out, lang, dpi))
        return img.stem, res

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one, todo))
    print(f"{'page':34}" + "".join(f"{k:>18}" for k in CHAINS))
    for stem, res in results:
        print(f"{stem:34}" + "".join(f"{res[k]:18.2%}" for k in CHAINS))
    print(f"{'mean':34}" + "".join(f"{np.mean([r[k] for _, r in results]):18.2%}" for k in CHAINS))


if __name__ == "__main__":
    main()
