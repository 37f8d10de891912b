"""Which language a recognised text is in: Vietnamese or English, from cheap evidence.

A book run with `vie+eng` (the default) may be either; readers, screen readers and catalogues
need to know which. Each word votes:

- Vietnamese: it carries a Vietnamese-only letter or tone mark (đ ă â ê ô ơ ư, à á ả ã ạ ...),
  or it is one of a few very common Vietnamese words that are often printed without them.
- English: it is a common English word, or (in plain ASCII) it cannot be a Vietnamese syllable
  at all (Vietnamese has no f, j, w, z, and a syllable ends in a vowel or c, ch, m, n, ng, nh,
  p, t): "book", "is", "and", "of" are English; "can", "ban", "the" prove nothing.

Words that prove nothing (numbers, names, short ASCII syllables) do not vote. A paragraph's
language is the side with more votes; a book's is the side with more words in paragraphs of
that language. No dictionary files, no models: a few microseconds a paragraph.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# Tone marks (grave, acute, tilde, hook above, dot below) and the letters only Vietnamese uses.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VI_LETTERS = set("đăơư")  # â ê ô also occur in French loans: checked as syllables
# A Vietnamese syllable without its marks: onset, one to three vowels, coda.
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")
# Common English words that also look like Vietnamese syllables (the rest fail the pattern).
_EN_WORDS = frozenset(
    re.findall(
        r"\w+",
        "an at be but by can do each go he him in it may me my no not on out see so such than"
        " that the them then they to up",
    )
)
# Common Vietnamese words that a degraded scan often prints or reads without their marks.
_VI_WORDS = frozenset(
    ["cua", "nhung", "duoc", "trong", "mot", "cac", "nguoi", "nay", "nhu", "voi", "khong", "cho"]
)


def _letters(word: str) -> tuple[str, bool]:
    """(the word's base letters, whether it carries a Vietnamese mark or letter)."""
    marked = False
    base = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES or ch == "\u0302" or ch == "\u0306" or ch == "\u031b":
            marked = True  # tone, circumflex, breve, horn
        elif unicodedata.combining(ch):
            continue
        elif ch == "đ":
            marked = True
            base.append("d")
        else:
            base.append(ch)
    return "".join(base), marked


@functools.lru_cache(maxsize=1 << 16)
def word_vote(word: str) -> str | None:
    """'vi', 'en' or None (the word proves nothing) for one word. Cached: a book repeats its
    words (a Vietnamese book its few thousand syllables), and every paragraph is voted on."""
    low = word.lower()
    if any(ch in _VI_LETTERS for ch in low):
        return "vi"
    base, marked = _letters(low)
    if marked:
        # A circumflex or acute alone also occurs in French or English loans ("café", "rôle"):
        # only a word that is otherwise a Vietnamese syllable counts.
        return "vi" if _VI_SYLLABLE.match(base) else None
    if not base.isascii() or not base.isalpha():
        return None
    if low in _EN_WORDS:
        return "en"
    if low in _VI_WORDS:
        return "vi"
    if len(base) >= 2 and not _VI_SYLLABLE.match(base):
        return "en"
    return None


def votes(text: str) -> tuple[int, int]:
    """(Vietnamese votes, English votes) of the words in `text`."""
    vi = en = 0
    for word in _WORD.findall(text):
        v = word_vote(word)
        if v == "vi":
            vi += 1
        elif v == "en":
            en += 1
    return vi, en


def guess(text: str, min_votes: int = 1) -> str | None:
    """'vi' or 'en' for a paragraph, or None when it holds too little evidence to say."""
    vi, en = votes(text)
    if max(vi, en) < min_votes or vi == en:
        return None
    return "vi" if vi > en else "en"


def majority(paragraphs: Iterable[str], candidates: tuple[str, ...]) -> str:
    """The language of `candidates` (ISO codes, the first is the default) that most words of
    the paragraphs are in; each paragraph's words count for the language `guess` gives it."""
    default = candidates[0]
    if not {"vi", "en"} >= set(candidates) or len(set(candidates)) < 2:
        return default  # only Vietnamese/English are told apart; anything else: the first
    words = {"vi": 0, "en": 0}
    for text in paragraphs:
        lang = guess(text)
        if lang is not None:
            words[lang] += len(text.split())
    if words["vi"] == words["en"]:
        return default
    return max(words, key=lambda k: words[k])
