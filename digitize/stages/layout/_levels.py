"""Outline levels of the book's headings, from their numbering and their type size."""

from __future__ import annotations

from statistics import median

from digitize.model import Page
from digitize.stages.layout import _text
from digitize.stages.layout._size import line_height


def heading_levels(
    pages: tuple[Page, ...], body_h: float, max_level: int
) -> dict[tuple[int, int], int]:
    """Outline levels: numbering ranks first; unnumbered headings take the rank of the numbered
    heading closest in size, or rank by size alone; then ranks are packed into 1..max_level."""
    heads = [
        (pi, bi, b)
        for pi, p in enumerate(pages)
        for bi, b in enumerate(p.blocks)
        if b.kind == "heading" and b.lines  # a heading without lines has no size (nor text)
    ]
    if not heads:
        return {}
    size = {(pi, bi): median(line_height(ln) for ln in b.lines) / body_h for pi, bi, b in heads}
    ranked = [(size[(pi, bi)], float(b.level)) for pi, bi, b in heads if b.level is not None]
    rank: dict[tuple[int, int], float] = {}
    by_size = _size_ranks([size[(pi, bi)] for pi, bi, _ in heads])
    for pi, bi, b in heads:
        s = size[(pi, bi)]
        fuzzy = _text.keyword_rank_fuzzy(b.lines[0].text) if b.lines else None
        if b.level is not None:
            rank[(pi, bi)] = float(b.level)
        elif fuzzy is not None and ranked:
            rank[(pi, bi)] = fuzzy + 1  # blocks store keyword rank + 1 as the level
        elif ranked:
            # Unnumbered: below every numbered heading if smaller than all of them, above if
            # larger, else with the numbered heading closest in size.
            sizes = [r[0] for r in ranked]
            ranks = [r[1] for r in ranked]
            if s < 0.93 * min(sizes):
                rank[(pi, bi)] = max(ranks) + 0.5
            elif s > 1.15 * max(sizes):  # not merely a speck-inflated or misread chapter title
                rank[(pi, bi)] = min(ranks) - 0.5
            else:
                rank[(pi, bi)] = min(ranked, key=lambda r: (abs(r[0] - s), r[1]))[1]
        else:
            rank[(pi, bi)] = by_size[s]
    order = sorted(set(rank.values()))
    return {k: min(order.index(v) + 1, max_level) for k, v in rank.items()}


def _size_rank(size: float) -> float:
    return 1.0 if size >= 1.6 else 2.0 if size >= 1.3 else 3.0


GAP = 1.15  # sizes of one heading level measured on a noisy scan differ by less than this step
SPAN = 1.5  # a run wider than this is several levels, however evenly spread


def _size_ranks(sizes: list[float]) -> dict[float, float]:
    """Rank by type size for a book without numbering: one level is set in one size, so the
    book's heading sizes fall into runs separated by clear steps; each run takes the rank of
    its median, so blur that measures one section title at 1.13 and the next at 1.45 body
    heights cannot put them at different levels. A run spread too wide ranks line by line."""
    order = sorted(set(sizes))
    runs: list[list[float]] = []
    for s in order:
        if runs and s < GAP * runs[-1][-1]:
            runs[-1].append(s)
        else:
            runs.append([s])
    out: dict[float, float] = {}
    for run in runs:
        mid = median(run)
        for s in run:
            out[s] = _size_rank(s) if run[-1] > SPAN * run[0] else _size_rank(mid)
    return out
