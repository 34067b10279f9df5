"""`betgraph lint` runs at every commit (the pre-commit hook): what it imports is what it costs."""

from __future__ import annotations

from tests.cli.imports import heavy_imports
from tests.conftest import ROOT


def test_lint_imports_neither_the_service_the_database_nor_the_renderer() -> None:
    service = ("sqlalchemy", "alembic", "fastapi", "app.services", "app.storage", "requests")
    # a valid document is read by app.formats.records, without the models
    heavy = (*service, "app.rendering", "lxml", "pydantic", "pydantic_core")
    assert heavy_imports(["lint", str(ROOT / "examples" / "acme.yaml")], heavy) == []
