"""digitize.lazy: a stand-in module that imports the real one when first used."""

from __future__ import annotations

import subprocess
import sys

from digitize.lazy import LazyModule, lazy_module, lazy_names


def test_the_module_is_imported_on_first_use_only() -> None:
    code = (
        "import sys\n"
        "from digitize.lazy import lazy_module\n"
        "dec = lazy_module('decimal')\n"
        "before = 'decimal' in sys.modules\n"
        "print(before, dec.Decimal('1.5') * 2, 'decimal' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "3.0", "True"]


def test_what_was_set_on_the_stand_in_survives_the_import() -> None:
    """A test that patches `module.cv2.something` before the first use keeps its patch."""
    fake = lazy_module("json")
    fake.dumps = lambda obj: "patched"
    assert fake.loads("[1]") == [1]  # first missing attribute: the real module's names come in
    assert fake.dumps({}) == "patched"


def test_lazy_names_lists_the_stand_ins_a_module_holds() -> None:
    import types

    mod = types.ModuleType("digitize_test_holder")
    mod.np = lazy_module("numpy")  # type: ignore[attr-defined]
    mod.plain = 3  # type: ignore[attr-defined]
    sys.modules[mod.__name__] = mod
    try:
        assert lazy_names(mod.__name__) == ["numpy"]
        assert isinstance(mod.np, LazyModule)  # type: ignore[attr-defined]
        assert lazy_names("no.such.module") == []
    finally:
        del sys.modules[mod.__name__]
