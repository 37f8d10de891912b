"""Imported first by the forkserver of a local pool (its preload): the forkserver then dies
with the digitize process that started it (see `processes.guard_forkserver`). Importing it
anywhere else does nothing."""

from __future__ import annotations

from digitize.engine.processes import guard_forkserver

guard_forkserver()
