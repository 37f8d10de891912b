"""Run a command and measure it: wall time, CPU time and peak memory of its whole process tree.

Peak memory is the largest SUM of resident set sizes (RSS) over the process and all its
descendants (parent, forkserver, pool workers, tesseract children), sampled every 50 ms with
psutil. Summing RSS counts shared pages once per process, so it overstates real use a little:
a conservative figure. CPU time is the larger of what the kernel reports for waited-for
children (getrusage) and the sum of the last CPU time sampled per process (the forkserver's
workers are not reaped by us, so rusage alone would miss them).
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil


@dataclass
class Measure:
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss: int = 0  # bytes, summed over the process tree
    rc: int = 0
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        return self.peak_rss / 1e6


class TreeSampler:
    """Samples the descendants of `root_pid` (and root itself unless `include_root=False`)."""

    def __init__(self, root_pid: int, include_root: bool = True, interval: float = 0.05) -> None:
        self.root = psutil.Process(root_pid)
        self.include_root = include_root
        self.interval = interval
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _procs(self) -> list[psutil.Process]:
        try:
            kids = self.root.children(recursive=True)
        except psutil.Error:
            kids = []
        return [self.root, *kids] if self.include_root else kids

    def sample(self) -> None:
        total = 0
        for p in self._procs():
            try:
                with p.oneshot():
                    total += p.memory_info().rss
                    t = p.cpu_times()
                    if p.pid != os.getpid():  # the bench's own CPU is not the subject
                        self.cpu[p.pid] = t.user + t.system
            except psutil.Error:
                continue
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cmd(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> Measure:
    """Run one command to completion, measuring its process tree."""
    c0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    with TreeSampler(proc.pid) as s:
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    wall = time.perf_counter() - t0
    cpu = max(_children_cpu() - c0, s.cpu_total)
    return Measure(wall, cpu, s.peak, proc.returncode, err or "")


def run_parallel(cmds: list[list[str]], jobs: int, env: dict[str, str] | None = None) -> Measure:
    """Run many commands, at most `jobs` at a time (what `xargs -P jobs` does)."""
    from concurrent.futures import ThreadPoolExecutor

    full_env = {**os.environ, **(env or {})}
    errors: list[str] = []

    def one(cmd: list[str]) -> None:
        res = subprocess.run(cmd, capture_output=True, text=True, env=full_env, check=False)
        if res.returncode:
            errors.append(res.stderr.strip()[-300:])

    c0 = _children_cpu()
    t0 = time.perf_counter()
    with TreeSampler(os.getpid(), include_root=False) as s, ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, cmds))
    wall = time.perf_counter() - t0
    cpu = max(_children_cpu() - c0, s.cpu_total)
    return Measure(wall, cpu, s.peak, 1 if errors else 0, "\n".join(errors[:3]))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out
