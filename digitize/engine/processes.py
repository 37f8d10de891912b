"""Processes of this machine: whether one still runs (stale claims, staging folders), and
workers that end when the process that started them dies."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one we may not signal counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------- dying with the parent
#
# A pool's workers are children of multiprocessing's forkserver, not of the digitize process,
# and each holds the write ends of the pool's queues and of the forkserver's "alive" pipe: when
# digitize is killed (SIGKILL, a cron timeout, the OOM killer) nothing ever reaches EOF, and the
# forkserver, its resource tracker and the workers would idle on forever. So each worker watches
# the process that started the pool and exits when it is gone (then the forkserver and the
# tracker see EOF and exit too), and the forkserver and the workers get a death signal from
# their own parent (instant, even while a worker is busy in C code holding the GIL).

PR_SET_PDEATHSIG = 1
#: the pid of the digitize process whose forkserver this is (set before starting it)
FORKSERVER_PARENT_ENV = "DIGITIZE_FORKSERVER_PARENT"


def die_with_parent(expected_parent: int) -> bool:
    """SIGKILL this process when its parent thread ends (Linux `PR_SET_PDEATHSIG`); if the
    parent is already gone (not `expected_parent` any more), exit now. Whether it was set.

    The signal follows the *thread* that forked this process: only call this in a process whose
    parent forked it from a thread that lives as long as the parent (its main thread)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != expected_parent:  # died before the signal was armed
        os._exit(1)
    return True


def watch_parent(pid: int, every: float = 1.0) -> threading.Thread:
    """A daemon thread that ends this process as soon as process `pid` has ended (a pidfd
    where Linux has them, else a check every `every` seconds)."""

    def gone() -> None:
        fd = None
        with contextlib.suppress(OSError, AttributeError):
            fd = os.pidfd_open(pid)
        if fd is not None:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            while not poller.poll():  # readable when the process has exited
                pass
        else:
            while pid_alive(pid):
                time.sleep(every)
        os._exit(1)  # not sys.exit: the main thread may be in the middle of a page

    t = threading.Thread(target=gone, name="digitize-parent-watch", daemon=True)
    t.start()
    return t


def guard_forkserver() -> None:
    """In the forkserver (it imports this module first), die with the digitize process that
    started it, when that process said so (it started the forkserver from its main thread)."""
    parent = os.environ.get(FORKSERVER_PARENT_ENV, "")
    if parent.isdigit() and int(parent) == os.getppid():
        die_with_parent(int(parent))
