"""Small helpers shared by the ingesters (not a stage): hashing, page-image names, language."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Tesseract language codes → BCP 47, for BookMeta.lang when the source does not say.
_ISO = {
    "vie": "vi",
    "eng": "en",
    "fra": "fr",
    "deu": "de",
    "spa": "es",
    "chi_sim": "zh-Hans",
    "chi_tra": "zh-Hant",
    "jpn": "ja",
    "kor": "ko",
    "rus": "ru",
}


def file_sha256(path: Path) -> str:
    """Hex digest of a file's bytes, read in chunks (sources can be hundreds of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def page_image_name(index: int, *parts: object, suffix: str = ".png") -> str:
    """`pages/p0001-<hash>.png`: the hash covers the source digest and every option that
    changes the pixels, so a cached image is valid exactly when its name matches."""
    key = "\x1f".join(str(p) for p in parts)
    return f"pages/p{index + 1:04d}-{hashlib.sha256(key.encode()).hexdigest()[:16]}{suffix}"


def meta_lang(tess_lang: str) -> str:
    """The book language implied by the run's Tesseract languages (first one wins)."""
    first = tess_lang.split("+")[0].strip()
    return _ISO.get(first, "vi")
