"""`betgraph lint` runs at every commit (the pre-commit hook): what it imports is what it costs."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

# Each of these costs tens of milliseconds to import and has nothing to do with checking a document.
HEAVY = ("sqlalchemy", "alembic", "fastapi", "app.rendering", "app.services", "app.storage", "requests", "lxml")


def test_lint_imports_neither_the_service_the_database_nor_the_renderer() -> None:
    probe = (
        "import sys\n"
        "from app.cli import cli\n"
        "try:\n"
        f"    cli.main(['lint', {str(ROOT / 'examples' / 'acme.yaml')!r}], prog_name='betgraph')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        f"print(sorted({{name.split('.')[0] if not name.startswith('app.') else '.'.join(name.split('.')[:2]) "
        f"for name in sys.modules}} & set({HEAVY!r})))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout
