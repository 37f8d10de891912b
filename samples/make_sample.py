"""Regenerate the committed sample textbook: `python samples/make_sample.py`.

Writes samples/sach-mau.pdf (image-only, grayscale JPEG pages), sach-mau.truth.json and
sach-mau.truth.txt. Deterministic: rerunning gives the same files (given the same shared texts,
fonts and library versions).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from digitize.lab.synth import BookSpec, generate_book  # noqa: E402

SPEC = BookSpec(
    lang="vi+en",
    pages=5,
    level="light",
    seed=29,
    title="Nho giáo yếu lược",
    two_column=0.25,
    front_matter=False,
    footer=False,
    english_passages=1,
    pdf_jpeg=40,
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate_book(SPEC, tmp)
        # the PNGs are not committed: point each page at its page of the PDF (same pixels
        # size and dpi; the PDF holds them JPEG-compressed)
        for p in truth["pages"]:
            n = int(p["image"].rsplit("-", 1)[1].split(".")[0])
            p["image"] = f"sach-mau.pdf#page={n}"
        truth["spec"].pop("pdf_jpeg", None)
        shutil.copyfile(Path(tmp) / "book.pdf", HERE / "sach-mau.pdf")
        shutil.copyfile(Path(tmp) / "truth.txt", HERE / "sach-mau.truth.txt")
    (HERE / "sach-mau.truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    en = [it for it in truth["flow"] if it.get("kind") == "paragraph" and it["lang"] == "en"]
    size = (HERE / "sach-mau.pdf").stat().st_size
    print(f"{len(truth['pages'])} pages, {len(en)} English passage(s), PDF {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
