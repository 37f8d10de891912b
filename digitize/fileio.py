"""Files: atomic writes (a reader, or a killed run, never sees a half-written output) and
content digests."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from digitize.errors import OutputNotWritable


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "wb", durable: bool = True) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds.

    `durable` fsyncs before the rename (outputs); caches skip it: a rename alone already keeps
    a killed process from leaving a half file, and fsync per page entry is costly.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as e:
        raise OutputNotWritable(f"cannot write to {path.parent}: {e.strerror or e}") from e
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        _unlink(tmp)
        if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EACCES, errno.EROFS):
            raise OutputNotWritable(f"cannot write {path}: {e.strerror or e}") from e
        raise
    except BaseException:
        _unlink(tmp)
        raise


def write_bytes(path: Path, data: bytes, durable: bool = True) -> Path:
    with atomic_write(path, "wb", durable) as f:
        f.write(data)
    return Path(path)


def write_text(path: Path, text: str, durable: bool = True) -> Path:
    return write_bytes(path, text.encode("utf-8"), durable)


def _unlink(p: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(p)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks (sources can be hundreds of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
