"""Printed page labels for pages that show none, counted from their numbered neighbours."""

from __future__ import annotations

from dataclasses import replace

from digitize.model import Page
from digitize.text import roman_value, to_roman


def _parse_label(label: str | None) -> tuple[int, bool] | None:
    if label is None:
        return None
    if label.isdigit():
        return int(label), False
    rv = roman_value(label)
    return (rv, True) if rv is not None else None


def infer_labels(pages: list[Page]) -> list[Page]:
    """Pages without a printed number get one counted from the nearest numbered neighbours."""
    parsed = {i: _parse_label(p.label) for i, p in enumerate(pages)}
    known = {i: v for i, v in parsed.items() if v is not None}
    if not known:
        return pages
    out = []
    idx = sorted(known)
    for i, p in enumerate(pages):
        if p.label is not None:
            out.append(p)
            continue
        before = [j for j in idx if j < i]
        after = [j for j in idx if j > i]
        guess: tuple[int, bool] | None = None
        if before:
            j = before[-1]
            v, roman = known[j]
            guess = (v + i - j, roman)
            if after:
                k = after[0]
                vk, rk = known[k]
                if rk != roman:
                    guess = (vk - (k - i), rk) if vk - (k - i) >= 1 else guess
                elif guess[0] >= vk:
                    guess = None
        elif after:
            k = after[0]
            vk, rk = known[k]
            if vk - (k - i) >= 1:
                guess = (vk - (k - i), rk)
        if guess is None:
            out.append(p)
            continue
        v, roman = guess
        text = str(v)
        if roman:
            text = to_roman(v)
            ref = pages[(before or after)[-1 if before else 0]].label or ""
            if ref.isupper():
                text = text.upper()
        out.append(replace(p, label=text))
    return out
