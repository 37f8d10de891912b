"""Evaluation metrics: pure functions over truth (a `digitize.truth` dict) and our output.

Output is a flow (list of dicts shaped like the truth "flow") and/or plain text. All text is
compared after `normalize` (NFC, whitespace folded to single spaces). Scores are floats; a metric
that cannot be computed from what was given (e.g. heading precision from plain text) is NaN.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from digitize.lab.evaluation.text import flow_to_text, normalize

FURNITURE = ("header", "footer", "page_number")
NAN = float("nan")

# ---------------------------------------------------------------- character and word errors


def cer(ref: str, hyp: str) -> float:
    """Character error rate: Levenshtein distance(ref, hyp) / len(ref), after `normalize`.

    0 is perfect; it can exceed 1 when the output is much longer than the truth. An empty
    truth scores 0 against an empty output and 1 against anything else.
    """
    r, h = normalize(ref), normalize(hyp)
    if not r:
        return 0.0 if not h else 1.0
    return Levenshtein.distance(r, h) / len(r)


def wer(ref: str, hyp: str) -> float:
    """Word error rate: Levenshtein distance over whitespace-separated tokens / truth tokens."""
    r, h = normalize(ref).split(), normalize(hyp).split()
    if not r:
        return 0.0 if not h else 1.0
    return Levenshtein.distance(r, h) / len(r)


def nfc_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def word_recall(ref: str, hyp: str) -> float:
    """Bag-of-words recall: the share of truth words (case-folded, line-end hyphens joined)
    found in the output, in any order. CER and WER punish a different but sensible reading
    order (multi-column pages whose truth follows a zone file); this does not."""

    r, h = _bag(ref), _bag(hyp)
    total = sum(r.values())
    return sum((r & h).values()) / total if total else 1.0


def _words(text: str) -> list[str]:
    """Case-folded words of `text`, line-end hyphens joined (the recall's tokens, in order)."""
    text = re.sub(r"-\n\s*", "", nfc_text(text)).replace("’", "'")
    return [w.casefold() for w in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text)]


def _bag(text: str) -> Counter[str]:
    return Counter(_words(text))


def lost_lines(ref: str, ours: str, other: str, min_words: int = 3) -> list[str]:
    """The lines of `other` (plain Tesseract's text) that read the truth and that we lose: at
    least `min_words` of the line's words are truth words, and fewer than half of those are in
    our text. A misread letter costs a word or two on a line, never half of it, so this counts
    lines lost (dropped by segmentation, layout, a filter), not OCR noise; word recall counts
    both. Words are matched as a bag: each truth word we read is used up once."""
    truth, have = _bag(ref), _bag(ref) & _bag(ours)
    lost = []
    for line in re.sub(r"-\n\s*", "", other).splitlines():
        confirmed = [w for w in _words(line) if truth[w] > 0]
        for w in confirmed:
            truth[w] -= 1
        if len(confirmed) < min_words:
            continue
        found = 0
        for w in confirmed:
            if have[w] > 0:
                have[w] -= 1
                found += 1
        if found < len(confirmed) / 2:
            lost.append(line.strip())
    return lost


def has_diacritic(ch: str) -> bool:
    """A letter carrying a mark (ă â ê ô ơ ư, tones) or the Vietnamese đ/Đ."""
    if ch in "đĐ":
        return True
    d = unicodedata.normalize("NFD", ch)
    return len(d) > 1 and d[0].isalpha()


def diacritic_error_rate(ref: str, hyp: str) -> float:
    """Share of truth characters carrying diacritics that are not reproduced exactly.

    The two normalized texts are aligned by Levenshtein; a diacritic-bearing truth character
    counts as an error when it falls in a replaced or deleted span. NaN if the truth has none.
    """
    r, h = normalize(ref), normalize(hyp)
    marked = [i for i, c in enumerate(r) if has_diacritic(c)]
    if not marked:
        return NAN
    ok = [False] * len(r)
    for op in Levenshtein.opcodes(r, h):
        if op.tag == "equal":
            for i in range(op.src_start, op.src_end):
                ok[i] = True
    return sum(1 for i in marked if not ok[i]) / len(marked)


_TONE_FOLD = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?!\w)")


def fold_tone_placement(text: str) -> str:
    """Put the tone of open oa/oe/uy syllables on the first vowel ("hoà" -> "hòa").

    Old- and new-style Vietnamese orthography differ only there; ground truth and print often
    disagree, which is not an OCR error. Returns NFC.
    """
    return unicodedata.normalize(
        "NFC", _TONE_FOLD.sub(r"\1\3\2", unicodedata.normalize("NFD", text))
    )


# ---------------------------------------------------------------- page furniture and hyphens


def _count(needle: str, hay: str) -> int:
    """Occurrences of `needle` bounded by whitespace or the ends of `hay` (both normalized)."""
    if not needle:
        return 0
    return len(re.findall(rf"(?:(?<=\s)|^){re.escape(needle)}(?=\s|$)", hay))


def furniture_strings(truth: dict[str, Any]) -> list[str]:
    """Running heads, footers and page numbers of every truth page (one entry per instance)."""
    out = []
    for page in truth.get("pages", []):
        for b in page.get("blocks", []):
            if b.get("kind") in FURNITURE and normalize(b.get("text", "")):
                out.append(normalize(b["text"]))
    return out


def header_leak_rate(truth: dict[str, Any], text: str) -> float:
    """Share of truth running-head / footer / page-number instances found in the output body.

    A string counts as leaked as often as it occurs in the output (whitespace-bounded) beyond
    its occurrences in the true reading text (a chapter title may also be a heading), capped
    at its number of instances. 0 is perfect; NaN when the truth has no furniture.
    """
    inst = Counter(furniture_strings(truth))
    if not inst:
        return NAN
    out, ref = normalize(text), normalize(flow_to_text(truth.get("flow", [])))
    leaked = 0
    for s, n in inst.items():
        leaked += min(n, max(0, _count(s, out) - _count(s, ref)))
    return leaked / sum(inst.values())


def hyphen_leak_per_1000(truth: dict[str, Any], text: str) -> float:
    """Truth words split at a line end that appear broken in the output, per 1000 truth words.

    Broken means prefix and suffix joined by a hyphen and/or whitespace ("educa- tion",
    "educa-tion", "educa tion"). Each distinct split counts at most as often as it was printed.
    """
    words = len(normalize(flow_to_text(truth.get("flow", []))).split())
    if not words:
        return NAN
    splits = Counter((h["prefix"], h["suffix"]) for h in truth.get("hyphenated", []))
    out = normalize(text)
    leaked = 0
    for (pre, suf), n in splits.items():
        pat = rf"(?<!\w){re.escape(pre)}(?:[-\u00ad\u2010]\s*|\s+){re.escape(suf)}(?!\w)"
        leaked += min(n, len(re.findall(pat, out)))
    return 1000.0 * leaked / words


# ---------------------------------------------------------------- structure


def _similar(a: str, b: str) -> float:
    return Levenshtein.normalized_similarity(a, b)


def match(truth: list[str], out: list[str], threshold: float = 0.8) -> list[tuple[int, int]]:
    """One-to-one greedy matching of strings by normalized Levenshtein similarity >= threshold."""
    t = [normalize(x) for x in truth]
    o = [normalize(x) for x in out]
    pairs = []
    for i, a in enumerate(t):
        for j, b in enumerate(o):
            if not a or not b or min(len(a), len(b)) < threshold * max(len(a), len(b)):
                continue
            s = _similar(a, b)
            if s >= threshold:
                pairs.append((s, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_t, used_o, out_pairs = set(), set(), []
    for _, i, j in pairs:
        if i not in used_t and j not in used_o:
            used_t.add(i)
            used_o.add(j)
            out_pairs.append((i, j))
    return sorted(out_pairs)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def paragraph_f1(truth: list[str], out: list[str], threshold: float = 0.8) -> float:
    """F1 of paragraph recovery: a truth paragraph is recovered when one output paragraph
    matches it with similarity >= `threshold` (one-to-one). Wrongly split or merged paragraphs
    match nothing, so this measures paragraph boundaries, tolerant of OCR noise."""
    if not truth and not out:
        return 1.0
    if not truth or not out:
        return 0.0
    m = len(match(truth, out, threshold))
    return _f1(m / len(out), m / len(truth))


def heading_scores(
    truth: list[tuple[str, int]], out: list[tuple[str, int]], threshold: float = 0.8
) -> dict[str, float]:
    """Heading precision and recall: a heading is right when its text matches a truth heading
    (similarity >= threshold) AND its level is equal; `heading_text_recall` ignores the level."""
    pairs = match([t for t, _ in truth], [t for t, _ in out], threshold)
    good = sum(1 for i, j in pairs if truth[i][1] == out[j][1])
    return {
        "heading_precision": good / len(out) if out else (1.0 if not truth else 0.0),
        "heading_recall": good / len(truth) if truth else 1.0,
        "heading_text_recall": len(pairs) / len(truth) if truth else 1.0,
    }


def reading_order(truth_blocks: list[str], text: str, anchor: int = 48) -> float:
    """Share of truth block pairs found in the same relative order in the output text.

    Each truth block is located in the output by the best fuzzy alignment of its first
    `anchor` characters (score >= 80); among located blocks, the score is the fraction of
    pairs in concordant order (1 = same order; 0.5 ~ random). NaN if fewer than 2 are found.
    """
    out = normalize(text)
    pos = []
    for b in truth_blocks:
        a = normalize(b)[:anchor]
        if len(a) < 12:
            continue
        res = fuzz.partial_ratio_alignment(a, out, score_cutoff=80)
        if res is not None:
            pos.append(res.dest_start)
    n = len(pos)
    if n < 2:
        return NAN
    conc = sum(1 for i in range(n) for j in range(i + 1, n) if pos[i] < pos[j])
    return conc / (n * (n - 1) / 2)


def two_column_blocks(truth: dict[str, Any]) -> list[str]:
    """The truth's text blocks that start on a page set in two (or more) columns: reading
    order there is the hard case, and a whole-book score would dilute it."""
    columns = {p.get("index"): p.get("columns", 1) for p in truth.get("pages", [])}
    page, out = 0, []
    for item in truth.get("flow", []):
        if item.get("kind") == "page_break":
            page = item.get("index", page)
            continue
        if columns.get(page, 1) >= 2:
            out += [b.strip() for b in flow_to_text([item]).split("\n\n") if b.strip()]
        if item.get("breaks"):  # a paragraph run over a page break: what follows is there
            page = item["breaks"][-1][1]
    return out


def captions(flow: list[dict[str, Any]]) -> list[str]:
    return [
        it["caption"] for it in flow if it.get("kind") in ("figure", "table") and it.get("caption")
    ]


def caption_recall(
    truth: dict[str, Any], flow: list[dict[str, Any]] | None, text: str = ""
) -> float:
    """Share of truth figure/table captions present as captions in the output flow (similarity
    >= 0.8), or, for plain-text output, found in the text (partial ratio >= 90)."""
    want = captions(truth.get("flow", []))
    if not want:
        return NAN
    if flow:
        return len(match(want, captions(flow))) / len(want)
    out = normalize(text)
    return sum(1 for c in want if fuzz.partial_ratio(normalize(c), out) >= 90) / len(want)


def table_rows(flow: list[dict[str, Any]]) -> list[list[str]]:
    """Every table row of a flow, as its cells."""
    return [list(row) for it in flow if it.get("kind") == "table" for row in it.get("rows", [])]


def table_row_recall(
    truth: dict[str, Any], flow: list[dict[str, Any]] | None, text: str = ""
) -> float:
    """Share of truth table rows present as rows of an output table: as many cells, the cells
    space-joined similar (>= 0.8). A row read as loose text, or missing a cell, does not count.
    For plain-text output, rows found in the text (partial ratio >= 90)."""
    want = table_rows(truth.get("flow", []))
    if not want:
        return NAN
    if not flow:
        out = normalize(text)
        hits = sum(1 for r in want if fuzz.partial_ratio(normalize(" ".join(r)), out) >= 90)
        return hits / len(want)
    got = table_rows(flow)
    found = 0
    for n in {len(r) for r in want}:  # rows match rows of the same width only
        same = [" ".join(r) for r in got if len(r) == n]
        found += len(match([" ".join(r) for r in want if len(r) == n], same))
    return found / len(want)


def aside_recall(truth: dict[str, Any], flow: list[dict[str, Any]] | None, text: str = "") -> float:
    """Share of truth boxed notes present as asides of the output (text similarity >= 0.8): a
    note read into the running text does not count. Plain-text output: found in the text."""
    want = [it.get("text", "") for it in truth.get("flow", []) if it.get("kind") == "aside"]
    if not want:
        return NAN
    if flow:
        got = [it.get("text", "") for it in flow if it.get("kind") == "aside"]
        return len(match(want, got)) / len(want)
    out = normalize(text)
    return sum(1 for a in want if fuzz.partial_ratio(normalize(a), out) >= 90) / len(want)


def formula_recall(truth: dict[str, Any], flow: list[dict[str, Any]] | None) -> float:
    """Share of truth display formulas present as formula pictures of the output (a figure
    with role "formula"), counted in number: OCR garbage in a paragraph does not count. NaN
    without formulas or without an output flow."""
    want = sum(1 for it in truth.get("flow", []) if it.get("kind") == "formula")
    if not want or not flow:
        return NAN
    got = sum(1 for it in flow if it.get("kind") == "figure" and it.get("role") == "formula")
    return min(got, want) / want


def list_recall(truth: dict[str, Any], flow: list[dict[str, Any]] | None) -> float:
    """Share of truth lists that come out as one list of the same items in the same order
    (each item, with its printed marker, similar >= 0.8): options set side by side must not
    scatter into paragraphs or reorder. NaN without lists or without an output flow."""

    def items(it: dict[str, Any]) -> list[str]:
        marks = it.get("markers") or [""] * len(it.get("items", []))
        return [f"{m} {t}".strip() for m, t in zip(marks, it.get("items", []), strict=False)]

    want = [items(it) for it in truth.get("flow", []) if it.get("kind") == "list"]
    if not want or not flow:
        return NAN
    got = [items(it) for it in flow if it.get("kind") == "list"]
    found = 0
    for w in want:
        if any(
            len(g) == len(w)
            and all(_similar(normalize(a), normalize(b)) >= 0.8 for a, b in zip(w, g, strict=True))
            for g in got
        ):
            found += 1
    return found / len(want)


# ---------------------------------------------------------------- the book score


def score_book(truth: dict[str, Any], flow: list[dict[str, Any]], text: str) -> dict[str, float]:
    """Every metric for one book. `flow` may be empty (plain-text output such as the raw
    Tesseract baseline); `text` may be empty when a flow is given (it is derived from it)."""
    tflow = truth.get("flow", [])
    ref = flow_to_text(tflow)
    text = text or flow_to_text(flow)
    ref_blocks = [b for b in ref.split("\n\n") if b.strip()]
    if flow:
        t_par = [it["text"] for it in tflow if it.get("kind") == "paragraph"]
        o_par = [it.get("text", "") for it in flow if it.get("kind") == "paragraph"]
        heads = heading_scores(
            [(it["text"], it.get("level", 1)) for it in tflow if it.get("kind") == "heading"],
            [
                (it.get("text", ""), it.get("level", 1))
                for it in flow
                if it.get("kind") == "heading"
            ],
        )
    else:
        t_par, o_par = ref_blocks, [b for b in re.split(r"\n\s*\n", text) if b.strip()]
        heads = {"heading_precision": NAN, "heading_recall": NAN, "heading_text_recall": NAN}
    fold = fold_tone_placement if "vi" in str(truth.get("lang", "")) else (lambda s: s)
    scores = {
        "cer": cer(fold(ref), fold(text)),
        "wer": wer(fold(ref), fold(text)),
        "diacritic_error_rate": diacritic_error_rate(fold(ref), fold(text)),
        "header_leak_rate": header_leak_rate(truth, text),
        "hyphen_leak_per_1000w": hyphen_leak_per_1000(truth, text),
        "paragraph_f1": paragraph_f1(t_par, o_par),
        "reading_order": reading_order(ref_blocks, text),
        "reading_order_columns": reading_order(two_column_blocks(truth), text),
        "caption_recall": caption_recall(truth, flow, text),
        "table_row_recall": table_row_recall(truth, flow, text),
        "aside_recall": aside_recall(truth, flow, text),
        "list_recall": list_recall(truth, flow),
        "formula_recall": formula_recall(truth, flow),
    }
    scores.update(heads)
    return scores


def mean_scores(rows: list[dict[str, float]]) -> dict[str, float]:
    """Per-metric mean over books, ignoring NaN."""
    keys = sorted({k for r in rows for k in r})
    out = {}
    for k in keys:
        vals = [r[k] for r in rows if k in r and not math.isnan(r[k])]
        out[k] = sum(vals) / len(vals) if vals else NAN
    return out
