"""Small helpers shared by the ingesters (not a stage): hashing, page-image names, language."""

from __future__ import annotations

import hashlib

from digitize.text import bcp47


def page_image_name(index: int, *parts: object, suffix: str = ".png") -> str:
    """`pages/p0001-<hash>.png`: the hash covers the source digest and every option that
    changes the pixels, so a cached image is valid exactly when its name matches."""
    key = "\x1f".join(str(p) for p in parts)
    return f"pages/p{index + 1:04d}-{hashlib.sha256(key.encode()).hexdigest()[:16]}{suffix}"


def meta_lang(tess_lang: str) -> str:
    """The book language implied by the run's Tesseract languages (first one wins)."""
    return bcp47(tess_lang) or "vi"
