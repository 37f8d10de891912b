"""digitize.language and metadata.book_lang: a book's language from its recognised text."""

from __future__ import annotations

from dataclasses import replace

from helpers.render_book import EN, VI

from digitize.engine.metadata import book_lang
from digitize.language import guess, majority, word_vote
from digitize.model import BBox, Block, Book, BookMeta, Line, Page, Word, nfc


def test_words_vote_by_marks_and_syllable_shape() -> None:
    assert [word_vote(w) for w in ("tiếng", "ĐỊNH", "đi", "người")] == ["vi"] * 4
    assert [word_vote(w) for w in ("book", "is", "and", "of", "the", "strength")] == ["en"] * 6
    # Words that fit both languages, numbers and loans prove nothing.
    assert [word_vote(w) for w in ("man", "ban", "a", "42", "café", "rôle")] == [None] * 6


def test_paragraph_guess() -> None:
    assert guess(nfc(" ".join(VI[:20]))) == "vi"
    assert guess(" ".join(EN[:20])) == "en"
    # A Vietnamese sentence read without its marks by a poor scan is still not English.
    assert guess("Nguoi Viet Nam cua chung ta") == "vi"
    assert guess("12 34") is None


def test_majority_counts_words_not_paragraphs() -> None:
    en_long = " ".join(EN)
    vi_short = [nfc(" ".join(VI[i : i + 3])) for i in range(0, 12, 3)]
    assert majority([en_long, *vi_short], ("vi", "en")) == "en"
    assert majority([*vi_short], ("vi", "en")) == "vi"
    assert majority([], ("vi", "en")) == "vi"  # no evidence: the first language
    assert majority([en_long], ("fr", "en")) == "fr"  # only vi/en are told apart


def _book(text: str, furniture: str = "") -> Book:
    def block(kind: str, s: str, y: float) -> Block:
        words = tuple(Word(w, BBox(10 * i, y, 10 * i + 9, y + 10)) for i, w in enumerate(s.split()))
        box = BBox.enclosing([w.bbox for w in words])
        return Block(kind, (Line(words, box),), box)

    blocks = [block("paragraph", text, 100)]
    if furniture:
        blocks.insert(0, block("header", furniture, 10))
    return Book(BookMeta(), (Page(0, (1000, 1000), 300, blocks=tuple(blocks)),))


def test_book_lang_from_body_text_and_tesseract_languages() -> None:
    english = _book(" ".join(EN))
    vietnamese = _book(nfc(" ".join(VI)))
    assert book_lang(english, "vie+eng") == "en"
    assert book_lang(vietnamese, "vie+eng") == "vi"
    assert book_lang(english, "vie") == "vi"  # one language: that one
    assert book_lang(vietnamese, "eng") == "en"
    # Running heads do not vote: a Vietnamese header over English text is still English.
    with_head = _book(" ".join(EN[:8]), furniture=nfc(" ".join(VI * 3)))
    assert book_lang(with_head, "vie+eng") == "en"
    assert book_lang(replace(english, pages=()), "eng+vie") == "en"
