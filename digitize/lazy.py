"""Heavy libraries imported on first use, not when a stage's module is imported.

The parent process imports every stage of a pipeline to read its options but runs only the book
stages and exporters: OpenCV and NumPy (0.13 s of every command's start-up) are the workers'
business. The pool preloads the libraries a page stage's module holds lazily into its
forkserver (`lazy_names`), so workers still import them once, before the first page.

    if TYPE_CHECKING:
        import cv2
    else:
        cv2 = lazy_module("cv2")
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class LazyModule(types.ModuleType):
    """Stands for a module until an attribute is first read, then copies its namespace in, so
    later reads are plain attribute look-ups."""

    def __getattr__(self, attr: str) -> Any:
        real = importlib.import_module(self.__name__)
        # setdefault: what was set on the stand-in before (a test's patch) stays.
        for name, value in real.__dict__.items():
            self.__dict__.setdefault(name, value)
        return getattr(real, attr)


def lazy_module(name: str) -> Any:
    """A stand-in for module `name` that imports it when first used."""
    return LazyModule(name)


def lazy_names(module: str) -> list[str]:
    """The libraries `module` (if imported) holds through `lazy_module`."""
    mod = sys.modules.get(module)
    names = {v.__name__ for v in vars(mod).values() if isinstance(v, LazyModule)} if mod else set()
    return sorted(names)
