"""One engine, one text: `digitize convert` reads the words plain `tesseract` reads on the same
(cleaned) page image, whichever engine `auto` picks.

The tesserocr wheel bundles its own libtesseract (5.5.4); Debian's CLI is 5.3.0. The two releases
segment pages differently (5.5.4 drops a whole line of testpdfs/multipage.pdf), so `auto` only
runs tesserocr when it wraps the CLI's release.
"""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path

import pytest
from helpers import SHARED
from helpers.cli import digitize_cmd

from digitize import model
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr.tesseract import TesseractOcr

REAL = [SHARED / "realscans" / "eng" / "oldbooks" / n for n in ("c026.png", "g020.png")]
AGREEMENT = 0.995


def test_auto_runs_tesserocr_only_on_the_clis_release(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eng, "tesserocr_version", lambda: "2.13.0 (libtesseract 5.5.4)")
    monkeypatch.setattr(eng, "cli_version", lambda: "5.3.0")
    monkeypatch.setattr(eng, "cli_path", lambda: "/usr/bin/tesseract")
    monkeypatch.setattr(eng, "tessdata_dir", lambda: "/usr/share/tesseract-ocr/5/tessdata")
    assert TesseractOcr()._engine() == "cli"
    assert TesseractOcr(TesseractOcr.Options(engine="tesserocr"))._engine() == "tesserocr"
    monkeypatch.setattr(eng, "cli_version", lambda: "5.5.4")
    assert TesseractOcr()._engine() == "tesserocr"
    monkeypatch.setattr(eng, "cli_path", lambda: None)
    monkeypatch.setattr(eng, "cli_version", lambda: None)
    assert TesseractOcr()._engine() == "tesserocr"  # no CLI to disagree with
    monkeypatch.setattr(eng, "tesserocr_version", lambda: None)
    assert TesseractOcr()._engine() == "cli"


def _plain(image: Path, lang: str, dpi: int) -> list[str]:
    """Words of plain `tesseract IMAGE - --psm 3` (the same binary a user would run)."""
    out = subprocess.run(
        ["tesseract", str(image), "-", "--psm", "3", "-l", lang, "--dpi", str(dpi), "tsv"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    rows = [r.split("\t") for r in out.splitlines()[1:]]
    return [model.nfc(r[11].strip()) for r in rows if len(r) > 11 and r[0] == "5" and r[11].strip()]


def _agreement(ours: list[str], theirs: list[str]) -> float:
    """Shared words / the larger count. Words without a letter or digit ("_", "—") are left
    out: layout.blocks drops such specks on purpose."""
    a = collections.Counter(w for w in ours if any(c.isalnum() for c in w))
    b = collections.Counter(w for w in theirs if any(c.isalnum() for c in w))
    return sum((a & b).values()) / max(1, max(sum(a.values()), sum(b.values())))


def _convert(src: Path, out: Path, lang: str, extra: list[str]) -> model.Book:
    cmd = [*digitize_cmd(), "-q", "convert", str(src), "-o", str(out), "--lang", lang]
    cmd += ["-p", "textbook-fast", "--to", "txt", "--cache-dir", str(out / "cache"), *extra]
    cmd += ["--set", "ocr.tesseract.coverage=false"]  # plain Tesseract has no re-reading
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return model.book_from_json(next(out.glob("*.book.json")).read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.tesseract
@pytest.mark.skipif(eng.cli_path() is None, reason="no tesseract CLI")
def test_convert_reads_the_words_plain_tesseract_reads(tmp_path: Path) -> None:
    from digitize.lab.synth.book import BookSpec
    from digitize.lab.synth.corpus import make_corpus

    make_corpus(
        tmp_path / "synth", {"b": BookSpec(lang="en", pages=2, level="light", seed=5)}, jobs=1
    )
    sources = [(tmp_path / "synth" / "b" / "book.pdf", "eng", [])]
    sources += [(p, "eng", []) for p in REAL if p.exists()]  # real scans, when ../shared exists
    pages = 0
    for k, (src, lang, extra) in enumerate(sources):
        book = _convert(src, tmp_path / f"o{k}", lang, extra)
        for page in book.pages:
            assert page.image is not None
            image = Path(book.work_dir) / page.image
            ours = [w.text for w in page.words]
            theirs = _plain(image, lang, page.dpi)
            assert len(theirs) > 50
            score = _agreement(ours, theirs)
            assert score >= AGREEMENT, (src.name, page.index, score)
            pages += 1
    assert pages >= 2
