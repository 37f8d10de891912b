"""Open tables: rules across the table (above, under the head, below) but none between columns.

Textbooks set many tables with horizontal rules only. `find_grids` needs rules both ways, so such
a table was read as loose lines: each row a paragraph (or a list item when it starts with a
number), its caption a paragraph. The evidence here holds in any book: two or more horizontal
rules of the same length stacked a few lines apart, and between them words that stand in
columns: the words' horizontal projection leaves gaps much wider than a word space, running
through every row. Rows are the words' own lines. The result is a `Grid` like a ruled table's,
so `take_tables` makes the table block the same way.
"""

from __future__ import annotations

import itertools
from statistics import median

from digitize.model import BBox, Word
from digitize.stages._grids import Grid, Rule

MAX_GAP_EM = 30.0  # rules further apart than this (in word heights) frame a page, not a table
COLUMN_GAP_EM = 1.2  # an empty vertical band this wide (word heights) separates two columns


def open_grids(rules: list[Rule], words: list[Word], taken: list[BBox]) -> list[Grid]:
    """Grids of the open tables among `rules` (top to bottom) and the page's words; bands that
    overlap a box in `taken` (a ruled table already found) are skipped."""
    if len(rules) < 2 or not words:
        return []
    em = median(w.bbox.height for w in words)
    grids = []
    for band in _bands(rules, em):
        region = BBox(band[0].x0, band[0].y, band[0].x1, band[-1].y)
        if any(region.overlaps(t) for t in taken):
            continue
        inside = [
            w
            for w in words
            if region.x0 <= w.bbox.cx <= region.x1 and region.y0 < w.bbox.cy < region.y1
        ]
        g = _grid(region, inside, em)
        if g is not None:
            grids.append(g)
    return grids


def _bands(rules: list[Rule], em: float) -> list[list[Rule]]:
    """Runs of rules with the same ends (within a word height), each close below the last."""
    bands: list[list[Rule]] = []
    for r in rules:
        for band in bands:
            last = band[-1]
            same = abs(r.x0 - last.x0) <= em and abs(r.x1 - last.x1) <= em
            if same and em < r.y - last.y <= MAX_GAP_EM * em:
                band.append(r)
                break
        else:
            bands.append([r])
    return [b for b in bands if len(b) >= 2]


def _grid(region: BBox, words: list[Word], em: float) -> Grid | None:
    """The grid of the words between a band's rules, or None when they do not stand in columns."""
    if len(words) < 4:
        return None
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.bbox.cy):
        if rows and w.bbox.cy - median(x.bbox.cy for x in rows[-1]) < 0.6 * em:
            rows[-1].append(w)
        else:
            rows.append([w])
    if len(rows) < 2:
        return None
    # the columns: empty bands in the projection of all the words onto the x axis
    spans = sorted((w.bbox.x0, w.bbox.x1) for w in words)
    cuts = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= COLUMN_GAP_EM * em:
            cuts.append((reach + x0) / 2)
        reach = max(reach, x1)
    if not cuts:
        return None
    edges = [region.x0, *cuts, region.x1]

    def columns(row: list[Word]) -> set[int]:
        return {sum(1 for c in cuts if c < w.bbox.cx) for w in row}

    spread = sum(1 for row in rows if len(columns(row)) >= 2)
    if spread < max(2, 2 * len(rows) / 3):
        return None  # loose lines that happen to leave a gap, not rows of cells
    filled = [sum(1 for row in rows if k in columns(row)) for k in range(len(edges) - 1)]
    if min(filled) < len(rows) / 2:
        return None  # a lone word off to one side is not a column
    ys = [region.y0]
    for upper, lower in itertools.pairwise(rows):
        ys.append((max(w.bbox.y1 for w in upper) + min(w.bbox.y0 for w in lower)) / 2)
    ys.append(region.y1)
    return Grid(tuple(edges), tuple(ys))
