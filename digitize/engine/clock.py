"""Seconds per stage, wall and CPU, summed over pages: what the report and `--profile` show.

Wall seconds say how long a run took here; CPU seconds (the process's own plus those of the
children it waited for, such as the `tesseract` CLI) say what a stage costs whatever else the
machine is doing, so they are the figures to compare on a shared machine.
"""

from __future__ import annotations

import contextlib
import resource
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping


def cpu_now() -> float:
    """CPU seconds used so far by this process (all threads) and its waited-for children."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


class Clock:
    """Wall (`wall`) and CPU (`cpu`) seconds per stage name."""

    def __init__(self) -> None:
        self.wall: defaultdict[str, float] = defaultdict(float)
        self.cpu: defaultdict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Add the time the block takes to `name` (also when it raises)."""
        t0, c0 = time.perf_counter(), cpu_now()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - t0, cpu_now() - c0)

    def add(self, name: str, wall: float, cpu: float = 0.0) -> None:
        self.wall[name] += wall
        self.cpu[name] += cpu

    def merge(self, wall: Mapping[str, float], cpu: Mapping[str, float]) -> None:
        """Add another clock's figures (a worker's, for one page)."""
        for name, secs in wall.items():
            self.wall[name] += secs
        for name, secs in cpu.items():
            self.cpu[name] += secs
