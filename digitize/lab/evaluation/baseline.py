"""The baseline to beat: the plain `tesseract` CLI on each page image, nothing else.

This is an evaluation tool, not a pipeline stage: it may run its own (thread) pool, each
Tesseract held to one thread (`OMP_THREAD_LIMIT=1`), so n jobs use n cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from digitize.lab.evaluation.metrics import cer, mean_scores, score_book
from digitize.lab.evaluation.truth import load_truth, page_text, tesseract_lang
from digitize.model import nfc


def tesseract_available(langs: tuple[str, ...] = ("eng", "vie")) -> bool:
    """True when the tesseract binary exists and has every language in `langs`."""
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    have = set(out.split())
    return all(lang in have for lang in langs)


def tesseract_text(
    image: Path | str, lang: str = "vie+eng", dpi: int | None = None, psm: int = 3
) -> str:
    """Plain-text OCR of one image by the tesseract CLI (NFC). `dpi` for images without one."""
    cmd = ["tesseract", str(image), "stdout", "-l", lang, "--psm", str(psm)]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"tesseract failed on {image}: {res.stderr.strip()[-400:]}")
    return nfc(res.stdout)


def baseline_pages(book_dir: Path | str, jobs: int = 2, lang: str | None = None) -> list[str]:
    """OCR every scan image of a synthetic book, in order (one text per image)."""
    d = Path(book_dir)
    truth = load_truth(d)
    images: list[str] = []
    for p in truth["pages"]:
        if p["image"] not in images:
            images.append(p["image"])
    dpi = truth["pages"][0].get("dpi", 300) if truth["pages"] else 300
    tl = lang or tesseract_lang(truth["lang"])
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda im: tesseract_text(d / im, tl, dpi), images))


def baseline_book(book_dir: Path | str, jobs: int = 2, lang: str | None = None) -> str:
    """The baseline's text of a whole book: page texts joined by blank lines."""
    return "\n\n".join(baseline_pages(book_dir, jobs, lang))


def baseline_corpus(corpus_dir: Path | str, jobs: int = 2) -> dict[str, Any]:
    """Score the plain-Tesseract baseline on every book under `corpus_dir`.

    Besides `score_book` (output vs the reading text), `page_cer` is the mean CER of each page
    against everything printed on it (`page_text`, furniture included): pure OCR quality.
    Returns {"books": {name: scores}, "by_level": {level: mean scores}}.
    """
    books: dict[str, dict[str, float]] = {}
    levels: dict[str, list[dict[str, float]]] = {}
    for d in sorted(p.parent for p in Path(corpus_dir).glob("*/truth.json")):
        truth = load_truth(d)
        texts = baseline_pages(d, jobs)
        scores = score_book(truth, [], "\n\n".join(texts))
        if len(texts) == len(truth["pages"]):  # one page per image (not spreads)
            pc = [cer(page_text(p), t) for p, t in zip(truth["pages"], texts, strict=True)]
            scores["page_cer"] = sum(pc) / len(pc)
        books[d.name] = scores
        levels.setdefault(truth["level"], []).append(scores)
    return {"books": books, "by_level": {k: mean_scores(v) for k, v in levels.items()}}


def baseline_realscans(root: Path | str | None = None, jobs: int = 2) -> dict[str, float]:
    """CER of the plain-Tesseract baseline on each real page with ground truth ({id: CER}).

    Vietnamese tone placement is folded on both sides (print and GT disagree on oa/oe/uy).
    Returns {} when the real scans are absent.
    """
    from digitize.lab.evaluation.metrics import fold_tone_placement
    from digitize.lab.evaluation.realscans import realscan_pages

    pages = realscan_pages(root)

    def one(p: Any) -> float:
        hyp, ref = tesseract_text(p.image, p.lang, p.dpi), p.truth_text()
        if p.lang == "vie":
            hyp, ref = fold_tone_placement(hyp), fold_tone_placement(ref)
        return cer(ref, hyp)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(zip([p.id for p in pages], pool.map(one, pages), strict=True))
