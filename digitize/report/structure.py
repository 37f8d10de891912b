"""Evidence that the layout got a page's structure wrong, read off the book's flow.

The coverage check catches text that was never read; this catches text read but put together
wrongly, where a proofreader should look: a heading that interrupts a sentence (a caption or a
running head promoted to a heading, "Chapter II" landing mid-paragraph), and a sentence broken
by a figure (a paragraph ending without punctuation right before a figure, the next one going
on in lower case: the flow failed to join it around the picture). Cheap and conservative: both
sides of the break must look mid-sentence.
"""

from __future__ import annotations

from digitize.model import Book, Figure, Heading, PageBreak, Paragraph

_ENDS = tuple('.!?:;…"”’»)]')


def _open_end(text: str) -> bool:
    t = text.rstrip()
    return bool(t) and not t.endswith(_ENDS) and t[-1] != "-"


def _goes_on(text: str) -> bool:
    first = next((c for c in text if c.isalpha()), "")
    return first.islower()


def _short(text: str, n: int = 40) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def structure_doubts(book: Book) -> dict[int, list[str]]:
    """Page index → notes on structure that looks wrong there (first page of the break)."""
    out: dict[int, list[str]] = {}
    page = 0
    items = list(book.flow)
    content = [(k, it) for k, it in enumerate(items) if not isinstance(it, PageBreak)]
    pages: dict[int, int] = {}
    for k, it in enumerate(items):
        if isinstance(it, PageBreak):
            page = it.index
        pages[k] = page
    for j in range(1, len(content) - 1):
        (_, prev), (k, item), (_, nxt) = content[j - 1], content[j], content[j + 1]
        if not (isinstance(prev, Paragraph) and isinstance(nxt, Paragraph)):
            continue
        if not (_open_end(prev.text) and _goes_on(nxt.text)):
            continue
        if isinstance(item, Heading):
            note = f"heading in mid-sentence: “{_short(item.text)}”"
        elif isinstance(item, Figure) and item.role != "formula":  # a formula may end a clause
            note = f"sentence broken by a figure: “…{_short(prev.text[-40:])}”"
        else:
            continue
        out.setdefault(pages[k], []).append(note)
    return out
