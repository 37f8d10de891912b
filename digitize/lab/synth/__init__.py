"""Synthetic scanned textbooks with exact ground truth (evaluation corpus and test inputs).

`generate_book(BookSpec(...), out_dir)` writes one book; `make_corpus(out_dir)` the standard
evaluation corpus (9 books: vi / en / vi+en x clean / light / heavy, 10 pages each);
`python -m digitize.lab.synth --help` does either from the shell.

A book directory holds `pages/page-NNNN.png` (one per scan image, DPI tag set), `book.pdf`
(image-only, pages sized for their dpi), `truth.txt` (the ideal reading text) and `truth.json`:

    {"schema": "digitize.truth", "version": 1, "title", "lang": "vi"|"en"|"vi+en",
     "level": "clean"|"light"|"heavy", "seed", "spec": {...BookSpec...},
     "bbox_space": "degraded",           # boxes are in the final (skewed/turned) image pixels
     "pages": [{"index", "label", "image", "size": [w, h], "dpi", "rotation" (clockwise
                quarter turn applied), "skew" (degrees, counter-clockwise), "columns",
                "region"? (the page's box inside a two-page spread image),
                "blocks": [{"kind" (digitize.model.BLOCK_KINDS), "text", "bbox": [x0,y0,x1,y1],
                            "level"?, "lines": [{"text", "bbox"}]}]}],
     "flow": [{"kind": "heading", "level", "text"}
            | {"kind": "paragraph", "text", "lang", "breaks"?: [[char offset, page index,
               label]], "refs"?: [[char offset after the marked word, mark]]}
            | {"kind": "figure", "caption"} | {"kind": "list", "items", "ordered", "markers"}
            | {"kind": "table", "rows", "caption"} | {"kind": "footnote", "mark", "text"}
            | {"kind": "page_break", "index", "label"}],
     "hyphenated": [{"word", "prefix", "suffix", "page"}]}

Every page is marked once in the flow: by a `page_break` item, or, when the page starts inside
a paragraph, by an entry in that paragraph's `breaks` (as in `digitize.model.Paragraph`).
Paragraph and block texts never contain footnote marks (see `refs`); block/line texts keep
the printed line-end hyphens, flow texts do not. A footnote item follows its paragraph.
"""

from __future__ import annotations

from digitize.lab.synth.book import BookSpec, generate_book
from digitize.lab.synth.corpus import STANDARD_CORPUS, make_corpus

__all__ = ["STANDARD_CORPUS", "BookSpec", "generate_book", "make_corpus"]
