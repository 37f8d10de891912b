"""`ingest.images`: one image file, a folder of page images, or a multi-page TIFF → Book.

Pages are stored in the work dir as `pages/p0001-<hash>.<ext>`: a PNG or TIFF that Tesseract
reads as it is (one frame, plain grey/RGB/bilevel, no orientation tag) is hard-linked (or
copied); anything else (JPEG, WebP, BMP, alpha, palette, 16-bit, multi-frame TIFF, EXIF
rotation) is converted to PNG once, with EXIF orientation applied.

DPI: the file's own tag when plausible (70..1200), else `ctx.dpi`, else an estimate from the
assumption that the image's height is a textbook page (`page_height_cm`, 24 cm: Vietnamese
school books are 17 x 24 cm); estimated pages carry a warning saying so.

Defence: decompression bombs are refused from the header, before any pixel is decoded.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from digitize.errors import BadInput, OutputNotWritable
from digitize.fileio import file_sha256, write_bytes
from digitize.model import Book, BookMeta, Page
from digitize.naming import IMAGE_SUFFIXES
from digitize.stage import Context, Ingester, opt
from digitize.stages.ingest import _common

CONVERT_VERSION = "1"
# TIFF compressions every libtiff (hence leptonica/Tesseract) decodes; others are converted.
_PLAIN_TIFF = frozenset(
    {
        "raw",
        "group3",
        "group4",
        "tiff_ccitt",
        "tiff_lzw",
        "tiff_adobe_deflate",
        "tiff_deflate",
        "packbits",
    }
)  # bump when converted page images change


@dataclass(frozen=True, slots=True)
class ImageOptions:
    max_megapixels: float = opt(
        200.0, "refuse images larger than this (decompression-bomb guard), in megapixels"
    )
    min_side: int = opt(64, "refuse images whose width or height is below this many pixels")
    page_height_cm: float = opt(
        24.0, "assumed page height when an image has no usable DPI and the run sets none"
    )


def natural_key(name: str) -> list[Any]:
    """Sort key so that page2 < page10 (digit runs compare as numbers)."""
    return [
        (0, int(t), "") if t.isdigit() else (1, 0, t.casefold()) for t in re.split(r"(\d+)", name)
    ]


class ImageIngester(Ingester[ImageOptions]):
    name: ClassVar[str] = "ingest.images"
    version: ClassVar[str] = "2"
    Options: ClassVar[type] = ImageOptions
    summary: ClassVar[str] = "Image file, folder of page images or multi-page TIFF → pages"
    suffixes: ClassVar[tuple[str, ...]] = IMAGE_SUFFIXES

    def accepts(self, src: Path) -> bool:
        return Path(src).is_dir() or Path(src).suffix.lower() in self.suffixes

    def ingest(self, src: Path, ctx: Context) -> Book:
        from PIL import Image

        src = Path(src)
        if src.is_dir():
            try:
                entries = list(src.iterdir())
            except OSError as e:
                raise BadInput(f"{src}: cannot list the folder ({e.strerror or e})") from e
            files = sorted(
                (
                    p
                    for p in entries
                    if p.is_file()
                    and not p.name.startswith(".")
                    and p.suffix.lower() in IMAGE_SUFFIXES
                ),
                key=lambda p: natural_key(p.name),
            )
            if not files:
                raise BadInput(
                    f"{src}: the folder holds no page images ({', '.join(IMAGE_SUFFIXES)})"
                )
        elif src.is_file():
            files = [src]
        else:
            raise BadInput(f"{src}: no such file or folder")
        # Our own header check refuses bombs; keep Pillow's from raising its own first.
        old_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            pages: list[Page] = []
            digests: list[str] = []
            for f in files:
                digests.append(self._read_file(f, ctx, pages, single=len(files) == 1))
        finally:
            Image.MAX_IMAGE_PIXELS = old_limit
        if all(p.failed for p in pages):
            raise BadInput(f"{src.name}: no readable page image ({pages[0].failed})")
        ident = hashlib.sha256("".join(digests).encode()).hexdigest()
        meta = BookMeta(
            title=src.name if src.is_dir() else src.stem,
            lang=_common.meta_lang(ctx.lang),
            identifier=f"urn:sha256:{ident}",
            source=src.name,
        )
        return Book(meta=meta, pages=tuple(pages), work_dir=str(ctx.work_dir))

    # ------------------------------------------------------------ one file

    def _read_file(self, f: Path, ctx: Context, pages: list[Page], single: bool) -> str:
        """Append the page(s) of file `f`; return its digest. A broken file among several
        becomes a failed page; a lone broken file is BadInput. Pillow's warnings (corrupt
        EXIF, truncated data) become page warnings: a stage never prints."""
        first = len(pages)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            digest = self._read_frames(f, ctx, pages, single)
        msgs = tuple(dict.fromkeys(f"Pillow: {_short(w.message)}" for w in caught))  # type: ignore[arg-type]
        if msgs:
            for i in range(first, len(pages)):
                pages[i] = replace(pages[i], warnings=(*pages[i].warnings, *msgs))
        return digest

    def _read_frames(self, f: Path, ctx: Context, pages: list[Page], single: bool) -> str:
        from PIL import Image, UnidentifiedImageError

        try:
            digest = file_sha256(f)
            im = Image.open(f)
        except (UnidentifiedImageError, OSError, ValueError) as e:
            if single:
                raise BadInput(f"{f.name}: not a readable image ({_short(e)})") from e
            pages.append(_failed(len(pages), f"{f.name}: not a readable image ({_short(e)})"))
            return f.name
        with im:
            try:
                n = getattr(im, "n_frames", 1)
            except Exception as e:
                raise BadInput(f"{f.name}: broken multi-page image ({_short(e)})") from e
            for frame in range(n):
                where = f"{f.name}" + (f" frame {frame + 1}" if n > 1 else "")
                try:
                    if frame:
                        im.seek(frame)
                    self._guard(im, where, fatal=single and n == 1)
                    pages.append(self._store(im, f, digest, frame, n, len(pages), ctx))
                except (BadInput, OutputNotWritable):
                    raise
                except Exception as e:  # a corrupt frame: this page fails, the rest are read
                    reason = f"{where}: cannot be decoded ({_short(e)})"
                    pages.append(_failed(len(pages), reason, _size(im)))
        return digest

    def _guard(self, im: Any, where: str, fatal: bool) -> None:
        w, h = im.size
        if w * h > self.options.max_megapixels * 1e6:
            raise BadInput(
                f"{where}: {w}x{h} pixels exceeds the {self.options.max_megapixels:g}-megapixel"
                " limit (possible decompression bomb)",
                hint="raise ingest.images.max_megapixels if the image is genuine",
            )
        if min(w, h) < self.options.min_side:
            msg = f"{where}: {w}x{h} pixels is too small to be a page"
            hint = (
                f"smaller than ingest.images.min_side={self.options.min_side}; if it is a page, "
                f"run with --set ingest.images.min_side={min(w, h)}"
            )
            if fatal:
                raise BadInput(msg, hint=hint)
            raise ValueError(f"{msg} ({hint})")

    def _store(
        self, im: Any, f: Path, digest: str, frame: int, n: int, index: int, ctx: Context
    ) -> Page:
        """Put one frame into the work dir; return its Page."""
        from PIL import Image, ImageOps

        dpi, warn = self._dpi(im, ctx)
        orientation = im.getexif().get(0x0112, 1) if hasattr(im, "getexif") else 1
        as_is = (
            n == 1
            and im.format in ("PNG", "TIFF")
            and im.mode in ("1", "L", "RGB")
            and orientation in (1, None)
            and (im.format == "PNG" or im.info.get("compression") in _PLAIN_TIFF)
        )
        suffix = ".tif" if as_is and im.format == "TIFF" else ".png"
        rel = _common.page_image_name(index, digest, frame, as_is, CONVERT_VERSION, suffix=suffix)
        target = Path(ctx.work_dir) / rel
        if as_is:
            size = im.size
            im.load()  # decode now: a truncated file must fail here, not in OCR
            if not target.is_file():
                _link_or_copy(f, target)
        else:
            img = ImageOps.exif_transpose(im) if orientation not in (1, None) else im
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                bg = Image.new("RGB", img.size, "white")
                bg.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
                img = bg
            elif img.mode.startswith(("I", "F")):
                img = _to_8bit(img)
            elif img.mode not in ("1", "L", "RGB"):
                img = img.convert("RGB")
            size = img.size
            if not target.is_file():
                buf = io.BytesIO()
                img.save(buf, "PNG", compress_level=1, dpi=(dpi, dpi))
                write_bytes(target, buf.getvalue())
        points = (round(size[0] * 72 / dpi, 2), round(size[1] * 72 / dpi, 2))
        return Page(index=index, size=size, dpi=dpi, image=rel, warnings=warn, print_size=points)

    def _dpi(self, im: Any, ctx: Context) -> tuple[int, tuple[str, ...]]:
        tag = im.info.get("dpi")
        try:
            x = float(tag[0] if isinstance(tag, tuple) else tag)
        except (TypeError, ValueError, IndexError):
            x = 0.0
        if 70 <= x <= 1200:
            return round(x), ()
        if ctx.dpi:
            return int(ctx.dpi), ()
        est = round(im.size[1] / (self.options.page_height_cm / 2.54) / 10) * 10
        est = max(70, min(1200, est))
        return est, (
            f"no usable DPI in the image: assumed {est} dpi from a "
            f"{self.options.page_height_cm:g} cm page height (set --dpi to override)",
        )


def _link_or_copy(src: Path, target: Path) -> None:
    """Hard-link `src` to `target` (atomically via a temporary name); copy across devices."""
    tmp = ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        os.unlink(tmp)
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    except OSError as e:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise OutputNotWritable(f"cannot write {target}: {e.strerror or e}") from e


def _to_8bit(img: Any) -> Any:
    """16-bit / float grey → 8-bit grey by scaling (Pillow's convert("L") would clip to white)."""
    import numpy as np
    from PIL import Image

    a = np.asarray(img, dtype=np.float64)
    top = a.max() if a.size else 0.0
    scale = 255.0 if top <= 1.0 else 255.0 / 65535.0 if top > 255 else 1.0
    return Image.fromarray(np.clip(a * scale, 0, 255).astype(np.uint8), "L")


def _failed(index: int, reason: str, size: tuple[int, int] = (0, 0)) -> Page:
    return Page(index=index, size=size, dpi=300, failed=reason)


def _size(im: Any) -> tuple[int, int]:
    try:
        return (int(im.size[0]), int(im.size[1]))
    except Exception:
        return (0, 0)


def _short(e: BaseException) -> str:
    return str(e).splitlines()[0][:200] if str(e) else type(e).__name__
