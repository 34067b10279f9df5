"""PostgreSQL through a proxy that refuses or goes silent: no call waits past its deadline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.services.errors import UnavailableError, infrastructure_error
from app.storage.changes import PostgresChanges, wait_listening
from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.watchdog import Watchdog
from tests.outage import Proxy, proxy_to


@pytest.fixture
def proxy(postgresql_url: str) -> Iterator[Proxy]:
    with proxy_to(postgresql_url) as proxy:
        yield proxy


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_watchdog_cuts_a_call_the_network_never_answers(proxy: Proxy, postgresql_url: str) -> None:
    watchdog = Watchdog(tick=0.02)
    with psycopg.connect(_plain(proxy.url(postgresql_url)), autocommit=True) as connection:
        connection.execute("SELECT 1")
        proxy.blackhole()
        # Timed from before arming: the deadline counts from there, and on a busy machine the gap
        # until the next line made a cut on time look early (0.29 s).
        started = time.monotonic()
        watchdog.arm(connection, 0.3)
        with pytest.raises(psycopg.OperationalError):
            connection.execute("SELECT 1")
        assert 0.3 <= time.monotonic() - started < 1.5
        assert connection.broken  # so the pool replaces it
        assert _within(1, lambda: watchdog.killed == 1)  # counted just after the cut
    proxy.forward()
    with psycopg.connect(_plain(proxy.url(postgresql_url)), autocommit=True) as connection:
        watchdog.arm(connection, 0.3)
        assert connection.execute("SELECT 1").fetchone() == (1,)
        watchdog.disarm(connection)
        time.sleep(0.1)  # well past a tick: a disarmed connection is left alone
        assert connection.execute("SELECT 2").fetchone() == (2,)
    assert watchdog.killed == 1


@pytest.mark.parametrize("outage", ["refuse", "blackhole"])
def test_an_engine_says_unavailable_within_its_timeout_and_recovers(
    proxy: Proxy, postgresql_url: str, outage: str
) -> None:
    engine = make_engine(proxy.url(postgresql_url), timeout=1)
    sessions = make_sessionmaker(engine)
    try:
        for write in (False, True):  # two connections in the pool
            with transaction(sessions, write=write) as session:
                session.execute(text("SELECT 1"))
        getattr(proxy, outage)()
        for write in (False, True):
            started = time.monotonic()
            with pytest.raises(SQLAlchemyError) as raised, transaction(sessions, write=write) as session:
                session.execute(text("SELECT 1"))
            assert isinstance(infrastructure_error(raised.value), UnavailableError), raised.value
            assert time.monotonic() - started < 3
        proxy.forward()
        with transaction(sessions, write=True) as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_listener_cut_off_says_so_and_keeps_trying(proxy: Proxy, postgresql_url: str) -> None:
    changes = PostgresChanges(_plain(proxy.url(postgresql_url)))
    try:
        assert wait_listening(changes)
        proxy.blackhole(listeners=True)
        cut = time.monotonic()
        assert _within(PostgresChanges.STALE + 1, lambda: changes.version() is None)
        assert time.monotonic() - cut <= PostgresChanges.STALE + 0.5
        # Not stuck on a new connection the partition swallows either: each try has a deadline.
        assert _within(10, lambda: proxy.listens >= 3)
        proxy.forward()
        assert wait_listening(changes, 6)
    finally:
        changes.close()


def test_the_checkout_ping_keeps_an_engines_autocommit(postgresql_url: str) -> None:
    for isolation, autocommit in (("AUTOCOMMIT", True), ("READ COMMITTED", False)):
        engine = make_engine(postgresql_url, isolation_level=isolation)
        try:
            with engine.connect() as connection:
                assert connection.connection.dbapi_connection.autocommit is autocommit  # type: ignore[union-attr]
        finally:
            engine.dispose()
