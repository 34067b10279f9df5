"""Files written from the code and committed (docs/document.md, app/formats/records.py): one way to
write each or to check that the committed copy is current, for `make docs` and for the tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_or_check(argv: list[str], target: Path, render: Callable[[], str], module: str) -> int:
    """`python -m MODULE` writes `target`; `--check` writes nothing and exits 1 if it is out of date."""
    text = render()
    if argv == ["--check"]:
        if target.read_text() == text:
            return 0
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"{shown} is out of date: run python -m {module}", file=sys.stderr)
        return 1
    if argv:
        print(f"usage: python -m {module} [--check]", file=sys.stderr)
        return 2
    target.write_text(text)
    return 0
