"""The page image a worker decoded or made last, kept in memory for the next stage.

The runner takes one page through every page stage in the same worker process: preprocessing
hands its images on here instead of decoding the PNG it just encoded, and OCR takes the final
image's pixels from here instead of having Tesseract decode the file again (~40 ms a page). An
entry is checked against the file's size and mtime, so a replaced file is never served from
memory. A library of the stage packages (numpy only), not a stage.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

MEMO_BYTES = 64 * 1024 * 1024  # pixels kept per process, at most
# A page chain only ever reads the image the previous stage wrote: keeping one more would make a
# worker's memory grow with the book (up to MEMO_BYTES) for nothing.
MEMO_ENTRIES = 1

# abs path -> (read-only image, digest naming the content, (size, mtime_ns) of the file)
_MEMO: OrderedDict[str, tuple[Any, str, tuple[int, int]]] = OrderedDict()


def stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def remember(path: Path, img: Any, digest: str) -> Any:
    """Keep `img` (a numpy array: the decoded content of `path`) for the next stage here.
    Returns the array to use from now on: the kept read-only copy, or `img` when not kept."""
    import numpy as np

    stat = stat_key(path)
    if stat is None or img.nbytes > MEMO_BYTES // 2:
        return img
    img = np.ascontiguousarray(img)
    img.flags.writeable = False  # stages share it: nobody may paint on it
    key = str(path)
    _MEMO.pop(key, None)
    _MEMO[key] = (img, digest, stat)
    while len(_MEMO) > MEMO_ENTRIES or sum(v[0].nbytes for v in _MEMO.values()) > MEMO_BYTES:
        _MEMO.popitem(last=False)
    return img


def recall(path: Path) -> tuple[Any, str] | None:
    """(pixels, digest) of `path` if this process holds them and the file is unchanged."""
    hit = _MEMO.get(str(path))
    if hit is None or hit[2] != stat_key(path):
        return None
    _MEMO.move_to_end(str(path))
    return hit[0], hit[1]


def held_gray(path: Path) -> Any:
    """The grey pixels of `path` if this process holds them, else None. Colour is left to the
    caller's own decoding, so its grey conversion stays what it was."""
    hit = recall(path)
    return hit[0] if hit is not None and hit[0].ndim == 2 else None


def forget_all() -> None:
    _MEMO.clear()
