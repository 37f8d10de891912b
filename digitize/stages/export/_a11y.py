"""Shared by the EPUB and HTML exporters: what a reader who cannot see the page is told.

Words in the book's language (a Vietnamese voice reading "Figure 3" is the fault this avoids),
figure names that never repeat the caption, table header cells, heading levels that never skip,
and EPUB accessibility metadata that claims only what the book really has.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# Words the exporters write themselves, per book language (BCP 47 primary subtag).
WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "contents": "Mục lục",
        "landmarks": "Các mốc",
        "pages": "Danh sách trang",
        "start": "Bắt đầu đọc",
        "cover": "Bìa",
        "previous": "Chương trước",
        "next": "Chương sau",
        "page": "Trang",
        "figure": "Hình minh hoạ",
        "formula": "Công thức",
        "no_description": "không có mô tả",
        "back": "Quay lại đoạn văn",
        "notes": "Chú thích",
    },
    "en": {
        "contents": "Contents",
        "landmarks": "Landmarks",
        "pages": "Pages",
        "start": "Start of content",
        "cover": "Cover",
        "previous": "Previous",
        "next": "Next",
        "page": "Page",
        "figure": "Illustration",
        "formula": "Formula",
        "no_description": "no description",
        "back": "Back to text",
        "notes": "Notes",
    },
}

# A caption's printed label: "Hình 1.1", "Hinh 2" (OCR lost the mark), "Figure 3a", "Fig. IV".
_LABEL = re.compile(
    r"^\s*((?:Hình|Hinh|Ảnh|Anh|Sơ đồ|Biểu đồ|Bản đồ|Figure|Fig\.|Plate|Map|Chart|Diagram)"
    r"\s*(?:\d+(?:[.\-–]\d+)*[a-z]?|[IVXLC]+)\b)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[\d\s.,%+\-–−()/:×x]*$")


def words(lang: str) -> dict[str, str]:
    """The exporters' own words in `lang`, English for a language without a table."""
    return WORDS.get(lang.split("-")[0].lower(), WORDS["en"])


def figure_alt(caption: str, lang: str, page: str) -> str:
    """A short name for a figure's image that never repeats its caption: the caption's
    printed label ("Hình 1.1"), else "Illustration" (the caption, shown as `figcaption`, is
    the description); an uncaptioned figure says where it is and that nothing describes it."""
    w = words(lang)
    caption = caption.strip()
    if caption:
        m = _LABEL.match(caption)
        label = m.group(1).strip() if m else ""
        # A caption that is only its label: the alt must still differ from it.
        return label if label and label != caption.rstrip(".: ") else w["figure"]
    return f"{w['figure']}, {w['page'].lower()} {page} ({w['no_description']})"


def header_cells(rows: tuple[tuple[str, ...], ...]) -> tuple[bool, bool]:
    """(first row is a header, first column is a header) of a table.

    The first row of a printed table is its column heads when it holds words over columns of
    figures, or when the table has several rows: OCR tables are read row by row and the first
    is the head in nearly every textbook table. The first column heads its rows when its
    cells are words while the others hold numbers."""
    if len(rows) < 2:
        return False, False
    body = rows[1:]
    first_col_words = all(r and not _NUMBER.match(r[0]) for r in body)
    rest = [c for r in body for c in r[1:] if c.strip()]
    numbers = sum(1 for c in rest if _NUMBER.match(c))
    return True, bool(rest) and first_col_words and numbers >= 0.6 * len(rest)


@dataclass
class HeadingLevels:
    """Heading levels that never skip (h1 → h3 becomes h1 → h2), kept per document: layout's
    levels follow font sizes, which a degraded scan does not keep consistent."""

    stack: list[int] = field(default_factory=list)  # the levels layout gave the open headings

    def reset(self) -> None:
        self.stack.clear()

    def level(self, given: int) -> int:
        given = max(1, given)
        while self.stack and self.stack[-1] >= given:
            self.stack.pop()
        self.stack.append(given)
        return min(6, len(self.stack))


def epub_metadata(figures: int, undescribed: list[str], pages: bool, notes: bool) -> list[str]:
    """EPUB Accessibility 1.1 discovery metadata, claiming only what this file really has.

    Figure images carry short names ("Hình 1.1"), not descriptions, so `alternativeText` is
    not claimed; the printed captions are their only description, and a figure without one
    is named in the summary by its page. Text alone suffices only when every figure has a
    caption."""
    modes = ["textual"] + (["visual"] if figures else [])
    features = ["structuralNavigation", "tableOfContents"]
    if pages:
        features += ["printPageNumbers", "pageBreakMarkers", "pageNavigation"]
    sufficient = ["textual,visual"] if figures else []
    if not undescribed:
        sufficient.insert(0, "textual")
    summary = (
        "Text recognised by OCR from a scanned print book; it may contain recognition errors. "
        "Headings, a table of contents"
        + (", print page numbers" if pages else "")
        + (", notes linked to where they are cited" if notes else "")
        + " are provided."
    )
    if figures:
        summary += (
            " Figures are named by their printed label; their printed captions are their only"
            " description."
        )
    if undescribed:
        where = ", ".join(html.escape(p) for p in undescribed)
        summary += (
            f" {len(undescribed)} of {figures} figures have no caption and no description"
            f" (page{'s' if len(undescribed) > 1 else ''} {where})."
        )
    out = [f'<meta property="schema:accessMode">{m}</meta>' for m in modes]
    out += [f'<meta property="schema:accessModeSufficient">{m}</meta>' for m in sufficient]
    out += [f'<meta property="schema:accessibilityFeature">{f}</meta>' for f in features]
    out.append('<meta property="schema:accessibilityHazard">none</meta>')
    # Written in English whatever the book's language, and marked so.
    out.append(f'<meta property="schema:accessibilitySummary" xml:lang="en">{summary}</meta>')
    return out
