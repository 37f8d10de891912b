"""Helpers shared by tests (importable: tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def digitize_cmd() -> list[str]:
    """The installed `digitize` script of this interpreter, or the checkout's cli.py."""
    exe = shutil.which("digitize", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, str(ROOT / "cli.py")]


def fake_pipeline(exporter: str = "export.shout") -> str:
    """A pipeline file of the fake plugin's stages (conftest's `plugin` fixture installs them)."""
    return '[pipeline]\nname = "plug"\n' + "".join(
        f'[[stage]]\nuse = "{s}"\n'
        for s in ("ingest.fake", "ocr.fake", "layout.fakeflow", exporter)
    )


def cli(*args: str) -> tuple[int, str]:
    """Run the `digitize` app in this process (typer's CliRunner): exit code and output."""
    from typer.testing import CliRunner

    from digitize.cli.app import app

    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.output
