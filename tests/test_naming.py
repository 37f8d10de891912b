"""safe_stem: untrusted titles and source paths become harmless, stable file names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from digitize.naming import safe_stem


def test_examples() -> None:
    assert safe_stem("../../etc/passwd") == "passwd"
    assert safe_stem("scans/Sách giáo khoa.pdf") == "Sách_giáo_khoa"
    assert safe_stem("C:\\books\\Toán 10.tiff") == "Toán_10"
    assert safe_stem("") == "book" and safe_stem("..") == "book" and safe_stem("/") == "book"
    assert safe_stem("con") == "con_"
    assert safe_stem("-rf") == "rf"
    assert safe_stem("a\x00b\u202ec") == "abc"
    assert safe_stem("Tie\u0302\u0301ng") == "Tiếng"  # NFC


@given(st.text())
def test_always_safe(name: str) -> None:
    stem = safe_stem(name)
    assert stem and len(stem) <= 100 and len(stem.encode()) <= 200
    assert "/" not in stem and "\\" not in stem and ".." not in stem
    assert not stem.startswith((".", "-"))
    assert all(ch.isprintable() and not ch.isspace() for ch in stem)
