"""Issue 15: inline emphasis, superscript note marks and list marks the OCR drops, on
synthetic books whose design sets a run of words in italic or bold in every paragraph and
marks bulleted items with an en dash. Words must come out in order in whole paragraphs, every
note mark linked to its note, and every list item whole, one item per printed item.

Conversions run as `digitize convert` subprocesses (see test_layout_designs.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.synthbooks import convert_synth

pytestmark = [pytest.mark.tesseract, pytest.mark.slow]

# Later design fields (exercises, boxes, paired figures, drop caps) are drawn per seed and
# would change these books' content; pin them off so the books stay the ones this test is about.
DESIGN = (
    ("emphasis", 1.0),
    ("bullet", "–"),
    ("chart_labels", False),
    ("exercises", 0.0),
    ("boxed_notes", 0.0),
    ("paired_figures", 0.0),
    ("drop_cap", 0),
)
CASES = (("en", 5), ("vi", 3))  # seeds whose six pages hold a list and footnotes


@pytest.mark.parametrize(("lang", "seed"), CASES)
def test_emphasis_note_marks_and_dash_lists_keep_paragraphs_whole(
    tmp_path: Path, lang: str, seed: int
) -> None:
    from digitize.lab.synth.book import BookSpec

    spec = BookSpec(lang=lang, pages=6, level="light", seed=seed, design=DESIGN)
    truth, flow, s = convert_synth(tmp_path, spec)
    tflow = truth["flow"]
    assert any(it["kind"] == "list" for it in tflow) and any(
        it["kind"] == "footnote" for it in tflow
    )
    # Paragraphs whole; the reading-order metric may lose a line or two to OCR noise.
    assert s["paragraph_f1"] == 1.0 and s["reading_order"] >= 0.98, s
    # Every printed item is one item, its mark not in its text.
    t_items = [t for it in tflow if it["kind"] == "list" for t in it["items"]]
    o_items = [t for it in flow if it["kind"] == "list" for t in it["items"]]
    assert len(o_items) == len(t_items), o_items
    assert not any(ch in t[2:] for t in o_items for ch in "•–®¢"), o_items
    # Every note is linked: its mark stands raised after a word of the text, not as `!`.
    notes = [it for it in flow if it["kind"] == "footnote"]
    assert len(notes) == sum(it["kind"] == "footnote" for it in tflow)
    text = " ".join(it.get("text", "") for it in flow if it["kind"] == "paragraph")
    assert "! " not in text.replace("?! ", "")
    for n in notes:
        assert n["mark"], n
