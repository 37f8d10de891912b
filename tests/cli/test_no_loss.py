"""No silent loss (issue #16, the I/O half), through the real CLI: a book that came out empty
although its input had text fails; a failure leaves no empty output folder behind."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from helpers import SHARED
from helpers import bad_files as bf
from helpers.cli import run

from digitize.errors import ExitCode


def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if "digitize: error:" in ln]


def truncated_pdf(tmp: Path, name: str = "cut.pdf") -> Path:
    """A born-digital three-page PDF cut in half: MuPDF repairs it into three pages whose
    content streams and fonts are gone (what `head -c` does to a download)."""
    good = bf.text_pdf(tmp / "whole.pdf", pages=[(bf.WORDS,) * 4] * 3)
    data = good.read_bytes()
    cut = tmp / name
    cut.write_bytes(data[: len(data) // 2])
    with pymupdf.open(cut) as doc:  # the premise: pages open, no text survives
        assert doc.is_repaired and doc.page_count == 3
        assert not any(page.get_text().strip() for page in doc)
    return cut


def batch_with_a_fine_book(inbox: Path, lib: Path) -> subprocess.CompletedProcess[str]:
    """`digitize batch` of `inbox` (plus a good born-digital book) into `lib`."""
    bf.text_pdf(inbox / "fine.pdf")
    return run(
        "batch", str(inbox), str(lib), "--settle", "0", "-j", "1", "--to", "txt",
        "--cache-dir", str(lib.parent / "cache"),
    )  # fmt: skip


def blank_pdf(path: Path, pages: int = 2) -> Path:
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=300, height=400)
    doc.save(path)
    return path


# ---------------------------------------------------------------- empty is not success


def test_truncated_pdf_with_no_text_left_exits_6_with_only_its_report(tmp_path: Path) -> None:
    cut = truncated_pdf(tmp_path)
    out = tmp_path / "out"
    proc = run("convert", str(cut), "-o", str(out), "--no-cache", "-j", "1", "--to", "epub,txt")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    (line,) = errors(proc)
    assert "cut.pdf: no text reached the book despite damaged pages 1-3" in line
    assert "Traceback" not in proc.stderr
    # No empty e-book: the report alone, which says why.
    assert sorted(p.name for p in out.iterdir()) == ["cut.report.html", "cut.report.json"]
    report = json.loads((out / "cut.report.json").read_text())
    assert any("no text reached the book" in w for w in report["warnings"])


def test_batch_records_an_empty_book_as_failed_with_the_reason(tmp_path: Path) -> None:
    inbox, lib = tmp_path / "inbox", tmp_path / "lib"
    inbox.mkdir()
    truncated_pdf(inbox)
    proc = batch_with_a_fine_book(inbox, lib)
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    with sqlite3.connect(lib / ".digitize-ledger.sqlite") as db:
        rows = dict(db.execute("SELECT path, status || ': ' || COALESCE(reason, '') FROM books"))
    status = {Path(k).name: v for k, v in rows.items()}
    assert status["fine.pdf"].startswith("done")
    assert status["cut.pdf"].startswith("failed: cut.pdf: no text reached the book"), status
    assert (lib / "fine" / "fine.txt").is_file()
    assert not (lib / "cut" / "cut.txt").exists()


def test_blank_input_is_only_a_warning(tmp_path: Path) -> None:
    src = blank_pdf(tmp_path / "blank.pdf")
    out = tmp_path / "out"
    proc = run("convert", str(src), "-o", str(out), "--no-cache", "-j", "1", "--to", "txt")
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "blank.pdf: no text found on any page (blank pages?)" in proc.stderr
    assert (out / "blank.txt").is_file()


def test_a_scan_whose_text_nothing_read_fails_a_blank_scan_warns(tmp_path: Path) -> None:
    """A pipeline without OCR reads no scan: text-like ink with no text is a failure, a blank
    page only a warning."""
    pipe = tmp_path / "noocr.toml"
    pipe.write_text('[pipeline]\nname = "noocr"\n[[stage]]\nuse = "export.txt"\n')
    text = scan_with_photo(tmp_path / "text.png", photo=False)
    blank = tmp_path / "blank.png"
    bf.Image.new("L", (1700, 2200), 250).save(blank, dpi=(200, 200))
    convert = ("convert", "-p", str(pipe), "-o", str(tmp_path / "out"), "--no-cache", "-j", "1")
    proc = run(*convert, str(text))
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    (line,) = errors(proc)
    assert "text.png: no text reached the book despite text-like ink on page 1" in line
    proc = run(*convert, str(blank))
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "blank.png: no text found on any page (blank pages?)" in proc.stderr


@pytest.mark.slow
def test_shared_multipage_cut_at_100000_bytes_exits_6(tmp_path: Path) -> None:
    whole = SHARED / "testpdfs" / "multipage.pdf"
    if not whole.is_file():
        pytest.skip(f"{whole} not present (the shared test PDFs are optional)")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole.read_bytes()[:100000])
    out = tmp_path / "out"
    proc = run("convert", str(cut), "-o", str(out), "--no-cache", "--to", "epub")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    (line,) = errors(proc)
    assert "cut.pdf: no text reached the book" in line
    assert not (out / "cut.epub").exists()


# ---------------------------------------------------------------- no empty output folder


def test_a_failed_run_leaves_no_output_folder_it_made(tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a pdf at all\n")
    out = tmp_path / "new" / "out"
    proc = run("convert", str(notes), "-o", str(out), "--no-cache")  # exit 3: bad input
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert not (tmp_path / "new").exists()
    good = bf.text_pdf(tmp_path / "good.pdf")
    proc = run("convert", str(good), "-o", str(out), "--no-cache", "--lang", "zzz")  # exit 4
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY, proc.stderr
    assert not (tmp_path / "new").exists()
    # A folder that was there before stays, empty or not.
    out.mkdir(parents=True)
    proc = run("convert", str(notes), "-o", str(out), "--no-cache")
    assert proc.returncode == ExitCode.BAD_INPUT and out.is_dir() and not any(out.iterdir())


def test_batch_leaves_no_empty_book_folder_for_a_book_that_failed(tmp_path: Path) -> None:
    inbox, lib = tmp_path / "inbox", tmp_path / "lib"
    inbox.mkdir()
    (inbox / "notes.pdf").write_text("not a pdf at all\n")
    proc = batch_with_a_fine_book(inbox, lib)
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    assert (lib / "fine" / "fine.txt").is_file()
    assert not (lib / "notes").exists()


# ---------------------------------------------------------------- export without page images


def scan_with_photo(path: Path, photo: bool = True) -> Path:
    """A 200 dpi page: lines of text above and below a photo (a noisy gradient)."""
    font = bf.ImageFont.truetype(bf.DEJAVU, 34)
    im = bf.Image.new("L", (1700, 2200), 255)
    draw = bf.ImageDraw.Draw(im)
    for i in range(6):
        draw.text(
            (150, 150 + 60 * i), "The quick brown fox jumps over the lazy dog.", font=font, fill=0
        )
        draw.text(
            (150, 1500 + 60 * i), "Pictures of the river and the old bridge.", font=font, fill=0
        )
    if not photo:
        im.save(path, dpi=(200, 200))
        return path
    rng = np.random.default_rng(1)
    pixels = np.add.outer(np.arange(700), np.arange(900)) % 255 + rng.integers(-40, 40, (700, 900))
    im.paste(bf.Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), (400, 700))
    im.save(path, dpi=(200, 200))
    return path


@pytest.mark.tesseract
def test_export_after_cache_clear_warns_per_missing_image_and_shows_placeholders(
    tmp_path: Path,
) -> None:
    cache = str(tmp_path / "cache")
    src = scan_with_photo(tmp_path / "page.png")
    proc = run("convert", str(src), "-o", str(tmp_path / "a"), "--cache-dir", cache, "-j", "1")
    assert proc.returncode == 0, proc.stderr
    book_json = tmp_path / "a" / "page.book.json"
    book = json.loads(book_json.read_text())["book"]
    (figure,) = [f["image"] for f in book["flow"] if f.get("t") == "Figure"]
    cover = book["pages"][0]["image"]

    export = ("export", str(book_json), "--to", "epub,html", "--cache-dir", cache)
    proc = run(*export, "-o", str(tmp_path / "b"))  # images still there: no warning, pictures
    assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr
    assert "<img" in (tmp_path / "b" / "page.html").read_text()

    assert run("cache", "clear", "--cache-dir", cache).returncode == 0
    proc = run(*export, "-o", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert sorted(warnings) == sorted(
        [
            f"digitize: warning: image missing: {figure} (a figure on page 1)",
            f"digitize: warning: image missing: {cover} (page 1's image, for the EPUB cover)",
        ]
    ), proc.stderr
    name = Path(figure).name
    page = (tmp_path / "c" / "page.html").read_text()
    assert f"image missing: {name}" in page and "<img" not in page
    assert 'class="image-missing"' in page
    with zipfile.ZipFile(tmp_path / "c" / "page.epub") as z:
        assert not [n for n in z.namelist() if "/images/" in n or "cover" in n]
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert f'aria-label="image missing: {name}"' in text and "<img" not in text


# ---------------------------------------------------------------- born-digital pages


def _epub_images(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        return [n for n in z.namelist() if "/images/" in n]


def test_born_digital_pictures_reach_the_epub_and_html(tmp_path: Path) -> None:
    src = bf.pictures_pdf(tmp_path / "pics.pdf")  # image XObject, Form XObject, inline image
    out = tmp_path / "out"
    proc = run("convert", str(src), "-o", str(out), "--no-cache", "--to", "epub,html,txt")
    assert proc.returncode == 0, proc.stderr
    assert len(_epub_images(out / "pics.epub")) == 3
    page = (out / "pics.html").read_text()
    assert page.count("<img") == 3 and "image missing" not in page
    lines = "Picture one: an image XObject.|Picture two: a Form XObject.|Picture three: an inline image."
    # A text layer of five words a page is used as it is: no OCR.
    assert (out / "pics.txt").read_text().split() == lines.replace("|", " ").split()


@pytest.mark.parametrize(
    ("name", "text", "pictures"),
    [
        ("formxobject.pdf", "What follows is an image embedded as a Form XObject:", 1),
        ("overlay.pdf", "Text Text Text Payed 2017-Jan-22", 0),
        ("missing_docinfo.pdf", "This file has no /DocumentInfo block", 0),
    ],
)
def test_shared_born_digital_pdfs_keep_text_and_pictures(
    name: str, text: str, pictures: int, tmp_path: Path
) -> None:
    src = SHARED / "testpdfs" / name
    if not src.is_file():
        pytest.skip(f"{src} not present (the shared test PDFs are optional)")
    out = tmp_path / "out"
    proc = run("convert", str(src), "-o", str(out), "--no-cache", "--to", "epub,html,txt")
    assert proc.returncode == 0, proc.stderr
    stem = Path(name).stem
    assert text.split() == (out / f"{stem}.txt").read_text().split()[: len(text.split())]
    assert len(_epub_images(out / f"{stem}.epub")) == pictures
    assert (out / f"{stem}.html").read_text().count("<img") == pictures
