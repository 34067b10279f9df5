"""`betgraph render` and `redraw`: what drawing one format imports (the pre-commit hook redraws)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.imports import heavy_imports
from tests.conftest import ROOT


def test_an_svg_imports_no_database_no_pdf_writer_and_no_mermaid(tmp_path: Path) -> None:
    args = ["render", str(ROOT / "examples" / "acme.yaml"), "-o", str(tmp_path / "acme.svg")]
    heavy = ("sqlalchemy", "alembic", "fastapi", "pypdf", "app.storage", "requests")
    assert heavy_imports(args, heavy) == []
    assert heavy_imports(args, ("app.rendering",)) == ["app.rendering"]  # the probe sees what it should
