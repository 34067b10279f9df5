"""What a command imports, seen from a fresh interpreter: each command's start-up is its users' wait."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def heavy_imports(args: list[str], heavy: tuple[str, ...]) -> list[str]:
    """Which of `heavy` (top-level packages, or `app.x` subpackages and modules) `betgraph ARGS` imports."""
    probe = (
        "import sys\n"
        "from app.cli import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='betgraph')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "short = lambda name: '.'.join(name.split('.')[:2]) if name.startswith('app.') else name.split('.')[0]\n"
        "names = {short(name) for name in sys.modules}\n"
        f"print(sorted(names & set({heavy!r})))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    found: list[str] = eval(run.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's printed list
    return found
