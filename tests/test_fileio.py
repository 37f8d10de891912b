"""digitize.fileio: content digests (atomic writes are exercised by every exporter test and by
tests/cli/test_bad_input.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from digitize.fileio import file_sha256, write_bytes


def test_file_sha256_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 7)  # several read chunks and a partial one
    path = write_bytes(tmp_path / "big.bin", data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    assert file_sha256(write_bytes(tmp_path / "empty", b"")) == hashlib.sha256(b"").hexdigest()
