"""The README's exit-code table is the contract for cron jobs: keep it equal to the code."""

from __future__ import annotations

import re

from helpers import ROOT

from digitize.errors import ExitCode


def test_readme_exit_code_table_matches_the_code() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
    defined = {v for k, v in vars(ExitCode).items() if k.isupper()}
    assert documented == defined
