"""Page images in a run: the pixels one page chain hands from stage to stage, and how they reach
the work dir.

The engine takes one page through every page stage in the same worker process and gives that
chain one `PageImages` (stages reach it as `ctx.images`). A stage reads the page's image
(`read`), hands a new one on (`put`), or asks for a file an external tool can open (`file`).
Inside a chain a new image waits in memory: encoding a 300 dpi page as PNG costs more than most
cleanup stages, and the intermediate images are never read back from disk. The engine writes
(`flush`) what the chain ends with, which later runs and exporters read, and drops the rest.
Outside the engine (a stage called directly, a test) every `put` is written at once.

Images are named after their content's source and every option that made them
(`pages/p0001-<hash>.png`, `pages/<hash>.png`), never after their bytes, so a name is known
before (or without) the file, and what derives from an image may be keyed by its name.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitize.errors import PageError
from digitize.fileio import write_bytes
from digitize.lazy import lazy_module

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:
    cv2, np = lazy_module("cv2"), lazy_module("numpy")

#: pixels one chain keeps in memory at most; a bigger image is written at once
HOLD_BYTES = 32 * 1024 * 1024

_DERIVED = re.compile(r"^pages/(?:p\d+-)?[0-9a-f]{16}\.(?:png|tif)$")


def names_its_content(rel: str) -> bool:
    """Whether a work-dir image name was made from its content's source and options (by an
    ingester or a preprocess stage), so that the name alone identifies the pixels."""
    return _DERIVED.match(rel) is not None


def image_digest(rel: str, data: bytes | None) -> str:
    """What names what derives from an image: a derived image's own (content-derived) name;
    else (an image ingested as is) the sha256 of the file's bytes."""
    if names_its_content(rel):
        return "derived:" + rel
    assert data is not None
    return hashlib.sha256(data).hexdigest()


def to_pil(pixels: np.ndarray) -> Any:
    """A held page image (grey, or BGR as OpenCV keeps it) as a PIL image (L or RGB)."""
    from PIL import Image

    return Image.fromarray(pixels if pixels.ndim == 2 else pixels[:, :, ::-1])


def encode_png(img: Any, dpi: int) -> bytes:
    """PNG bytes with the DPI tag (a pHYs chunk, which OpenCV's encoder omits; Tesseract reads
    it). zlib level 1 with run-length matching: these are work-dir images, and scanned pages
    are mostly runs of paper, so this is ~3x faster than Pillow's level 1 and about as small.
    """
    params = [
        cv2.IMWRITE_PNG_COMPRESSION,
        1,
        cv2.IMWRITE_PNG_STRATEGY,
        cv2.IMWRITE_PNG_STRATEGY_RLE,
        # No row filter: libpng's adaptive choice tries all five per row, which cost 40% of
        # the encode and saved nothing on these pages (scan grain defeats prediction anyway).
        cv2.IMWRITE_PNG_FILTER,
        cv2.IMWRITE_PNG_FILTER_NONE,
    ]
    ok, buf = cv2.imencode(".png", img, params)
    if not ok:
        raise PageError("cannot encode page image as PNG")
    data = buf.tobytes()
    ppm = round(dpi / 0.0254)
    phys = _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    return data[:33] + phys + data[33:]  # right after the 8-byte signature and IHDR (25 bytes)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def decode(data: bytes, what: str) -> np.ndarray:
    """A work-dir image as uint8 grey or BGR (16-bit scaled down, alpha dropped)."""
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise PageError(f"{what} is not a readable image")
    img: np.ndarray = decoded
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    return img


def _frozen(img: np.ndarray) -> np.ndarray:
    img = np.ascontiguousarray(img)
    img.flags.writeable = False  # stages share it: nobody may paint on it
    return img


class PageImages:
    """The images of one page chain, by absolute path: those not written yet (`pending`) and
    the one read or made last (`held`), both read-only arrays.

    `defer=False` (the default, outside the engine) writes every `put` at once. Not shared
    between processes: pickling keeps only the setting, never pixels.
    """

    def __init__(self, defer: bool = False) -> None:
        self._reset(defer)

    def _reset(self, defer: bool) -> None:
        self.defer = defer
        self._pending: dict[Path, tuple[np.ndarray, str, int]] = {}  # path -> (pixels, rel, dpi)
        self._held: tuple[Path, np.ndarray, str] | None = None  # (path, pixels, digest)

    def __getstate__(self) -> dict[str, Any]:
        return {"defer": self.defer}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._reset(state["defer"])

    # ---------------------------------------------------------------- for stages

    def read(self, path: Path, rel: str) -> tuple[np.ndarray, str]:
        """The image at `path` (`rel` in the work dir) as a read-only uint8 array, grey or BGR,
        and the digest naming its content (see `image_digest`)."""
        if path in self._pending:
            return self._pending[path][0], image_digest(rel, None)
        if self._held is not None and self._held[0] == path:
            return self._held[1], self._held[2]
        try:
            data = path.read_bytes()
        except OSError as e:
            raise PageError(f"cannot read image {path}: {e.strerror or e}") from e
        img, digest = decode(data, str(path)), image_digest(rel, data)
        return self._hold(path, img, digest), digest

    def held(self, path: Path) -> np.ndarray | None:
        """The pixels of `path` if this chain has them in memory, else None: a caller with its
        own decoding of the file (Pillow's grey conversion, say) uses that instead."""
        if path in self._pending:
            return self._pending[path][0]
        if self._held is not None and self._held[0] == path:
            return self._held[1]
        return None

    def put(self, path: Path, rel: str, img: np.ndarray, dpi: int) -> None:
        """`img` is the content of `path` (`rel` in the work dir, at `dpi`): kept in memory
        for the next stage, and written when the chain needs the file (or at once when not
        deferring, or when too big to keep)."""
        if self.defer and img.nbytes <= HOLD_BYTES and not path.exists():
            self._pending[path] = (_frozen(img), rel, dpi)
        else:
            self._write(path, rel, img, dpi)

    def file(self, path: Path) -> Path:
        """`path` on disk (written first if it is pending): for tools that read files."""
        self.flush([path])
        return path

    def available(self, path: Path) -> bool:
        """Whether a stage can read `path`: in memory or on disk."""
        return path in self._pending or path.is_file()

    # ---------------------------------------------------------------- for the engine

    def flush(self, paths: list[Path]) -> None:
        """Write those of `paths` that are pending."""
        for path in paths:
            hit = self._pending.pop(path, None)
            if hit is not None:
                img, rel, dpi = hit
                self._write(path, rel, img, dpi)

    def keep_only(self, paths: list[Path]) -> None:
        """Forget pending images not in `paths`: no later stage of the chain can ask for them."""
        wanted = set(paths)
        for path in [p for p in self._pending if p not in wanted]:
            del self._pending[path]

    def _write(self, path: Path, rel: str, img: np.ndarray, dpi: int) -> None:
        if not path.exists():  # a content-derived name: an existing file is this very result
            # A cache file, like the page cache's entries: the rename keeps it whole, fsync is moot.
            write_bytes(path, encode_png(img, dpi), durable=False)
        self._hold(path, img, "derived:" + rel)

    def _hold(self, path: Path, img: np.ndarray, digest: str) -> np.ndarray:
        """Keep the image read or written last for the next stage (one: a chain only ever
        reads the image the stage before made)."""
        if img.nbytes > HOLD_BYTES:
            self._held = None
            return img
        img = _frozen(img)
        self._held = (path, img, digest)
        return img


def glyph_marks(gray: np.ndarray, dpi: float) -> int:
    """How many marks of dark ink on a grey image are sized like glyphs (3-30 pt tall, at most
    a few glyphs wide): text on the page, whether or not anything has read it. Used to tell a
    page holding unread text from a blank one or a photo's smooth tones."""
    ink = (gray < 128).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    px = dpi / 72
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    return int(np.count_nonzero((h >= max(2, round(3 * px))) & (h <= 30 * px) & (w <= 3 * h + 2)))
