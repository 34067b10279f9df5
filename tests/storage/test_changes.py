"""The database's change signal: another connection's commit is seen without a query."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from app.storage.changes import PostgresChanges, SqliteChanges, wait_listening, watch
from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.migrate import upgrade
from app.storage.renders import put_render


def test_sqlite_sees_another_connections_edit_but_not_a_stored_picture(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'signal.db'}"
    upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    changes = SqliteChanges(str(tmp_path / "signal.db"))
    before = changes.version()
    assert before is not None
    assert changes.version() == before  # nothing happened
    with transaction(sessions, write=True) as session:  # a picture, as the renderer stores it
        put_render(session, "k", etag="e", media_type="image/svg+xml", body=b"<svg/>")
    assert _after_fresh(changes) == before
    other = sqlite3.connect(tmp_path / "signal.db")  # another process's edit, through the counter
    other.execute("UPDATE changes SET count = count + 1")
    other.commit()
    other.close()
    assert _after_fresh(changes) != before
    changes.close()


def _after_fresh(changes: SqliteChanges) -> object:
    deadline = time.monotonic() + SqliteChanges.FRESH
    while time.monotonic() <= deadline:  # the version is read again once FRESH has passed
        pass
    return changes.version()


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
