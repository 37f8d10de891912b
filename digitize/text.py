"""Text helpers for stages, plugins and the lab: the sanitiser every exporter passes OCR text
through (`clean_text`), Roman numerals (printed page labels, chapter numbers) and language names
(Tesseract's to BCP 47). Pure functions of strings, no dependencies."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab/newline, DEL, C1 controls, bidi embeddings/overrides/isolates,
# lone surrogates and the code points XML 1.0 forbids.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def clean_text(text: str) -> str:
    """`text` made safe to write into any output: Unicode NFC, without control characters
    (tab and newline stay) or bidi overrides and isolates.

    OCR text and an edited book.json are untrusted: a NUL or an escape code breaks XML and
    terminals, and a right-to-left override (U+202E) can make "gnp.exe" read as "exe.png". It
    does not escape markup: an HTML or XML exporter still escapes the result (`html.escape`).
    `digitize.testing.check_exporter` fails an exporter whose output keeps such characters.
    """
    return _BAD_CHARS.sub("", unicodedata.normalize("NFC", text))


_ROMAN_RE = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)


def superscript(text: str) -> str:
    """`text` with its digits raised (`12` -> `¹²`): how a note mark is printed."""
    return text.translate(_TO_SUPERSCRIPT)


def lone_capital(text: str) -> bool:
    """`text` is one capital letter, an opening quote or bracket aside: how a drop cap reads.
    The OCR stage re-reads a drop cap that is not one; layout joins one that is to its word."""
    t = text.strip("\"“'‘([")
    return len(t) == 1 and t.isalpha() and t.isupper()


def roman_value(token: str) -> int | None:
    """The value of a Roman numeral (`xiv` -> 14, either case); None if `token` is not one."""
    t = token.lower()
    if not t or not _ROMAN_RE.match(t):
        return None
    total = 0
    for a, b in zip(t, t[1:] + " ", strict=True):
        va, vb = _ROMAN_VALUES[a], _ROMAN_VALUES.get(b, 0)
        total += -va if va < vb else va
    return total


def to_roman(n: int) -> str:
    """`n` as a lower-case Roman numeral (14 -> `xiv`)."""
    out = []
    for v, s in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


# Tesseract language names → BCP 47 tags (book metadata, `lang` attributes, EPUB dc:language).
TESSERACT_LANGUAGES = {
    "vie": "vi",
    "eng": "en",
    "fra": "fr",
    "deu": "de",
    "spa": "es",
    "chi_sim": "zh-Hans",
    "chi_tra": "zh-Hant",
    "jpn": "ja",
    "kor": "ko",
    "rus": "ru",
}


def bcp47(tess_lang: str) -> str | None:
    """The BCP 47 tag of the first of Tesseract's languages (`vie+eng` -> `vi`); None when the
    table does not know it (callers choose their fallback)."""
    return TESSERACT_LANGUAGES.get(tess_lang.split("+")[0].strip())
