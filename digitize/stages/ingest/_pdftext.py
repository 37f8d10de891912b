"""A PDF page's text layer: is it usable, and its words as model blocks (helper of ingest.pdf)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from digitize.model import BBox, Block, Line, Word, nfc
from digitize.stages.ingest._pdfpictures import page_contents, picture_rects, unread_text

Verdict = Literal["text", "ocr", "none"]
_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum() accepts: \w less the underscore


def _flags() -> int:
    import pymupdf

    # Not TEXT_PRESERVE_LIGATURES: "ﬁ" comes out as "fi", which is what a reader searches for.
    return int(pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)


def _bad_char(ch: str) -> bool:
    """Characters that betray a broken font encoding (text that only looks like text)."""
    if ch == "\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")


def _garbled(word: str) -> bool:
    # Printable text holds none of those categories: only the rare other word is looked into.
    if "\ufffd" in word:
        return True
    return not word.isprintable() and any(_bad_char(ch) for ch in word)


def _is_real(word: str) -> bool:
    return any(ch.isalnum() for ch in word) and not _garbled(word)


def page_words(page: Any) -> list[tuple[Any, ...]]:
    """MuPDF's words of the page (x0, y0, x1, y1, text, block, line, word), extracted once for
    both the verdict and the blocks."""
    return list(page.get_text("words", flags=_flags()))


def text_layer_verdict(
    page: Any, words_found: list[tuple[Any, ...]], pictures: list[Any] | None = None
) -> Verdict:
    """ "text": a usable visible text layer; "ocr": an invisible (OCR) layer; "none": rasterise.

    Usable means accurate, however short: real words (letters or digits) whose characters all
    map to Unicode (no replacement, private-use or unassigned characters: a broken font
    encoding extracts as junk and must be OCRed; at most 20 % such words), and no text left
    unread in the page's ink (a big picture, a scan, holding glyphs outside every word of the
    layer, see `_pdfpictures.unread_text`). Invisible = most characters drawn in render mode 3
    or in GlyphLessFont (what Tesseract/OCRmyPDF write) or fully transparent.
    """
    words = [w[4] for w in words_found if w[4].strip()]
    joined = "".join(words)
    if "\ufffd" not in joined and joined.isprintable():  # the usual page: nothing garbled
        real, garbage = sum(1 for w in words if _ALNUM.search(w)), 0
    else:
        real = sum(1 for w in words if _is_real(w))
        garbage = sum(1 for w in words if _garbled(w))
    if not real or garbage > 0.2 * len(words):
        return "none"
    total = hidden = 0
    for span in page.get_texttrace() if _may_hide_text(page) else ():
        n = len(span.get("chars", ()))
        total += n
        if (
            span.get("type") == 3
            or "glyphless" in str(span.get("font", "")).lower()
            or span.get("opacity", 1.0) == 0
        ):
            hidden += n
    if total and hidden > total / 2:
        return "ocr"
    pictures = picture_rects(page) if pictures is None else pictures
    return "none" if unread_text(page, pictures, words_found) else "text"


# A text render mode operator other than fill/stroke (0-2): 3 (invisible) and 7 (clip) hide text.
_HIDING_TR = re.compile(rb"(?<![\w.])(?:[3-9]|\d\d+)\s+Tr(?!\w)")


def _may_hide_text(page: Any) -> bool:
    """Whether the page can draw invisible text at all, from its content bytes and font names:
    a render mode 3/7 (`Tr`), a graphics state that may set opacity 0 (`gs`), a Form XObject
    (`Do`: its own content is not in these bytes) or a GlyphLessFont. MuPDF's text trace, which
    says for sure, is a full pass over the page (a third of a born-digital page's ingest); a
    page drawn with none of these shows all its text."""
    try:
        data = page_contents(page)
        fonts = page.get_fonts()
    except Exception:  # a damaged stream: let MuPDF's own pass decide
        return True
    if b"gs" in data or b"Do" in data or _HIDING_TR.search(data):
        return True
    return any("glyphless" in str(f[3]).lower() or "glyphless" in str(f[4]).lower() for f in fonts)


def text_layer_blocks(page: Any, words_found: list[tuple[Any, ...]], dpi: int) -> tuple[Block, ...]:
    """Words of the text layer in page-image pixels at `dpi` (rotation applied), grouped into
    MuPDF's blocks and lines; conf 1.0 (the text is the PDF's own).

    Boxes are worked out in plain floats and a line's box from its words' corners before any
    model object is made: pymupdf's Rect arithmetic, and then `BBox.enclosing` over the words,
    cost more than the rest of a born-digital page's ingest."""
    import pymupdf

    a, b, c, d, e, f = page.rotation_matrix * pymupdf.Matrix(dpi / 72, dpi / 72)
    lines: dict[tuple[int, int], list[tuple[str, float, float, float, float]]] = {}
    upright = b == 0 and c == 0 and a > 0 and d > 0  # no rotation: a scale and a shift
    for x0, y0, x1, y1, text, bno, lno, _wno in words_found:
        text = nfc(text.strip())
        if not text:
            continue
        if upright:
            box = (text, a * x0 + e, d * y0 + f, a * x1 + e, d * y1 + f)
        else:
            xs = (
                a * x0 + c * y0 + e,
                a * x1 + c * y1 + e,
                a * x0 + c * y1 + e,
                a * x1 + c * y0 + e,
            )
            ys = (
                b * x0 + d * y0 + f,
                b * x1 + d * y1 + f,
                b * x0 + d * y1 + f,
                b * x1 + d * y0 + f,
            )
            box = (text, min(xs), min(ys), max(xs), max(ys))
        lines.setdefault((bno, lno), []).append(box)
    blocks: dict[int, list[Line]] = {}
    for (bno, _lno), found in lines.items():
        words = tuple(Word(t, BBox(x0, y0, x1, y1), 1.0) for t, x0, y0, x1, y1 in found)
        # == BBox.enclosing of the words' boxes (the same floats), a pass per side
        bbox = (
            words[0].bbox
            if len(words) == 1
            else BBox(
                min(w[1] for w in found),
                min(w[2] for w in found),
                max(w[3] for w in found),
                max(w[4] for w in found),
            )
        )
        blocks.setdefault(bno, []).append(Line(words, bbox))
    return tuple(
        Block("paragraph", tuple(ls), BBox.enclosing([ln.bbox for ln in ls]))
        for ls in blocks.values()
    )
