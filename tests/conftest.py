"""Databases for tests: every test that touches storage runs on SQLite and on PostgreSQL.

Each backend is migrated once per run with Alembic (so the migrations are exercised), and each
test runs inside a transaction that is rolled back: the code under test commits to savepoints.
PostgreSQL tests use a database of their own, created here and dropped at the end; they skip,
with the reason, only where no server is reachable.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.storage.db import make_engine
from app.storage.migrate import upgrade
from tests.scheduling import ModuleScheduling, save_durations

# Property tests check what is drawn, not how fast: on a busy machine (two workers, browsers, servers)
# Hypothesis's wall-clock checks failed tests whose properties held.
settings.register_profile("betgraph", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("betgraph")

POSTGRES_ADMIN = os.environ.get("BETGRAPH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def postgresql_database() -> Iterator[str]:
    """A database of its own on the PostgreSQL server, dropped afterwards; skips where none runs."""
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"betgraph_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach the server
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}: {type(error).__name__}")
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    with postgresql_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'betgraph.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
            yield session
        transaction.rollback()


SCHEDULER = pytest.StashKey[ModuleScheduling]()


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's: `-p no:xdist` runs without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> ModuleScheduling | None:
    """With `-n`, a module's tests to one worker and the longest modules first (tests/scheduling.py)."""
    if config.getoption("dist") != "load":
        return None
    config.stash[SCHEDULER] = ModuleScheduling(config, log)
    return config.stash[SCHEDULER]


def pytest_sessionfinish(session: pytest.Session) -> None:
    scheduler = session.config.stash.get(SCHEDULER, None)  # in the controller alone, which saw every duration
    if scheduler is not None:
        save_durations(session.config, scheduler.measured)
