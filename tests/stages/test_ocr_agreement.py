"""One engine, one text: `digitize convert` reads the words plain `tesseract` reads on the same
(cleaned) page image, whichever engine `auto` picks, and the in-process engine reads what the CLI
reads.

The tesserocr wheel bundles its own libtesseract (5.5.4); Debian's CLI is 5.3.0. The two releases
segment pages differently (5.5.4 drops a whole line of testpdfs/multipage.pdf), so `auto` only
runs tesserocr when it wraps the CLI's release, which `make setup` arranges by building tesserocr
from source against the system's library (scripts/install-tesserocr.sh).

Both engines then take the same steps after the page's reading, the Vietnamese marks re-read
included: each says which model read each word (tesserocr's WordRecognitionLanguage, the CLI's
hOCR), and only the words another model won are read again with `vie` (`_marks`). So the
default configuration is compared, marks on.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import SHARED
from helpers.cli import digitize_cmd

from digitize import bookjson, model
from digitize.model import BBox
from digitize.stages.ocr import _tesseract_engines as eng
from digitize.stages.ocr.tesseract import TesseractOcr

REAL = [SHARED / "realscans" / "eng" / "oldbooks" / n for n in ("c026.png", "g020.png")]
# Real scans both engines read: a 1-bit book page, a colour 96-dpi transcript, Vietnamese
# government documents without a resolution tag (200 dpi), read as `vie+eng` (the default) so
# the marks re-read runs.
NOMVN = SHARED / "realscans" / "vie" / "nomvn"
REAL_BOTH = [
    (SHARED / "realscans" / "eng" / "oldbooks" / "c026.png", "eng", []),
    (SHARED / "realscans" / "eng" / "scribe" / "deposition_02.png", "eng", []),
    (NOMVN / "real_qd_707_ttg_p1.png", "vie+eng", ["--dpi", "200"]),
    (NOMVN / "real_nq_115_ba_vi_p1.png", "vie+eng", ["--dpi", "200"]),
]
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


def _plain(image: Path, lang: str, dpi: int, skip: tuple[BBox, ...] = ()) -> list[str]:
    """Words of plain `tesseract IMAGE - --psm 3` (the same binary a user would run), less
    those whose middle lies in a box of `skip`."""
    out = subprocess.run(
        ["tesseract", str(image), "-", "--psm", "3", "-l", lang, "--dpi", str(dpi), "tsv"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    rows = [r.split("\t") for r in out.splitlines()[1:]]
    words = [r for r in rows if len(r) > 11 and r[0] == "5" and r[11].strip()]

    def box(r: list[str]) -> BBox:
        x, y, w, h = (int(v) for v in r[6:10])
        return BBox(x, y, x + w, y + h)

    return [model.nfc(r[11].strip()) for r in words if not _inside(box(r), skip)]


def _inside(b: BBox, boxes: tuple[BBox, ...]) -> bool:
    """The middle of `b` lies in one of `boxes`."""
    return any(o.x0 <= b.cx <= o.x1 and o.y0 <= b.cy <= o.y1 for o in boxes)


def _agreement(ours: list[str], theirs: list[str]) -> float:
    """Shared words / the larger count. Words without a letter or digit ("_", "—") are left
    out: layout.blocks drops such specks on purpose."""
    a = collections.Counter(w for w in ours if any(c.isalnum() for c in w))
    b = collections.Counter(w for w in theirs if any(c.isalnum() for c in w))
    return sum((a & b).values()) / max(1, max(sum(a.values()), sum(b.values())))


def _convert(
    src: Path,
    out: Path,
    lang: str,
    extra: list[str],
    engine: str | None = None,
    cache: Path | None = None,
) -> model.Book:
    """`digitize convert` (`textbook-fast`), the book it made. Without `engine`: auto, and
    neither coverage re-reads nor drop-cap reads (plain Tesseract has none: it reads a drop
    cap W as `VW` glued to the next line, which our reading of `W` would count as a loss)."""
    cmd = [*digitize_cmd(), "-q", "convert", str(src), "-o", str(out), "--lang", lang]
    cmd += ["-p", "textbook-fast", "--to", "txt", "--cache-dir", str(cache or out / "cache")]
    cmd += extra
    if engine is None:
        cmd += ["--set", "ocr.tesseract.coverage=false", "--set", "ocr.tesseract.drop_caps=false"]
    else:
        cmd += ["--set", f"ocr.tesseract.engine={engine}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return bookjson.book_from_json(next(out.glob("*.book.json")).read_text(encoding="utf-8"))


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
            # A display formula is a picture whose words may be its linear reading (`(a)/(b)`):
            # what lies in it is compared on neither side.
            formulas = tuple(b.bbox for b in page.blocks if b.kind == "formula")
            ours = [w.text for w in page.words if not _inside(w.bbox, formulas)]
            theirs = _plain(image, lang, page.dpi, formulas)
            assert len(theirs) > 50
            score = _agreement(ours, theirs)
            assert score >= AGREEMENT, (src.name, page.index, score)
            pages += 1
    assert pages >= 2


def _release(version: str | None) -> tuple[int, ...]:
    return eng._release(version) if version else ()


def _system_libtesseract() -> str | None:
    """The libtesseract release whose headers are installed (what `make setup` builds against)."""
    if shutil.which("pkg-config") is None:
        return None
    res = subprocess.run(
        ["pkg-config", "--modversion", "tesseract"], capture_output=True, text=True, check=False
    )
    return res.stdout.strip() if res.returncode == 0 else None


same_release = pytest.mark.skipif(
    eng.cli_path() is None
    or eng.tesserocr_version() is None
    or _release(eng.tesserocr_lib_version()) != _release(eng.cli_version()),
    reason="needs the tesserocr and tesseract CLI on one libtesseract release (make setup)",
)


@pytest.mark.skipif(_system_libtesseract() is None, reason="no libtesseract-dev to build against")
@pytest.mark.skipif(eng.tesserocr_version() is None, reason="no tesserocr (the `fast` extra)")
def test_setup_built_tesserocr_on_the_system_libtesseract() -> None:
    """Where the headers are, `make setup` replaced the wheel's bundled libtesseract with the
    system's, the CLI's: `auto` then runs in-process."""
    lib, system, cli = eng.tesserocr_lib_version(), _system_libtesseract(), eng.cli_version()
    hint = "run `make setup` (scripts/install-tesserocr.sh)"
    assert _release(lib) == _release(system), f"tesserocr runs libtesseract {lib}: {hint}"
    if cli is not None:
        assert _release(cli) == _release(system), (cli, system)
    assert TesseractOcr()._engine() == "tesserocr"


def _words(book: model.Book) -> dict[int, list[str]]:
    return {p.index: [w.text for w in p.words] for p in book.pages}


def _engines_agree(tmp_path: Path, sources: list[tuple[Path, str, list[str]]]) -> int:
    """Convert each source with the CLI and with tesserocr (one cache: the same cleaned page
    images) in the default configuration; every page's words agree. The pages compared."""
    pages = 0
    for k, (src, lang, extra) in enumerate(sources):
        books = {
            e: _convert(src, tmp_path / f"{e}{k}", lang, extra, engine=e, cache=tmp_path / "cache")
            for e in ("cli", "tesserocr")
        }
        assert [p.image for p in books["cli"].pages] == [p.image for p in books["tesserocr"].pages]
        cli, inproc = _words(books["cli"]), _words(books["tesserocr"])
        for index, words in cli.items():
            assert len(words) > 50, (src.name, index)
            score = _agreement(inproc[index], words)
            assert score >= AGREEMENT, (src.name, index, score)
            pages += 1
    return pages


@pytest.mark.slow
@pytest.mark.tesseract
@same_release
def test_in_process_engine_reads_the_words_the_cli_reads(tmp_path: Path) -> None:
    """The same cleaned page images read by tesserocr and by the CLI, through the whole
    pipeline (marks and coverage re-reads on): the same words, on a synthetic light English
    page and a heavy Vietnamese one (its marks re-read by both engines)."""
    from digitize.lab.synth.book import BookSpec
    from digitize.lab.synth.corpus import make_corpus

    specs = {
        "en": BookSpec(lang="en", pages=1, level="light", seed=5),
        "vi": BookSpec(lang="vi", pages=1, level="heavy", seed=7),
    }
    make_corpus(tmp_path / "synth", specs, jobs=1)
    sources = [(tmp_path / "synth" / "en" / "book.pdf", "eng", [])]
    sources += [(tmp_path / "synth" / "vi" / "book.pdf", "vie+eng", [])]
    assert _engines_agree(tmp_path, sources) == 2


@pytest.mark.slow
@pytest.mark.tesseract
@same_release
@pytest.mark.skipif(
    not all(s[0].exists() for s in REAL_BOTH), reason=f"no real scans in {SHARED}/realscans"
)
def test_in_process_engine_reads_the_words_the_cli_reads_on_real_scans(tmp_path: Path) -> None:
    """As above on real scans: English book and transcript pages, Vietnamese documents."""
    assert _engines_agree(tmp_path, REAL_BOTH) == len(REAL_BOTH)
