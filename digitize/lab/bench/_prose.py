"""A reproducible born-digital prose book and its scanned twin (issue #19: >= 50x faster).

The born-digital book is set line by line with PyMuPDF (DejaVu Serif covers Vietnamese) from the
synth corpus (`/work/shared/texts` when present, else the built-in excerpt, repeated as needed):
chapter headings, indented paragraphs, a page number. The scanned twin is the same pages rendered
to grey JPEG at `dpi` and placed as full-page pictures, with no text layer: the same words for
`digitize` to OCR.
"""

from __future__ import annotations

from pathlib import Path

from digitize.lab.bench._books import FONT

PAGE_W, PAGE_H, MARGIN = 420.0, 595.0, 48.0  # A5 in points
BODY, LEADING, HEAD = 10.5, 14.0, 16.0


def _paragraphs(lang: str) -> list[tuple[str, str]]:
    """(kind, text) in reading order: 'h' for a chapter title, 'p' for a paragraph."""
    from digitize.lab.synth.text import load_source, parse_chapters

    md, _full = load_source(lang)
    out: list[tuple[str, str]] = []
    for ch in parse_chapters(md, lang):
        out.append(("h", ch.title))
        out.extend(("p", p) for p in ch.paragraphs)
    return out


def _wrap(words: list[str], width: float, first_indent: float, length: object) -> list[str]:
    """Greedy line breaking by measured width (`length(text) -> points`)."""
    lines: list[str] = []
    cur: list[str] = []
    avail = width - first_indent
    for w in words:
        trial = " ".join([*cur, w])
        if cur and length(trial) > avail:  # type: ignore[operator]
            lines.append(" ".join(cur))
            cur, avail = [w], width
        else:
            cur.append(w)
    if cur:
        lines.append(" ".join(cur))
    return lines


def make_born_prose(out: Path, pages: int, lang: str = "vi") -> Path:
    """A `pages`-page born-digital PDF of prose at `out` (made once; same bytes every time)."""
    import pymupdf

    if out.is_file():
        return out
    font = pymupdf.Font(fontfile=FONT)
    doc = pymupdf.open()
    width = PAGE_W - 2 * MARGIN
    bottom = PAGE_H - MARGIN - 2 * LEADING
    source = _paragraphs(lang)
    i = 0
    page = None
    y = 0.0

    def new_page() -> None:
        nonlocal page, y
        page = doc.new_page(width=PAGE_W, height=PAGE_H)
        page.insert_font(fontname="dv", fontfile=FONT)
        num = str(doc.page_count)
        page.insert_text(
            ((PAGE_W - font.text_length(num, BODY)) / 2, PAGE_H - MARGIN), num,
            fontname="dv", fontsize=BODY - 1,
        )  # fmt: skip
        y = MARGIN + BODY

    new_page()
    while True:
        kind, text = source[i % len(source)]
        i += 1
        size = HEAD if kind == "h" else BODY
        indent = 0.0 if kind == "h" else 1.5 * BODY
        lines = _wrap(text.split(), width, indent, lambda s, z=size: font.text_length(s, z))
        if kind == "h":
            y += LEADING  # space above a heading
            if y + 3 * LEADING > bottom:  # never a heading at the foot of a page
                y = bottom + 1
        for k, line in enumerate(lines):
            if y > bottom:
                if doc.page_count >= pages:
                    doc.set_metadata({"title": "Born-digital prose"})
                    out.parent.mkdir(parents=True, exist_ok=True)
                    doc.save(out, garbage=3, deflate=True)
                    return out
                new_page()
            assert page is not None
            x = MARGIN + (indent if k == 0 else 0.0)
            page.insert_text((x, y), line, fontname="dv", fontsize=size)
            y += LEADING * (size / BODY)
        if kind == "h":
            y += LEADING / 2


def make_scanned_twin(born: Path, out: Path, dpi: int = 300, pages: int | None = None) -> Path:
    """The same pages (the first `pages`) as picture-only PDF pages: grey JPEG at `dpi`, no
    text layer."""
    import pymupdf

    if out.is_file():
        return out
    doc = pymupdf.open()
    with pymupdf.open(born) as src:
        for sp in list(src)[:pages]:
            pix = sp.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
            page = doc.new_page(width=sp.rect.width, height=sp.rect.height)
            page.insert_image(page.rect, stream=pix.tobytes("jpeg", jpg_quality=85))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out, garbage=3)
    return out
