"""Synthetic scanned textbooks with exact ground truth (evaluation corpus and test inputs).

`generate_book(BookSpec(...), out_dir)` writes one book; `make_corpus(out_dir)` the standard
evaluation corpus; `python -m digitize.synth --help` does either from the shell.
"""

from __future__ import annotations

from digitize.synth.book import BookSpec, generate_book
from digitize.synth.corpus import STANDARD_CORPUS, make_corpus

__all__ = ["STANDARD_CORPUS", "BookSpec", "generate_book", "make_corpus"]
