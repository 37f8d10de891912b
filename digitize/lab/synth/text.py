"""Source prose and the content plan of a synthetic textbook.

The prose is public-domain text (see `shared/texts/README.md` beside the checkout), read at generation time;
a short built-in excerpt stands in when that folder is absent so tests run anywhere. The plan is
an endless, seed-determined stream of elements (headings, paragraphs with footnotes, figures,
lists, tables) that the typesetter consumes until the page budget is spent.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from digitize.model import nfc

# `../shared/texts` beside the checkout (developers and CI have it); else the built-in excerpt.
SHARED_TEXTS = Path(
    os.environ.get("DIGITIZE_TEXTS") or Path(__file__).resolve().parents[4] / "shared" / "texts"
)
SOURCES = {"vi": "vie_tran_trong_kim_nho_giao.md", "en": "eng_darwin_origin.md"}
DATA = Path(__file__).with_name("data")

WORDS = {
    "vi": {"chapter": "Chương", "figure": "Hình", "table": "Bảng"},
    "en": {"chapter": "Chapter", "figure": "Figure", "table": "Table"},
}


@dataclass
class Chapter:
    title: str
    paragraphs: list[str]
    sections: list[tuple[int, str]] = field(default_factory=list)  # (paragraph index, title)


@dataclass
class HeadingEl:
    text: str
    level: int
    chapter_title: str = ""  # running-head text for level 1


@dataclass
class ParaEl:
    text: str
    lang: str
    notes: list[tuple[int, str]] = field(default_factory=list)  # (word index, footnote text)


@dataclass
class FigureEl:
    caption: str
    shape: str
    height: int


@dataclass
class ListEl:
    items: list[str]
    style: str  # bullet | alpha | num


@dataclass
class TableEl:
    rows: list[list[str]]
    caption: str


Element = HeadingEl | ParaEl | FigureEl | ListEl | TableEl


def load_source(lang: str, texts_dir: Path | None = None) -> tuple[str, bool]:
    """The markdown prose for `lang` and whether it is the full text (False: built-in excerpt)."""
    base = texts_dir if texts_dir is not None else SHARED_TEXTS
    path = base / SOURCES[lang]
    if path.is_file():
        return nfc(path.read_text(encoding="utf-8")), True
    return nfc((DATA / f"excerpt_{lang}.md").read_text(encoding="utf-8")), False


def _clean_title(raw: str, lang: str) -> str:
    """'THIÊN I. THƯỢNG CỔ THỜI ĐẠI' -> 'Thượng cổ thời đại': the numbering is ours to print."""
    t = re.sub(r"^(THIÊN|QUYỂN)\s+[IVXLC]+\.\s*", "", raw.strip())
    t = re.sub(r"^([IVXLC]+|\d+)\.\s*", "", t)
    t = re.sub(r"\s*\(.*?\)\s*$", "", t).strip(" .:;")
    if t.isupper():
        t = t.lower()
    t = t[:1].upper() + t[1:]
    words = t.split()
    return " ".join(words[:10]) if words else ("Mở đầu" if lang == "vi" else "Introduction")


def parse_chapters(md: str, lang: str) -> list[Chapter]:
    chapters: list[Chapter] = []
    for line in md.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("# "):
            chapters.append(Chapter(_clean_title(line[2:], lang), []))
        elif line.startswith("## "):
            if not chapters:
                chapters.append(Chapter(_clean_title(line[3:], lang), []))
            ch = chapters[-1]
            ch.sections.append((len(ch.paragraphs), _clean_title(line[3:], lang)))
        elif chapters:
            chapters[-1].paragraphs.append(line)
    return [c for c in chapters if len(c.paragraphs) >= 2]


_SENT = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ỸĐ\"“])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s.strip()]


def _trim(paragraph: str, rng: random.Random, lo: int = 2, hi: int = 5) -> str:
    """Keep a few sentences: textbook paragraphs are shorter than 19th-century ones."""
    sents = sentences(paragraph)
    n = rng.randint(lo, hi)
    out = " ".join(sents[:n])
    if len(out) > 900:  # a single endless sentence: cut at a word boundary, end it cleanly
        out = out[:900].rsplit(" ", 1)[0].rstrip(",;:—") + "."
    return out


def _phrase(text: str, rng: random.Random, lo: int = 4, hi: int = 9) -> str:
    """A short clause taken from `text`: captions, list items, table cells."""
    words = re.sub(r"[\"“”()]", "", text).split()
    if not words:
        return "…"
    start = rng.randrange(max(1, len(words) - hi))
    out = " ".join(words[start : start + rng.randint(lo, hi)]).strip(" ,;:.—")
    return out[:1].upper() + out[1:]


class Planner:
    """Yields the book's elements in reading order, deterministically from `rng`.

    `lang` is the book language: "vi", "en" or "vi+en" (Vietnamese structure with English
    passages, like a bilingual reader).
    """

    def __init__(
        self,
        lang: str,
        rng: random.Random,
        texts_dir: Path | None = None,
        max_english: int | None = None,
    ) -> None:
        self.lang = lang
        self.max_english = max_english
        self.rng = rng
        self.head_lang = "en" if lang == "en" else "vi"
        self.chapters = parse_chapters(load_source(self.head_lang, texts_dir)[0], self.head_lang)
        self.en_paras: list[str] = []
        if lang == "vi+en":
            for ch in parse_chapters(load_source("en", texts_dir)[0], "en"):
                self.en_paras.extend(ch.paragraphs)
        self.counters = {"figure": 0, "table": 0}

    def _figure(self, chap_no: int, src: str) -> FigureEl:
        self.counters["figure"] += 1
        shape = self.rng.choice(["bars", "circles", "polygon", "diagram"])
        word = WORDS[self.head_lang]["figure"]
        cap = f"{word} {chap_no}.{self.counters['figure']}. {_phrase(src, self.rng)}"
        return FigureEl(cap, shape, self.rng.randint(300, 460))

    def _list(self, src: str) -> ListEl:
        sents = sentences(src) or [src]
        n = self.rng.randint(3, 4)
        items = [_phrase(sents[i % len(sents)], self.rng, 3, 8) for i in range(n)]
        return ListEl(
            [it if it.endswith(".") else it + ";" for it in items[:-1]] + [items[-1] + "."],
            self.rng.choice(["bullet", "alpha", "num"]),
        )

    def _table(self, chap_no: int, src: str) -> TableEl:
        self.counters["table"] += 1
        words = [w.strip(',.;:—"“”()') for w in src.split() if len(w.strip(',.;:—"“”()')) > 2]
        words = words or ["x"]
        head = (
            ["STT", "Tên gọi", "Số lượng"] if self.head_lang == "vi" else ["No.", "Name", "Count"]
        )
        rows = [head]
        for i in range(self.rng.randint(3, 4)):
            w = words[self.rng.randrange(len(words))]
            rows.append([str(i + 1), w[:1].upper() + w[1:], str(self.rng.randint(10, 990))])
        word = WORDS[self.head_lang]["table"]
        return TableEl(rows, f"{word} {chap_no}.{self.counters['table']}. {_phrase(src, self.rng)}")

    def _paragraph(self, text: str, lang: str) -> ParaEl:
        para = ParaEl(_trim(text, self.rng), lang)
        n_words = len(para.text.split())
        if n_words > 25 and self.rng.random() < 0.22:
            note_src = sentences(text)[-1] if sentences(text) else text
            note = _phrase(note_src, self.rng, 6, 14) + "."
            para.notes.append((self.rng.randrange(8, n_words - 4), note))
        return para

    def __iter__(self) -> Iterator[Element]:
        rng = self.rng
        order = list(range(len(self.chapters)))
        start = rng.randrange(len(order))
        order = order[start:] + order[:start]
        chap_no = 0
        while True:
            for ci in order:
                ch = self.chapters[ci]
                chap_no += 1
                self.counters = {"figure": 0, "table": 0}
                word = WORDS[self.head_lang]["chapter"]
                yield HeadingEl(f"{word} {chap_no}. {ch.title}", 1, ch.title)
                sections = dict(ch.sections)
                sec_no = 0
                since_float = 0
                paras = ch.paragraphs[: rng.randint(8, 14)]
                for pi, text in enumerate(paras):
                    if pi in sections or (pi > 0 and pi % rng.randint(3, 5) == 0 and sec_no < 3):
                        sec_no += 1
                        title = sections.get(pi) or _phrase(text, rng, 3, 6)
                        yield HeadingEl(f"{chap_no}.{sec_no} {title}", 2)
                    yield self._paragraph(text, self.head_lang)
                    if self.en_paras and rng.random() < 0.3 and self.max_english != 0:
                        if self.max_english is not None:
                            self.max_english -= 1
                        yield self._paragraph(
                            self.en_paras[rng.randrange(len(self.en_paras))], "en"
                        )
                    since_float += 1
                    if since_float >= 2 and rng.random() < 0.35:
                        since_float = 0
                        pick = rng.random()
                        if pick < 0.45:
                            yield self._figure(chap_no, text)
                        elif pick < 0.8:
                            yield self._list(text)
                        else:
                            yield self._table(chap_no, text)
