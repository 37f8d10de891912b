"""Dehyphenation: join `educa-`/`tion` split by a line end, keep `well-known` and `COVID-19`.

The book itself is the best dictionary: if the joined form appears elsewhere we join, if the
hyphenated form appears inside a line elsewhere we keep the hyphen. Without evidence: keep it
for digits, capitals after the hyphen, Vietnamese syllables (typesetters do not split them, but
transliterations like `Mát-xcơ-va` are hyphenated) and a few compound-forming words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from digitize.stages.layout._text import HYPHENS

KEEP_PREFIXES = frozenset(["self", "well", "ill", "all", "half", "ex", "cross", "full", "quasi"])
_EDGE = re.compile(r"^\W+|\W+$")


def _core(token: str) -> str:
    # A word of letters and digits alone has no edge to strip: no regex for most words.
    return token.lower() if token.isalnum() else _EDGE.sub("", token).lower()


class Dehyphenator:
    def __init__(self, lines: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter()
        for text in lines:
            words = text.split()
            for k, w in enumerate(words):
                if k == len(words) - 1 and w[-1:] in HYPHENS:
                    continue  # a line-end split is the question, not evidence
                core = _core(w)
                if core:
                    self.counts[core] += 1

    def split_word(self, text: str) -> bool:
        """True when `text` ends with a hyphen that may split a word."""
        t = text.rstrip()
        return len(t) >= 2 and t[-1] in HYPHENS and t[-2].isalpha()

    def keep_hyphen(self, left: str, right: str) -> bool:
        """Decide for `left` = word ending in a hyphen, `right` = the next line's first word."""
        if left[-1] in "\u00ad¬":
            return False
        a = _EDGE.sub("", left[:-1])
        b = _EDGE.sub("", right)
        if not a or not b:
            return True
        joined, hyph = (a + b).lower(), f"{a}-{b}".lower()
        cj, ch = self.counts[joined], self.counts[hyph]
        if cj != ch:
            return ch > cj
        # A word set in capitals (`CHARAC-` / `TER`) says nothing by its capitals: judge it
        # as lower case. A capital after the hyphen otherwise marks a name (`Jean-Paul`).
        caps = a.isupper() and b.isupper() and len(b) > 1
        if not b[0].isalpha() or (b[0].isupper() and not caps) or any(c.isdigit() for c in a):
            return True
        if any(ord(c) > 127 for c in a + b):
            return True
        if "-" in a or len(a) == 1 or a.lower() in KEEP_PREFIXES:
            return True
        return a.isupper() and len(a) <= 5 and not caps

    def join(self, left: str, right: str) -> tuple[str, int]:
        """Join two text pieces split by a line end; return the text and where `right` begins
        (at the start of the word that straddles the break, so a page break never cuts a word)."""
        left = left.rstrip()
        right = right.lstrip()
        if len(left) >= 3 and left[-1] in ".,:;'`" and left[-2] in HYPHENS and left[-3].isalpha():
            left = left[:-1]  # a speck after the hyphen (`every-.`)
        if not left:
            return right, 0
        if not right:
            return left, len(left)
        if self.split_word(left):
            last = left.split()[-1]
            first = right.split()[0]
            start = len(left) - len(last)
            if self.keep_hyphen(last, first):
                return left + right, start
            return left[:-1] + right, start
        return f"{left} {right}", len(left) + 1
