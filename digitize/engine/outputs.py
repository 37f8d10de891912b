"""A book's outputs appear all together or not at all.

Exporters write into a hidden staging directory inside the output directory (same file system,
so the final step is a rename per output). Only when every exporter and the report succeeded are
the outputs moved into place; a full disk or a crash half-way through leaves the output
directory as it was: never an EPUB without its report, never a `.part` file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from digitize.engine.processes import pid_alive
from digitize.errors import OutputNotWritable

STAGING_PREFIX = ".digitize-staging-"


def check_output_dir(out_dir: Path) -> None:
    """Fail before any work when outputs could not be written. Folders made for the probe are
    removed again: a run that fails later must not leave an empty output folder behind."""
    created: list[Path] = []
    try:
        created = make_dirs(out_dir)
        fd, probe = tempfile.mkstemp(prefix=".digitize-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputNotWritable(
            f"output directory {out_dir} is not writable: {e.strerror or e}",
            hint="choose another -o or fix its permissions",
        ) from e
    finally:
        remove_if_empty(created)


def make_dirs(path: Path) -> list[Path]:
    """`mkdir -p path`; returns the folders it created, outermost first."""
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    created: list[Path] = []
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue  # made by someone else meanwhile: theirs, not ours to remove
        created.append(d)
    return created


def remove_if_empty(created: list[Path]) -> None:
    """Remove the folders this run `created` (innermost first) that are still empty; a folder
    that holds anything, or existed before, is never touched."""
    for d in reversed(created):
        with contextlib.suppress(OSError):  # not empty (or gone): keep it
            d.rmdir()


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A fresh staging directory in `out_dir`, removed on exit whatever happened (and `out_dir`
    too when this run created it and published nothing into it)."""
    created: list[Path] = []
    try:
        created = make_dirs(out_dir)
        sweep_stale(out_dir)
        prefix = f"{STAGING_PREFIX}{os.getpid()}-"
        stage_dir = Path(tempfile.mkdtemp(prefix=prefix, suffix=".part", dir=out_dir))
    except OSError as e:
        remove_if_empty(created)
        raise OutputNotWritable(f"cannot write to {out_dir}: {e.strerror or e}") from e
    try:
        yield stage_dir
    except OutputNotWritable as e:  # name the output the user asked for, not the staging copy
        msg = str(e).replace(f"{stage_dir}{os.sep}", f"{out_dir}{os.sep}")
        raise OutputNotWritable(msg, hint=e.hint) from e
    finally:
        shutil.rmtree(stage_dir, ignore_errors=True)
        remove_if_empty(created)


def sweep_stale(out_dir: Path) -> None:
    """Remove staging folders left by a run that was killed (SIGKILL, power loss): their
    names carry the pid of the process that made them, which no longer runs."""
    for d in out_dir.glob(f"{STAGING_PREFIX}*.part"):
        pid = d.name[len(STAGING_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and pid_alive(int(pid)):
            continue
        shutil.rmtree(d, ignore_errors=True)


def publish(stage_dir: Path, out_dir: Path, written: list[Path]) -> list[Path]:
    """Move everything in `stage_dir` into `out_dir` (replacing older versions, folders as a
    whole); return `written` mapped to the final paths."""
    try:
        for entry in sorted(stage_dir.iterdir()):
            target = out_dir / entry.name
            if target.is_dir() and not target.is_symlink():
                old = stage_dir / f".old-{entry.name}"
                os.replace(target, old)  # a folder cannot be replaced by rename in one step
            os.replace(entry, target)
    except OSError as e:
        raise OutputNotWritable(f"cannot move outputs into {out_dir}: {e.strerror or e}") from e
    return [
        out_dir / Path(p).relative_to(stage_dir) if Path(p).is_relative_to(stage_dir) else Path(p)
        for p in written
    ]
