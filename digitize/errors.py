"""Errors that reach the user: each carries the process exit code the CLI maps it to.

The table of codes is in the README; `tests/test_errors.py` keeps the two in step.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    INTERNAL = 1  # a bug: please report it with --debug output
    USAGE = 2  # bad arguments or pipeline file
    BAD_INPUT = 3  # input missing, unreadable, corrupt, encrypted, empty
    MISSING_DEPENDENCY = 4  # tesseract, a language pack or another tool is missing
    OUTPUT_NOT_WRITABLE = 5  # output directory cannot be written (permissions, disk full)
    PARTIAL = 6  # finished, but some pages (convert) or books (batch) failed
    NOTHING_DONE = 7  # batch: no book could be converted
    LOCKED = 8  # another run holds the lock on this work
    INTERRUPTED = 130  # SIGINT / SIGTERM: stopped cleanly, rerun to resume


class DigitizeError(Exception):
    """Root of every error digitize reports to the user as one line."""

    exit_code: int = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        msg = str(self).replace("\n", " ").strip()
        return f"{msg} ({self.hint})" if self.hint else msg


class UsageError(DigitizeError):
    exit_code = ExitCode.USAGE


class PipelineError(UsageError):
    """A pipeline file is invalid: unknown stage or option, wrong type, impossible order."""


class BadInput(DigitizeError):
    exit_code = ExitCode.BAD_INPUT


class MissingDependency(DigitizeError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class OutputNotWritable(DigitizeError):
    exit_code = ExitCode.OUTPUT_NOT_WRITABLE


class PartialFailure(DigitizeError):
    exit_code = ExitCode.PARTIAL


class NothingDone(DigitizeError):
    exit_code = ExitCode.NOTHING_DONE


class Locked(DigitizeError):
    exit_code = ExitCode.LOCKED


class Interrupted(DigitizeError):
    exit_code = ExitCode.INTERRUPTED


class PageError(DigitizeError):
    """A single page failed in a stage; the runner's on_error policy decides what follows."""

    exit_code = ExitCode.BAD_INPUT
