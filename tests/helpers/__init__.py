"""Helpers shared by the tests (tests/ is on pytest's pythonpath: `from helpers import ROOT`).

`helpers.cli` runs the installed CLI and checks its one-line errors; `helpers.fake` points at
the fake plugin (tests/plugins) and builds pipelines of its stages; the other modules make test
inputs: hostile files (`bad_files`), rendered pages and books (`preprocess_pages`,
`render_book`, `layout_pages`, `report_book`) and recorded Tesseract output (`tess`).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# /work/shared when the checkout is /work/main; tests that need it skip when it is absent.
# ../shared beside the checkout; a git worktree one level deeper (wt/NAME) finds it one up.
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
    ROOT.parent / "shared",
)
