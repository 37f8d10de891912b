"""digitize.text: language names (one table for ingest, metadata and exporters)."""

from __future__ import annotations

from digitize.stages.export._render import lang_tag
from digitize.text import TESSERACT_LANGUAGES, bcp47, superscript


def test_bcp47_of_the_first_tesseract_language() -> None:
    assert bcp47("vie+eng") == "vi" and bcp47(" eng + vie") == "en"
    assert bcp47("chi_tra") == "zh-Hant"
    assert bcp47("xyz") is None and bcp47("") is None


def test_exporters_tag_every_known_language_as_the_table_says() -> None:
    for tess, tag in TESSERACT_LANGUAGES.items():
        assert lang_tag(f"{tess}+eng") == tag
    assert lang_tag("zh_TW") == "zh-TW"  # already a tag, in Tesseract's spelling
    assert lang_tag("not a tag") == "und" and lang_tag(None, default="vi") == "vi"


def test_superscript_raises_digits_only() -> None:
    assert superscript("12") == "¹²" and superscript("*") == "*" and superscript("3a") == "³a"
