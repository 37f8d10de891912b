"""A small two-page Vietnamese book for the proofreading tests, with its flow built by the real
`layout.flow` stage (no OCR: the words and boxes are recorded here)."""

from __future__ import annotations

from pathlib import Path

from digitize.bookjson import book_to_json
from digitize.model import BBox, Block, Book, BookMeta, Line, Page, Word
from digitize.proof.store import rebuild_flow

BODY_H = 30


def line(text: str, y: float, x0: float = 100, conf: float = 0.95) -> Line:
    words, x = [], x0
    for t in text.split():
        w = 18 * len(t)
        words.append(Word(t, BBox(x, y, x + w, y + BODY_H), conf))
        x += w + 12
    return Line(tuple(words), BBox(x0, y, x, y + BODY_H))


def block(
    kind: str, rows: list[str], y: float, level: int | None = None, conf: float = 0.95
) -> Block:
    lines = tuple(line(r, y + 40 * k, conf=conf) for k, r in enumerate(rows))
    return Block(kind, lines, BBox.enclosing([ln.bbox for ln in lines]), level)


def make_book(title: str = "Nho giáo yếu lược") -> Book:
    p0 = Page(
        index=0,
        size=(1200, 1800),
        dpi=300,
        label="23",
        blocks=(
            block("heading", ["Chương 1. Hán học"], 100, level=2),
            block(
                "paragraph",
                ["Tình thé Nho giáo lúc Hán sơ còn yếu.", "Ai cũng biết vậy."],
                200,
                conf=0.4,
            ),
            block("paragraph", ["Đoạn thứ hai nói về nhà Hán.", "Nó có hai dòng."], 320),
            block("paragraph", ["Đoạn thứ ba ngắn."], 440),
            block("page_number", ["23"], 1700),
        ),
    )
    p1 = Page(
        index=1,
        size=(1200, 1800),
        dpi=300,
        label="24",
        blocks=(
            block("header", ["24 Nho giáo yếu lược"], 40),
            block("paragraph", ["Trang sau có một đoạn văn.", "Và dòng thứ hai."], 200),
        ),
    )
    book = Book(BookMeta(title=title, lang="vi", source=f"{title}.pdf"), (p0, p1))
    return rebuild_flow(book, "")


def write_book(folder: Path, book: Book | None = None, stem: str = "sach") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.book.json"
    path.write_text(book_to_json(book or make_book()) + "\n", encoding="utf-8")
    return path
