"""Where Tesseract's data files are: for OCR (languages) and orientation detection (OSD).

tesserocr's wheel bundles its own libtesseract whose compiled-in path is "./", so it must be
told where the system's files are. $TESSDATA_PREFIX comes first, then the usual install
locations; only when none holds the file is the `tesseract` CLI asked (`--list-langs` names its
directory), because that costs a process start in the parent and again in every worker.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

# One thread per Tesseract: digitize runs pages in parallel processes, and libtesseract's
# OpenMP threads on top only spin (2.5x the CPU of a page on two cores, and twice its wall time
# when the cores are busy). OpenMP reads the limit once, when libtesseract is loaded, so it is
# set here, before the stages that import tesserocr can import it (the CLI gets it in its
# environment). A limit the user set stays.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

COMMON = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


def _holds(d: Path, wanted: str) -> bool:
    return (d / wanted).is_file() if wanted else d.is_dir() and any(d.glob("*.traineddata"))


def _cli_dir() -> Path | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'languages in "([^"]+)"', res.stdout + res.stderr)
    return Path(m.group(1)) if m else None


@functools.lru_cache(maxsize=8)
def tessdata_dir(wanted: str = "") -> str | None:
    """The first tessdata directory holding `wanted` (e.g. `osd.traineddata`), or any language
    when `wanted` is empty; None when there is none."""
    env = os.environ.get("TESSDATA_PREFIX")
    cands = [Path(env), Path(env) / "tessdata"] if env else []
    cands += [Path(c) for c in COMMON]
    found = next((d for d in cands if _holds(d, wanted)), None)
    if found is None and (cli := _cli_dir()) is not None and _holds(cli, wanted):
        found = cli
    return str(found) if found else None
