"""What the HTML quality report shows, computed from a Book: per-page words, line-end hyphens,
furniture, a layout check, and embeddable page images.

Kept apart from `report_html` (which only renders) so the checks are unit-testable without a
browser. Nothing here trusts OCR text: `visible` makes control and bidi characters visible, and
the renderer escapes everything it writes.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitize.fileio import write_text
from digitize.images import to_pil
from digitize.model import (
    FURNITURE_KINDS,
    Aside,
    Book,
    Figure,
    Footnote,
    Heading,
    ListBlock,
    Page,
    PageBreak,
    Paragraph,
    Table,
)
from digitize.report.summary import severity, step_label

VIEW_MAX_SIDE = 1200  # px: long side of the embedded page image (~70-100 kB JPEG for dense text)
THUMB_MAX_SIDE = 150  # px: long side of a strip thumbnail
JPEG_QUALITY = 50
LAYOUT_MIN_COVERAGE = 0.8  # below this share of a page's words in the book text → layout_unsure
LAYOUT_MIN_WORDS = 8  # too few words make the share meaningless
HYPHENS = ("-", "\u00ad", "\u2010")  # hyphen-minus, soft hyphen, hyphen
NOT_BODY = FURNITURE_KINDS | {"figure"}  # OCR words the reading-order text rightly leaves out

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def visible(text: str) -> str:
    """`text` with control, zero-width and bidi-override characters shown as ⟨U+XXXX⟩.

    Escaping stops markup injection; this stops text that *looks* different from what it is
    (an RLO reversing a line) — in a quality report the reader should see it.
    """
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


# ---------------------------------------------------------------- the book's text, per page


def flow_text_by_page(book: Book) -> dict[int, list[str]]:
    """The reading-order text attributed to each page (by the PageBreak markers and the
    mid-paragraph breaks). Text before any PageBreak belongs to page 0."""
    out: dict[int, list[str]] = {}
    cur = 0

    def add(text: str) -> None:
        out.setdefault(cur, []).append(text)

    for item in book.flow:
        if isinstance(item, PageBreak):
            cur = item.index
        elif isinstance(item, Paragraph):
            start = 0
            for offset, page_index, _label in item.breaks:
                add(item.text[start:offset])
                start, cur = offset, page_index
            add(item.text[start:])
        elif isinstance(item, Heading | Footnote):
            add(item.text)
        elif isinstance(item, Aside):
            add(f"{item.title} {item.text}".strip())
        elif isinstance(item, Figure):
            add(item.caption or item.alt)
        elif isinstance(item, ListBlock):
            add(" ".join(item.items))
        elif isinstance(item, Table):
            add(" ".join(c for row in item.rows for c in row) + " " + item.caption)
    return out


@dataclass(frozen=True)
class FlowIndex:
    """Token sets of the book text: all of it, and per page."""

    all: frozenset[str]
    by_page: dict[int, frozenset[str]]
    has_breaks: bool

    @classmethod
    def of(cls, book: Book) -> FlowIndex:
        per = flow_text_by_page(book)
        by_page = {i: frozenset(tokens(" ".join(t))) for i, t in per.items()}
        every = frozenset().union(*by_page.values()) if by_page else frozenset()
        breaks = any(isinstance(i, PageBreak) for i in book.flow)
        return cls(every, by_page, breaks)

    def near(self, index: int) -> frozenset[str]:
        """Tokens of a page and its neighbours: a paragraph that runs over a page end may be
        attributed to either side by the layout stage."""
        if not self.has_breaks:
            return self.all
        empty: frozenset[str] = frozenset()
        return (
            self.by_page.get(index - 1, empty)
            | self.by_page.get(index, empty)
            | self.by_page.get(index + 1, empty)
        )


# ---------------------------------------------------------------- one page


def _first_body_word(page: Page | None) -> str:
    if page is None:
        return ""
    for b in page.blocks:
        if b.kind not in NOT_BODY:
            for line in b.lines:
                for w in line.words:
                    if w.text.strip():
                        return w.text
    return ""


def hyphen_state(last: str, nxt: str, flow: FlowIndex) -> tuple[str, str]:
    """Classify a line that ends in a hyphenated word: ("joined", word) when the book text has
    the two halves joined (dehyphenated), ("kept", word) when it has them as a hyphenated
    compound, ("line", "") when the book text has neither (or there is no book text)."""
    stem = last.rstrip("".join(HYPHENS))
    head = _TOKEN.findall(stem)
    tail = _TOKEN.findall(nxt)
    if not head or not tail or not flow.all:
        return "line", ""
    joined = head[-1] + tail[0]
    if joined.casefold() in flow.all:
        return "joined", joined
    if head[-1].casefold() in flow.all and tail[0].casefold() in flow.all:
        return "kept", f"{head[-1]}-{tail[0]}"
    return "line", ""


def page_data(
    book: Book, index: int, flow: FlowIndex, report_page: dict[str, Any]
) -> dict[str, Any]:
    """The JSON the page viewer renders: words (box, confidence, text), blocks as ranges of
    lines, line-end hyphen states, furniture kinds, and the page's checks."""
    page = book.pages[index]
    nxt_page = book.pages[index + 1] if index + 1 < len(book.pages) else None
    words: list[list[Any]] = []
    blocks: list[list[Any]] = []
    body_tokens: list[str] = []
    skip_next = False
    flat_lines = [
        (bi, line)
        for bi, b in enumerate(page.blocks)
        for line in b.lines
        if any(w.text.strip() for w in line.words)
    ]
    body_lines = [(bi, line) for bi, line in flat_lines if page.blocks[bi].kind not in NOT_BODY]
    next_first: dict[int, str] = {}
    for k, (_bi, line) in enumerate(body_lines):
        following = body_lines[k + 1][1] if k + 1 < len(body_lines) else None
        nxt = (
            next(w.text for w in following.words if w.text.strip())
            if following
            else _first_body_word(nxt_page)
        )
        next_first[id(line)] = nxt
    # One search of the page's text instead of one per word: most pages have nothing to show.
    shown = (
        visible
        if _INVISIBLE.search("".join(w.text for _, ln in flat_lines for w in ln.words))
        else str
    )
    for b in page.blocks:
        lines: list[list[Any]] = []
        body = b.kind not in NOT_BODY
        for line in b.lines:
            ws = [w for w in line.words if w.text.strip()]
            if not ws:
                continue
            start = len(words)
            for w in ws:
                bb = w.bbox
                words.append(
                    [
                        round(bb.x0),
                        round(bb.y0),
                        round(bb.x1),
                        round(bb.y1),
                        round(w.conf, 3),
                        shown(w.text),
                    ]
                )
            state, joined = "", ""
            last = ws[-1].text
            if body and len(last) > 1 and last.endswith(HYPHENS):
                state, joined = hyphen_state(last, next_first.get(id(line), ""), flow)
            if body:
                toks = [w.text for w in ws]
                if skip_next:
                    toks = toks[1:]
                if state:
                    toks = toks[:-1]
                body_tokens += tokens(" ".join(toks))
                skip_next = bool(state)
            lines.append([start, len(words), state, visible(joined)])
        blocks.append([b.kind, b.level, lines])
    flags = list(report_page.get("flags", []))
    coverage = None
    if flow.all and not page.failed and len(body_tokens) >= LAYOUT_MIN_WORDS:
        near = flow.near(page.index)
        coverage = sum(1 for t in body_tokens if t in near) / len(body_tokens)
        if coverage < LAYOUT_MIN_COVERAGE:
            flags.append("layout_unsure")
    return {
        "i": page.index,
        "label": visible(page.label) if page.label else None,
        "w": page.size[0],
        "h": page.size[1],
        "conf": page.mean_conf,
        "flags": flags,
        "coverage": None if coverage is None else round(coverage, 3),
        "failed": visible(page.failed) if page.failed else None,
        "warnings": [visible(w) for w in page.warnings],
        "skew": page.skew,
        "rotation": page.rotation,
        "source": page.source,
        "dpi": page.dpi,
        "steps": [step_label(s) for s in page.steps],
        "words": words,
        "blocks": blocks,
        "gaps": [[round(g.x0), round(g.y0), round(g.x1), round(g.y1)] for g in page.gaps],
        "structure": [visible(n) for n in report_page.get("structure", [])],
    }


def review_order(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pages to review (any flag) of `page_data` dicts, worst first: failed pages, pages with
    unread text, then by mean confidence. The report lists them so and the proofreading editor opens them so."""
    return sorted(
        (p for p in pages if p["flags"]),
        key=lambda p: (severity(p["flags"]), p["conf"] if p["conf"] is not None else 0, p["i"]),
    )


# ---------------------------------------------------------------- images


def _data_uri(im: Any, max_side: int) -> str:
    from PIL import Image

    im = im.copy()
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _previews_file(image: Path) -> Path:
    """Where a page image's report previews are kept: beside it, named by the settings that
    shape them, so a changed size or quality never reuses a stale preview."""
    return image.with_name(
        f"{image.name}.preview-{VIEW_MAX_SIDE}-{THUMB_MAX_SIDE}-q{JPEG_QUALITY}.json"
    )


def page_images(book: Book, page: Page) -> tuple[str | None, str | None]:
    """(view, thumbnail) JPEG data URIs of a page image, or (None, None) when the image is
    gone (the run's temp work dir) or unreadable: the report must embed what it shows.

    Cached beside the image (`make_previews`, which the runner's workers call while the page is
    still hot), so the report costs no image decoding in the parent and a rerun none at all."""
    if not page.image or not book.work_dir:
        return None, None
    path = Path(book.work_dir) / page.image
    cached = _previews_file(path)
    try:
        view, thumb = json.loads(cached.read_text(encoding="utf-8"))
        if path.stat().st_mtime_ns <= cached.stat().st_mtime_ns:
            return view, thumb
    except (OSError, ValueError, TypeError):
        pass
    return make_previews(path)


def make_previews(path: Path, pixels: Any = None) -> tuple[str | None, str | None]:
    """Encode a page image's report previews and cache them beside it (best effort).
    `pixels`: the image's content already decoded (a grey or BGR array), saving a decode."""
    if not path.is_file():
        return None, None
    try:
        from PIL import Image

        if pixels is not None:
            im = to_pil(pixels)
        else:
            with Image.open(path) as src:
                mode = "L" if src.mode in ("1", "L", "LA", "I", "I;16") else "RGB"
                scale = min(1.0, VIEW_MAX_SIDE / max(src.size))
                src.draft(mode, (int(src.size[0] * scale), int(src.size[1] * scale)))  # JPEG
                im = src.convert(mode)
        factor = -(-max(im.size) // VIEW_MAX_SIDE)  # ceil: a box filter by an integer is fast
        if factor > 1:
            im = im.reduce(factor)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None
    view, thumb = _data_uri(im, VIEW_MAX_SIDE), _data_uri(im, THUMB_MAX_SIDE)
    with contextlib.suppress(OSError):
        write_text(_previews_file(path), json.dumps([view, thumb]), durable=False)
    return view, thumb
