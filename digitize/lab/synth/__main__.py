"""`python -m digitize.lab.synth --lang vi --pages 10 --level light --seed 1 -o DIR` (or --corpus)."""

from __future__ import annotations

import argparse
import sys
import time

from digitize.lab.synth.book import BookSpec, generate_book
from digitize.lab.synth.corpus import make_corpus


def _rotations(text: str) -> tuple[tuple[int, int], ...]:
    """'3:90,5:180' -> ((2, 90), (4, 180)): 1-based scan numbers on the command line."""
    out = []
    for part in filter(None, text.split(",")):
        page, deg = part.split(":")
        if int(deg) not in (90, 180, 270):
            raise argparse.ArgumentTypeError(f"rotation must be 90, 180 or 270, not {deg}")
        out.append((int(page) - 1, int(deg)))
    return tuple(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m digitize.lab.synth", description=__doc__)
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--lang", default="vi", choices=["vi", "en", "vi+en"])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--level", default="clean", choices=["clean", "light", "heavy"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--title", default=None)
    ap.add_argument("--two-column", type=float, default=0.15, help="chance per page")
    ap.add_argument("--front-matter", action="store_true", help="roman-numbered preface first")
    ap.add_argument("--rotate", type=_rotations, default=(), help="e.g. 3:90,5:180 (scan:deg)")
    ap.add_argument("--spread", action="store_true", help="two facing pages per scan image")
    ap.add_argument("--png-pdf", action="store_true", help="lossless PNG images in book.pdf")
    ap.add_argument("--texts", default=None, help="folder of source texts (default: shared)")
    ap.add_argument("--corpus", action="store_true", help="write the standard corpus instead")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    if a.corpus:
        dirs = make_corpus(a.out, jobs=a.jobs)
        print(f"{len(dirs)} books in {a.out} ({time.perf_counter() - t0:.1f} s)")
        return 0
    spec = BookSpec(
        lang=a.lang,
        pages=a.pages,
        level=a.level,
        seed=a.seed,
        title=a.title,
        two_column=a.two_column,
        front_matter=a.front_matter,
        rotate=a.rotate,
        spread=a.spread,
        pdf_jpeg=None if a.png_pdf else 85,
        texts_dir=a.texts,
    )
    truth = generate_book(spec, a.out)
    print(
        f"{len(truth['pages'])} pages of {truth['title']!r} in {a.out} "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
