"""Text patterns shared by the layout stages: numbering, list marks, captions, page numbers.

Textbooks in Vietnamese and English announce structure in words ("Chương 1", "Bài 3", "Hình 1.2",
"Table 4") and marks ("a)", "1.", "•"); these patterns are the evidence the geometry lacks.
"""

from __future__ import annotations

import re

from digitize.text import roman_value

# Heading keywords and their rank (lower = higher in the outline).
_KEYWORD_RANK = {
    "phần": 0,
    "part": 0,
    "chương": 1,
    "chapter": 1,
    "bài": 2,
    "lesson": 2,
    "unit": 2,
    "tiết": 3,
    "mục": 3,
    "section": 3,
}
_NUM = r"(?:\d+|[IVXLCivxlc]+|[A-Z])"
_KEYWORD_RE = re.compile(
    r"^(" + "|".join(_KEYWORD_RANK) + r")\s+" + _NUM + r"(?:[.:\-–—]|\s|$)", re.IGNORECASE
)
_DOTTED_RE = re.compile(r"^(\d+(?:\.\d+)+)\.?\s+\S")  # 1.2 Title, 1.2.3. Title
_SINGLE_NUM_RE = re.compile(r"^(\d+|[IVX]+)\.\s+\S")  # 1. Title / II. Title

_BULLETS = "•·●○◦▪▫■□‣⁃∙–—-*+►▶✓✔"
# One mark, or a dash a noisy scan doubled (`-—`)
_BULLET_RE = re.compile(r"^(?:[" + re.escape(_BULLETS) + r"]|[-–—]{2})(?:\s|$)")
_ORDERED_RE = re.compile(
    r"^(?:\(?(?:\d{1,2}|[a-zđ]|[ivx]{1,4})\)|(?:\d{1,2}|[a-zđ])\.\.?)(?:\s|$)"  # `3..`: a speck
)

_CAPTION_RE = re.compile(
    r"^(?:[-–—.,'‘’“”\"`·_]{1,2}(?=\w))?"  # a speck glued before the word: `-Hình 4.1`
    # ...and the misreadings a noisy scan makes of the two commonest words (`7igure`, `Tab1e`).
    r"(Hình|Hinh|Tình(?=\s*\d+[.\-–]\d)|H\.|Bảng|Biểu đồ|Sơ đồ|Ảnh|Tranh|[F7][il1][gq]ur[ec]|Fig\.|T[a@]b[l1I]e|Chart"
    r"|Diagram|Photo)"
    r"\s*(\d+(?:[.\-–]\d+)*[a-z]?)",
    re.IGNORECASE,
)

_PAGE_DECOR = "-–—|·•()[]{}<>.,:"
_EDGE_DECOR = "-–—|·•()[]{}<>:;"  # `Chương 3.` ends a title, not with a page number
_PAGE_WORDS = {"trang", "page", "tr.", "p."}

TERMINAL = ".!?…:;\"”»'’)]"
HYPHENS = "-\u2010\u00ad¬"


_LEAD_SPECK_RE = re.compile(r"^[.,'‘’“”\"`·_\-–]{1,2}(?=\d|[a-zđ]\)\s)")


def strip_lead_speck(text: str) -> str:
    """`.2.1 Title` → `2.1 Title`, `-_1 Note`, `“2. Item`, `-b) Item`: a speck read as a sign
    glued before a section number, a list number or letter, or a footnote mark."""
    t = text.strip()
    return _LEAD_SPECK_RE.sub("", t)


def heading_rank(text: str) -> float | None:
    """Outline rank announced by the text itself, or None: Part 0, Chapter 1, Lesson 2, 1.2 → 3."""
    t = strip_lead_speck(text)
    m = _KEYWORD_RE.match(t)
    if m:
        return float(_KEYWORD_RANK[m.group(1).lower()])
    m = _DOTTED_RE.match(t)
    if m:
        return 1.0 + m.group(1).count(".") + 1
    return None


def keyword_rank_fuzzy(text: str) -> float | None:
    """Outline rank of a heading whose keyword OCR misread by one letter (`Chanter`, `Chuong`):
    evidence for the outline level only, never for calling a line a heading."""
    words = text.strip().split(None, 1)
    if not words:
        return None
    w = words[0].lower().rstrip(".:")
    for key, rank in _KEYWORD_RANK.items():
        if (
            len(key) >= 5
            and len(w) == len(key)
            and sum(a != b for a, b in zip(w, key, strict=True)) <= 1
        ):
            return float(rank)
    return None


def single_number_heading(text: str) -> bool:
    """`1. Title` / `II. Title`: a heading only with other evidence (it is also a list mark)."""
    return bool(_SINGLE_NUM_RE.match(text.strip()))


# How OCR misreads a bullet: only trusted when a capitalised word follows.
BULLET_MISREADS = frozenset("seo©°«»®¢·*")
_BULLET_GLYPHS = "°«»©®¢Ö"  # `°Ö`, `»Ö`, `5Ö`: Vietnamese models read a big `•` like this


def list_mark(text: str) -> tuple[str, bool] | None:
    """The list mark starting `text` and whether it is ordered, or None."""
    t = strip_lead_speck(text)
    m = _BULLET_RE.match(t)
    if m:
        return m.group(0).strip(), False
    parts = t.split(None, 2)
    if len(parts) >= 2 and parts[1][:1].isupper():
        tok = parts[0]
        if tok in BULLET_MISREADS or (len(tok) <= 3 and any(c in _BULLET_GLYPHS for c in tok)):
            return tok, False
    m = _ORDERED_RE.match(t)
    if m:
        return m.group(0).strip(), True
    return None


def caption_match(text: str) -> re.Match[str] | None:
    return _CAPTION_RE.match(text.strip())


def page_number_value(text: str) -> tuple[int, bool, str] | None:
    """(value, is_roman, printed form) when `text` is a bare page number like `12`, `- 12 -`,
    `Trang 12` or `xiv`; None otherwise."""
    tokens = [t.strip(_PAGE_DECOR) for t in text.split()]
    tokens = [t for t in tokens if t and t.lower() not in _PAGE_WORDS]
    if len(tokens) != 1:
        return None
    tok = tokens[0]
    if tok.isdigit() and len(tok) <= 4:
        return int(tok), False, tok
    rv = roman_value(tok)
    if (rv is not None and tok.islower()) or (rv is not None and len(tok) > 1):
        assert rv is not None
        return rv, True, tok
    return None


def edge_number(text: str) -> tuple[int, str] | None:
    """An arabic number at the start or end of a running-head line (`12  CHƯƠNG 1`)."""
    tokens = text.split()
    if len(tokens) < 2:
        return None
    for tok in (tokens[0], tokens[-1]):
        t = tok.strip(_EDGE_DECOR)
        if t.isdigit() and len(t) <= 4:
            return int(t), t
    return None


def is_upper_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


_NO_END_RE = re.compile(r"(?:^|\s)(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Prof|Messrs|cf|vs)\.$")


def ends_sentence(text: str) -> bool:
    """The text ends with a sentence mark, and not with an initial or a title (`W.`, `Mr.`):
    `than W.` / `Herbert, Dean of Manchester` is one sentence over a page break."""
    t = text.rstrip()
    return bool(t) and t[-1] in TERMINAL and not _NO_END_RE.search(t)


_FOOT_MARKS = "*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰"


def footnote_mark(text: str) -> str | None:
    """The mark opening a footnote body: `1`, `*`, `¹`, `(1)`, `[1]`; None if there is none."""
    t = strip_lead_speck(text)
    tok = t.split(" ", 1)[0] if t else ""
    core = tok.strip("()[]").rstrip(".:")
    if core and ((core.isdigit() and len(core) <= 3) or all(c in _FOOT_MARKS for c in core)):
        return core
    if tok and tok[0] in _FOOT_MARKS:
        return tok[0]
    return None
