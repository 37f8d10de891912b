"""Generate one synthetic scanned book: page PNGs, an image-only PDF and exact ground truth."""

from __future__ import annotations

import io
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
from PIL import Image

from digitize.fileio import write_bytes, write_text
from digitize.lab.evaluation.text import flow_to_text
from digitize.lab.synth.degrade import LEVELS, compose, degrade, map_box, quarter_turn
from digitize.lab.synth.design import choose_design
from digitize.lab.synth.text import (
    HeadingEl,
    ParaEl,
    Planner,
    load_source,
    parse_chapters,
    sentences,
)
from digitize.lab.synth.typeset import Done, TPage, Typesetter

TITLES = {
    "vi": ["Nho giáo yếu lược", "Đạo học nhập môn", "Lịch sử tư tưởng phương Đông"],
    "en": ["Studies in Variation", "Elements of Natural History", "Readings in Biology"],
    "vi+en": ["Văn hóa và tự nhiên", "Tuyển tập song ngữ", "Đọc hiểu Đông Tây"],
}
FOOTERS = {"vi": "Tài liệu học tập", "en": "For classroom use", "vi+en": "Tài liệu song ngữ"}


@dataclass(frozen=True)
class BookSpec:
    """Everything that determines a synthetic book: the same spec gives the same bytes."""

    lang: str = "vi"  # vi | en | vi+en
    pages: int = 10
    level: str = "clean"  # clean | light | heavy
    seed: int = 1
    title: str | None = None
    width: int = 1240
    height: int = 1754
    dpi: int = 300
    two_column: float = 0.15  # chance that a non-chapter page is set in two columns
    front_matter: bool = False  # a roman-numbered preface page first
    footer: bool | None = None  # a footer line on every page (None: chosen by seed)
    rotate: tuple[tuple[int, int], ...] = ()  # (page index, clockwise degrees 90/180/270)
    spread: bool = False  # scan two facing pages per image
    pdf_jpeg: int | None = 85  # JPEG quality of book.pdf images; None: lossless PNG
    english_passages: int | None = None  # vi+en: at most this many English paragraphs
    texts_dir: str | None = None  # default ../shared/texts, then the built-in excerpt
    design: tuple[tuple[str, Any], ...] = ()  # (field, value) pins of the drawn page design

    def __post_init__(self) -> None:
        if self.lang not in TITLES:
            raise ValueError(f"lang must be one of {sorted(TITLES)}, not {self.lang!r}")
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {sorted(LEVELS)}, not {self.level!r}")
        if self.pages < 1:
            raise ValueError("pages must be at least 1")


def typeset(spec: BookSpec) -> tuple[Typesetter, str]:
    """Lay out the book's pages (clean renders) and its flow."""
    rng = random.Random(f"synth:{spec.seed}:{spec.lang}")
    title = spec.title or rng.choice(TITLES[spec.lang])
    footer = spec.footer if spec.footer is not None else rng.random() < 0.35
    ts = Typesetter(
        title=title,
        n_pages=spec.pages,
        size=(spec.width, spec.height),
        rng=rng,
        two_column=spec.two_column,
        first_number=rng.choice([1, 7, 11, 23, 41]),
        front_matter=spec.front_matter,
        footer=FOOTERS[spec.lang] if footer else None,
        body_face=rng.choice(["serif", "serif", "sans"]),
        # its own stream: the content plan of a seed does not depend on the design
        design=choose_design(random.Random(f"design:{spec.seed}:{spec.lang}"), spec.design),
    )
    texts = Path(spec.texts_dir) if spec.texts_dir else None
    try:
        if spec.front_matter:
            head = "Lời nói đầu" if spec.lang != "en" else "Preface"
            ts.heading(HeadingEl(head, 1))
            hl = "en" if spec.lang == "en" else "vi"
            pre = parse_chapters(load_source(hl, texts)[0], hl)[-1].paragraphs[:2]
            for k, p in enumerate(pre):
                ts.paragraph(ParaEl(" ".join(sentences(p)[:2]), hl), indent=k > 0)
        after_heading = False
        for el in Planner(spec.lang, rng, texts, spec.english_passages):
            ts.place(el, after_heading)
            after_heading = isinstance(el, HeadingEl)
    except Done:
        for n in ts.pending_notes:
            ts.emit(n)
    return ts, title


def _png(img: np.ndarray, dpi: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG", dpi=(dpi, dpi), compress_level=1)
    return buf.getvalue()


def _scans(spec: BookSpec, pages: list[TPage]) -> list[tuple[np.ndarray, list[tuple[int, Any]]]]:
    """Group clean pages into scan images: one page each, or facing pairs for spreads.

    Returns (clean image, [(page index, clean->scan affine)]) per scan.
    """
    out = []
    if not spec.spread:
        for p in pages:
            out.append((np.asarray(p.image), [(p.index, np.array([[1.0, 0, 0], [0, 1.0, 0]]))]))
        return out
    w = spec.width
    for k in range(0, len(pages), 2):
        pair = pages[k : k + 2]
        canvas = np.full((spec.height, w * 2), 255, np.uint8)
        maps = []
        for j, p in enumerate(pair):
            canvas[:, j * w : (j + 1) * w] = np.asarray(p.image)
            maps.append((p.index, np.array([[1.0, 0, j * w], [0, 1.0, 0]])))
        out.append((canvas, maps))
    return out


def generate_book(spec: BookSpec, out_dir: Path | str) -> dict[str, Any]:
    """Write `pages/page-NNNN.png`, `book.pdf`, `truth.json`, `truth.txt`; return the truth."""
    out = Path(out_dir)
    ts, title = typeset(spec)
    nrng = np.random.default_rng(abs(hash_seed(spec)))
    rotations = dict(spec.rotate)
    truth_pages: list[dict[str, Any]] = []
    pdf = pymupdf.open()
    for n, (clean, maps) in enumerate(_scans(spec, ts.pages)):
        w = clean.shape[1]
        if spec.spread:
            gutter: float | None = w / 2
        else:
            label = ts.pages[maps[0][0]].label
            gutter = 0.0 if (not label.isdigit() or int(label) % 2 == 1) else float(w)
        img, m_deg, skew = degrade(clean, spec.level, nrng, gutter)
        turn = rotations.get(n, 0)
        img, m_rot = quarter_turn(img, turn)
        size = (img.shape[1], img.shape[0])
        name = f"pages/page-{n + 1:04d}.png"
        write_bytes(out / name, _png(img, spec.dpi))
        _pdf_page(pdf, img, spec)
        for idx, m_page in maps:
            m = compose(m_rot, compose(m_deg, m_page))
            page = ts.pages[idx]
            entry: dict[str, Any] = {
                "index": idx,
                "label": page.label,
                "image": name,
                "size": list(size),
                "dpi": spec.dpi,
                "rotation": turn,
                "skew": round(skew, 3),
                "columns": page.columns,
                "blocks": [_block(b, m, size) for b in page.blocks],
            }
            if spec.spread:
                entry["region"] = map_box((0, 0, spec.width, spec.height), m, size)
            truth_pages.append(entry)
    truth = {
        "schema": "digitize.truth",
        "version": 1,
        "title": title,
        "lang": spec.lang,
        "level": spec.level,
        "seed": spec.seed,
        "spec": {k: v for k, v in asdict(spec).items() if k != "texts_dir"},
        "design": asdict(ts.design),
        "bbox_space": "degraded",
        "pages": truth_pages,
        "flow": ts.flow,
        "hyphenated": ts.hyphenated,
    }
    pdf.set_metadata({"title": title, "producer": "digitize.synth", "creator": "digitize.synth"})
    write_bytes(out / "book.pdf", pdf.tobytes(garbage=3, deflate=True, no_new_id=True))
    data = json.dumps(truth, ensure_ascii=False, indent=1)
    write_text(out / "truth.json", data)
    write_text(out / "truth.txt", flow_to_text(ts.flow))
    return json.loads(data)  # exactly what the file holds (tuples become lists)


def hash_seed(spec: BookSpec) -> int:
    """A stable integer seed (Python's hash() of str is salted per process)."""
    key = f"{spec.seed}:{spec.lang}:{spec.level}"
    return sum((i + 1) * ord(c) for i, c in enumerate(key)) * 7919 + spec.seed


def _block(b: Any, m: Any, size: tuple[int, int]) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": b.kind, "text": b.text, "bbox": map_box(b.bbox, m, size)}
    if b.level is not None:
        d["level"] = b.level
    if b.lines:
        d["lines"] = [{"text": ln.text, "bbox": map_box(ln.bbox, m, size)} for ln in b.lines]
    return d


def _pdf_page(pdf: Any, img: np.ndarray, spec: BookSpec) -> None:
    """An image-only page sized so the image is at its dpi (72 pt per inch)."""
    h, w = img.shape
    page = pdf.new_page(width=w / spec.dpi * 72, height=h / spec.dpi * 72)
    buf = io.BytesIO()
    if spec.pdf_jpeg:
        Image.fromarray(img).save(buf, "JPEG", quality=spec.pdf_jpeg, dpi=(spec.dpi, spec.dpi))
    else:
        Image.fromarray(img).save(buf, "PNG", dpi=(spec.dpi, spec.dpi))
    page.insert_image(page.rect, stream=buf.getvalue())
