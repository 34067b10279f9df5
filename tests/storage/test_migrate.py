"""Alembic is the only way the schema is made: it matches the models, and goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app.storage.db import make_engine
from app.storage.migrate import alembic_config, upgrade
from tests.conftest import postgresql_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        with postgresql_database() as url:
            yield url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_agree_and_go_down_and_up(fresh_url: str) -> None:
    upgrade(fresh_url)
    tables = _tables(fresh_url)
    assert {"graphs", "revisions", "bet_versions", "assumption_versions", "evidence", "tokens"} <= tables
    command.check(alembic_config(fresh_url))  # raises when the models need a migration that is missing
    command.downgrade(alembic_config(fresh_url), "base")
    assert _tables(fresh_url) == set()
    upgrade(fresh_url)
    assert _tables(fresh_url) == tables


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
