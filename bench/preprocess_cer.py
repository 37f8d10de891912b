"""Benchmark the preprocess stages on synthetic damaged pages: deskew angle error and
Tesseract CER with and without each stage.

    .venv/bin/python bench/preprocess_cer.py [--quick]

Pages are rendered (DejaVu Serif, 300 dpi) by tests/helpers/preprocess_pages.py, damaged with
known parameters, run through the stages, then OCRed with the Tesseract CLI
(`tesseract img - -l vie+eng --psm 3`). CER is the evaluation's (`digitize.lab.evaluation.metrics`):
edit distance / reference length, on text with whitespace collapsed, NFC.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers import preprocess_pages as pp  # noqa: E402

from digitize.lab.evaluation.metrics import cer  # noqa: E402
from digitize.stages.preprocess.binarize import Binarize  # noqa: E402
from digitize.stages.preprocess.borders import Borders  # noqa: E402
from digitize.stages.preprocess.denoise import Denoise  # noqa: E402
from digitize.stages.preprocess.deskew import Deskew, DeskewOptions, measure_skew  # noqa: E402
from digitize.stages.preprocess.illumination import Illumination  # noqa: E402
from digitize.stages.preprocess.orientation import Orientation  # noqa: E402


def ocr(path: Path, lang: str = "vie+eng", dpi: int | None = None) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = ["tesseract", str(path), "-", "-l", lang, "--psm", "3"]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout


def run(stages, img: np.ndarray, work: Path, name: str) -> Path:
    page, ctx = pp.make_page(work, img, name=f"{name}.png")
    for s in stages:
        page = s.process_page(page, ctx)
    return work / page.image


def main() -> None:
    quick = "--quick" in sys.argv
    work = Path(tempfile.mkdtemp(prefix="ppbench-"))
    clean, truth = pp.render_page(pp.TEXT * 3, size=(1650, 2300), font_px=42, margin=150)

    # 1. deskew angle error
    errs = []
    for a in np.linspace(-9.7, 9.7, 9 if quick else 41):
        m, _ = measure_skew(pp.rotate(clean, float(a)), 300, DeskewOptions())
        errs.append(abs(m - a))
    print(
        f"deskew |error| over {len(errs)} angles in ±9.7°: "
        f"mean {np.mean(errs):.3f}°, max {np.max(errs):.3f}°"
    )

    sk, il, dn, bd, bz = Deskew(), Illumination(), Denoise(), Borders(), Binarize()
    orient = Orientation()
    damaged = {
        "clean": (clean, [[], [bz]]),
        "skew +3.5°": (pp.rotate(clean, 3.5), [[], [sk]]),
        "skew -7°": (pp.rotate(clean, -7.0), [[], [sk]]),
        "rotated 90°": (cv2.rotate(clean, cv2.ROTATE_90_CLOCKWISE), [[], [orient]]),
        "rotated 180°": (cv2.rotate(clean, cv2.ROTATE_180), [[], [orient]]),
        "shadow+yellow": (pp.yellow_paper(pp.shadow(clean, 0.7)), [[], [il], [il, bz]]),
        "deep shadow": (pp.yellow_paper(pp.shadow(clean, 0.9)), [[], [il], [il, bz]]),
        "faded+shadow": (
            pp.shadow((clean.astype(np.float32) * 0.35 + 150).astype(np.uint8), 0.6),
            [[], [il], [il, bz]],
        ),
        "speckle 3000": (pp.speckle(clean, 3000, seed=5, max_r=2), [[], [dn]]),
        "black border": (pp.black_border(clean, (60, 40, 90, 50)), [[], [bd]]),
        "all combined": (
            pp.black_border(pp.speckle(pp.rotate(pp.shadow(clean, 0.6), 2.2), 2000), (50,) * 4),
            [[], [bd, sk, il, dn], [bd, sk, il, dn, bz]],
        ),
    }
    if quick:
        damaged = {k: damaged[k] for k in ("skew +3.5°", "deep shadow", "all combined")}
    print(f"\n{'damage':16} {'stages':40} {'CER':>7} {'sec':>5}")
    for name, (img, variants) in damaged.items():
        for stages in variants:
            t = time.time()
            out = run(stages, img, work, name.replace(" ", "_").replace("°", ""))
            t_stage = time.time() - t
            c = cer(truth, ocr(out))
            label = " + ".join(s.name.split(".")[1] for s in stages) or "(none)"
            print(f"{name:16} {label:40} {c:7.2%} {t_stage:5.2f}")


if __name__ == "__main__":
    main()
