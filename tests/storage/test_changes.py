"""The database's change signal: another connection's commit is seen without a query."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from app.storage.changes import PostgresChanges, SqliteChanges, wait_listening, watch
from app.storage.db import make_engine


def test_sqlite_sees_another_connections_commit(tmp_path: Path) -> None:
    path = tmp_path / "signal.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x INTEGER)")
    other.commit()
    changes = SqliteChanges(str(path))
    changes.FRESH = -1.0  # every call asks SQLite: the signal is under test here, not the cache in front of it
    before = changes.version()
    assert changes.version() == before  # nothing happened
    other.execute("INSERT INTO t VALUES (1)")
    other.commit()
    assert changes.version() != before
    changes.close()
    other.close()


def test_sqlite_answers_from_its_cache_only_briefly(tmp_path: Path) -> None:
    path = tmp_path / "signal.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x INTEGER)")
    other.commit()
    changes = SqliteChanges(str(path))
    before = changes.version()
    other.execute("INSERT INTO t VALUES (1)")
    other.commit()
    deadline = time.monotonic() + 5
    while changes.version() == before and time.monotonic() < deadline:
        time.sleep(SqliteChanges.FRESH)
    assert changes.version() != before
    changes.close()
    other.close()


def test_postgresql_hears_a_notify_on_commit(postgresql_url: str) -> None:
    plain = make_url(postgresql_url).set(drivername="postgresql").render_as_string(hide_password=False)
    changes = watch(make_engine(postgresql_url))
    assert isinstance(changes, PostgresChanges)
    try:
        assert wait_listening(changes)
        before = changes.version()
        with psycopg.connect(plain, autocommit=True) as other:
            other.execute("SELECT pg_notify('betgraph_changes', '')")
        deadline = time.monotonic() + 5
        while changes.version() == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert changes.version() != before
    finally:
        changes.close()


def test_an_unreachable_server_means_nobody_knows() -> None:
    changes = PostgresChanges("postgresql://postgres@127.0.0.1:1/none")
    try:
        assert not wait_listening(changes, 0.3)
        assert changes.version() is None  # callers then ask the database itself
    finally:
        changes.close()
