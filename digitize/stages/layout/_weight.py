"""Bold type from the page image: ink density of a line compared with the body's.

Textbooks set many headings (`Ghi nhớ`, `Ví dụ 1`, `Định nghĩa`) bold at body size; OCR boxes
do not show weight, the pixels do. Bold strokes are ~1.5× as wide, so a bold line darkens ~1.5×
as many pixels of its box as a regular one.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import Any

from digitize.model import BBox, Line
from digitize.stages.layout._tables import ink_threshold


class InkWeight:
    """Lazily loads the page image; `None`-safe when the page has no image."""

    def __init__(self, work_dir: str, image: str | None, gray: Any = None) -> None:
        """`gray`: the image's grey pixels when the caller holds them (~13 ms a page saved)."""
        self._path = Path(work_dir) / image if image else None
        self._held = gray
        self._body: list[Line] = []
        self._pixels: Any = None  # numpy array once loaded
        self._tried = False
        self._body_density: float | None = None
        self._dark: float | None = None  # ink threshold for this page's paper and ink

    def pixels(self) -> Any:
        """The page as a grayscale numpy array, or None when there is no image file."""
        if not self._tried:
            self._tried = True
            if self._path is not None and self._path.is_file():
                import numpy as np
                from PIL import Image

                self._pixels = self._held
                if self._pixels is None:
                    with Image.open(self._path) as im:
                        self._pixels = np.asarray(im.convert("L"))
        return self._pixels

    def set_body(self, body: list[Line]) -> None:
        self._body = body
        self._body_density = None

    def _load(self) -> bool:
        if self.pixels() is None:
            return False
        if self._body_density is None:
            sample = self._body[:: max(1, len(self._body) // 40)]
            dens = [d for d in (self.density(ln.bbox) for ln in sample) if d > 0]
            self._body_density = float(median(dens)) if dens else 0.0
        return True

    def density(self, box: BBox) -> float:
        px = self._pixels
        if px is None:
            return 0.0
        h, w = px.shape[:2]
        x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
        x1, y1 = min(w, int(box.x1)), min(h, int(box.y1))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return 0.0
        crop = px[y0:y1, x0:x1]
        if self._dark is None:
            self._dark = ink_threshold(px, 128)
        return float((crop < self._dark).mean())

    def bold(self, lines: tuple[Line, ...], ratio: float) -> bool:
        """True when `lines` are at least `ratio` times as dark as body lines."""
        if not self._load() or not self._body_density:
            return False
        dens = [self.density(ln.bbox) for ln in lines]
        return min(dens) >= ratio * self._body_density
