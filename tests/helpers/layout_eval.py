"""Measure the layout stages on a rendered textbook run through real Tesseract.

    .venv/bin/python tests/helpers/layout_eval.py OUT_DIR [PAGES] [--light|--heavy] [--nofig]

Prints printed-label accuracy, furniture leaks, line-end hyphen leaks, paragraph-boundary F1
(and plain Tesseract's), heading precision/recall and caption recall against the exact truth.
"""

from __future__ import annotations

import difflib
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: run as a script

from digitize.model import Book, BookMeta, Figure, Heading, Paragraph
from digitize.stage import Context
from digitize.stages.layout.blocks import BlockLayout
from digitize.stages.layout.flow import FlowBuilder
from digitize.stages.layout.furniture import RunningFurniture
from helpers.render_book import boundary_f1, make_book, truth_paragraphs
from helpers.tess import ocr_page


def degrade(path: Path, heavy: bool, seed: int) -> None:
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    with Image.open(path) as im:
        a = np.asarray(im.filter(ImageFilter.GaussianBlur(1.2 if heavy else 0.8))).astype(float)
    a += rng.normal(0, 25 if heavy else 12, a.shape)
    for _ in range(300 if heavy else 80):
        y, x = rng.integers(0, a.shape[0] - 4), rng.integers(0, a.shape[1] - 4)
        a[y : y + 3, x : x + 3] = 0
    out = Image.fromarray((a * 0.85 + 20).clip(0, 255).astype("uint8"))
    out.rotate(0.4 if heavy else 0.15, fillcolor=235).save(path)


def main(argv: list[str]) -> None:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    n = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 10
    truth = make_book(out, n, two_col=(3, 6))
    if "--light" in argv or "--heavy" in argv:
        for i in range(n):
            degrade(out / f"p{i:03d}.png", "--heavy" in argv, i)
    figs = (lambda i: []) if "--nofig" in argv else (lambda i: truth.figures[i])
    with ThreadPoolExecutor(2) as ex:
        pages = list(
            ex.map(lambda i: ocr_page(out / f"p{i:03d}.png", i, out, figures=figs(i)), range(n))
        )
    ctx = Context(work_dir=str(out))
    book = Book(BookMeta(lang="vi"), tuple(pages), (), str(out))
    book = book.with_pages([BlockLayout().process_page(p, ctx) for p in book.pages])
    book = RunningFurniture().process_book(book, ctx)
    book = FlowBuilder().process_book(book, ctx)
    pred = [i.text for i in book.flow if isinstance(i, Paragraph)]
    plain = [" ".join(ln.text for ln in b.lines) for p in pages for b in p.blocks if b.lines]
    body = " ".join(pred)
    words = body.split()
    heads = [i.text for i in book.flow if isinstance(i, Heading)]
    truth_heads = [t for k, t, _ in truth.flow if k == "heading"]

    def found(a: str, pool: list[str]) -> bool:
        return any(difflib.SequenceMatcher(None, a, b).ratio() >= 0.85 for b in pool)

    caps = [i.caption for i in book.flow if isinstance(i, Figure)]
    truth_caps = [t for k, t, _ in truth.flow if k == "figure"]
    print(
        "labels right",
        sum(a == b for a, b in zip([p.label for p in book.pages], truth.labels, strict=True)),
        "/",
        n,
    )
    print(
        "running heads in body",
        sum(body.count(h) for h in set(truth.furniture[::2])),
        "page-number paragraphs",
        sum(t.strip() in truth.labels for t in pred),
    )
    print(
        "line-end hyphens left per 1000 words",
        round(1000 * sum(w.endswith("-") for w in words) / max(len(words), 1), 2),
    )
    print(
        "paragraph F1",
        round(boundary_f1(pred, truth_paragraphs(truth)), 3),
        "plain tesseract",
        round(boundary_f1(plain, truth_paragraphs(truth)), 3),
    )
    print(
        "heading P",
        sum(found(h, truth_heads) for h in heads),
        "/",
        len(heads),
        "R",
        sum(found(h, heads) for h in truth_heads),
        "/",
        len(truth_heads),
    )
    print("caption recall", sum(found(c, caps) for c in truth_caps), "/", len(truth_caps))


if __name__ == "__main__":
    main(sys.argv[1:])
