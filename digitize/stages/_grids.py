"""Ruled grids in a page image: long horizontal and vertical strokes crossing.

Shared by `ocr.tesseract` (which re-reads a grid's cells one by one, rules and specks wiped) and
`layout.blocks` (which turns the grid and its words into a table block, and closed frames into
asides). Both look at the same page image in the same worker, one right after the other, so the
rule masks and what is found in them are kept while that page image lives (`_memo`): the later
looks cost nothing instead of passes over the page.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from digitize.model import BBox


@dataclass(frozen=True, slots=True)
class Grid:
    xs: tuple[float, ...]  # vertical rule positions, left to right
    ys: tuple[float, ...]  # horizontal rule positions, top to bottom

    @property
    def bbox(self) -> BBox:
        return BBox(self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def find_grids(gray: Any, min_rules: int = 3) -> list[Grid]:
    """Ruled grids in a grayscale page (numpy array): at least `min_rules` rules each way."""
    grids = []
    for scale, x, y, _bw, _bh, hs, vs in _ruled_parts(gray, 10, 0.6):
        if len(hs) >= min_rules and len(vs) >= min_rules:
            xs = tuple(float(scale * (x + v) + (scale - 1) / 2) for v in vs)
            ys = tuple(float(scale * (y + r) + (scale - 1) / 2) for r in hs)
            grids.append(Grid(xs, ys))
    return grids


T = TypeVar("T")
# What was found in the last page image: {"ref": a weak reference to its pixels, what: value}.
# Weak, and emptied when those pixels go: the engine owns page images (DESIGN: no pixels in
# module globals), so nothing here outlives the page the chain holds.
_LAST: dict[Any, Any] = {}


def _memo(gray: Any, what: tuple[Any, ...], make: Callable[[], T]) -> T:
    """`make()`, or what it gave for the same `what` on the same page image: the read-only
    array the chain holds, which OCR and layout are handed in turn. Pixels that may change
    in place (a writeable array) are never answered from the memo."""
    import numpy as np

    arr: np.ndarray = np.asarray(gray)
    if arr.flags.writeable:
        return make()
    ref = _LAST.get("ref")
    if ref is None or ref() is not arr:
        _LAST.clear()
        _LAST["ref"] = weakref.ref(arr, _forget)
    if what not in _LAST:
        _LAST[what] = make()
    out: T = _LAST[what]
    return out


def _forget(ref: weakref.ref[Any]) -> None:
    """The page image is gone: so is what was found in it (unless a newer page took over)."""
    if _LAST.get("ref") is ref:
        _LAST.clear()


def _ruled_parts(
    gray: Any, min_share: int, need: float
) -> list[tuple[int, int, int, int, int, list[float], list[float]]]:
    """Each connected figure of rules at least 1/`min_share` of the page wide: (scale, x, y,
    width, height, its horizontal rules, its vertical rules), rules at least `need` of the
    figure's width (height) long, all at 1/scale of the page's size."""
    return list(_memo(gray, ("parts", min_share, need), lambda: _find_parts(gray, min_share, need)))


def _find_parts(
    gray: Any, min_share: int, need: float
) -> tuple[tuple[int, int, int, int, int, list[float], list[float]], ...]:
    import cv2
    import numpy as np

    scale, horiz, vert = _rule_masks(gray)
    h, w = horiz.shape[:2]
    n, _, stats, _ = cv2.connectedComponentsWithStats(np.bitwise_or(horiz, vert), connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        if bw < w // min_share or bh < h // 40:
            continue
        hs = _rules(horiz[y : y + bh, x : x + bw], need * bw, axis=0)
        vs = _rules(vert[y : y + bh, x : x + bw], need * bh, axis=1)
        out.append((scale, x, y, bw, bh, hs, vs))
    return tuple(out)


def _rule_masks(gray: Any) -> tuple[int, Any, Any]:
    """(scale, horizontal strokes, vertical strokes) of a page, at 1/scale of its size."""
    return _memo(gray, ("masks",), lambda: _make_rule_masks(gray))


def _make_rule_masks(gray: Any) -> tuple[int, Any, Any]:
    import cv2
    import numpy as np

    full = gray
    scale = 2 if min(full.shape[:2]) > 1200 else 1  # rules survive halving; 4x less work
    if scale > 1:
        gray = cv2.resize(
            full, (full.shape[1] // 2, full.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
    h, w = gray.shape[:2]
    ink = (gray < ink_threshold(gray, 200 if scale > 1 else 160)).astype(np.uint8)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(20, w // 25)), np.uint8))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(20, h // 40), 1), np.uint8))
    horiz.flags.writeable = vert.flags.writeable = False  # shared by every later look
    return scale, horiz, vert


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal rule: its ends and height on the page (px)."""

    x0: float
    x1: float
    y: float


def horizontal_rules(gray: Any, min_share: float = 0.1) -> list[Rule]:
    """The page's horizontal rules at least `min_share` of the page wide, top to bottom."""
    return list(_memo(gray, ("hrules", min_share), lambda: _find_hrules(gray, min_share)))


def _find_hrules(gray: Any, min_share: float) -> tuple[Rule, ...]:
    import cv2

    scale, horiz, _ = _rule_masks(gray)
    w = horiz.shape[1]
    n, _, stats, cents = cv2.connectedComponentsWithStats(horiz, connectivity=8)
    out = []
    for i in range(1, n):
        x, _y, bw, bh, _ = stats[i]
        if bw >= min_share * w and bh < bw / 20:
            out.append(Rule(float(scale * x), float(scale * (x + bw)), float(scale * cents[i][1])))
    return tuple(sorted(out, key=lambda r: r.y))


def ink_threshold(gray: Any, clean: float) -> float:
    """Gray level below which a pixel is ink. `clean` suits white paper; a dark, noisy scan
    (paper at 180) would turn all paper into ink and every text line into a "rule", so the
    threshold keeps the same relative place between the paper and the ink levels."""
    import numpy as np

    paper, ink = np.percentile(gray[::4, ::4], [50, 1])
    if paper - ink < 40:
        return float(clean * paper / 255.0)
    return float(min(clean, paper - (1.0 - clean / 255.0) * (paper - ink)))


def _rules(mask: Any, need: float, axis: int) -> list[float]:
    """Centres of the rules in a rule mask: horizontal (axis 0) or vertical (axis 1) strokes at
    least `need` pixels long. Each stroke is measured as its own connected piece, so a skewed
    scan (a rule drifting over several pixel rows) still counts it once and at full length."""
    import cv2

    n, _, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for i in range(1, n):
        length = stats[i][2] if axis == 0 else stats[i][3]
        if length >= need:
            found.append(float(cents[i][1] if axis == 0 else cents[i][0]))
    out: list[float] = []
    for v in sorted(found):
        if out and v - out[-1] < 4:
            continue  # one thick rule broken in two
        out.append(v)
    return out


def find_frames(gray: Any) -> list[BBox]:
    """Closed rectangles of rules with nothing ruled inside (a boxed note, a sidebar): two
    horizontal rules and two vertical ones at the rectangle's edges. A table's grid has more."""
    out = []
    for scale, x, y, bw, bh, hs, vs in _ruled_parts(gray, 6, 0.8):
        edge = max(6, bh // 20)
        closed = len(hs) == len(vs) == 2 and hs[0] < edge < bh - edge < hs[1]
        if closed and vs[0] < edge and vs[1] > bw - edge:
            out.append(BBox(*(float(scale * v) for v in (x, y, x + bw, y + bh))))
    return out
