"""Locks across workers: on their own, in the Renderer, and with two real servers on one database."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx2
import pytest
from sqlalchemy.orm import Session

from app.services.errors import BusyError
from app.services.locks import AdvisoryLocks, FileLocks, Locks, LockTimeoutError, locks_for
from app.services.renderer import Renderer
from app.storage.db import make_engine
from app.storage.tokens import Scope, create_token
from tests.servers import ROOT, database, serving


def _held_elsewhere(locks: Locks, key: str) -> tuple[threading.Event, threading.Event, threading.Thread]:
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with locks.hold(key, wait=5):
            taken.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(5)
    return taken, release, holder


def _check_exclusion(locks: Locks) -> None:
    _, release, holder = _held_elsewhere(locks, "picture")
    started = time.monotonic()
    with pytest.raises(LockTimeoutError), locks.hold("picture", wait=0.2):
        pass
    assert time.monotonic() - started < 2  # bounded: it gave up, it did not wait for the holder
    with locks.hold("another picture", wait=0.2):
        pass  # other keys are not held up
    release.set()
    holder.join()
    with locks.hold("picture", wait=1):
        pass


def test_file_locks_exclude_time_out_and_clean_up(tmp_path: Path) -> None:
    locks = FileLocks(tmp_path / "locks")
    _check_exclusion(locks)
    assert list((tmp_path / "locks").iterdir()) == []


def test_advisory_locks_exclude_and_time_out(postgresql_url: str) -> None:
    engine = make_engine(postgresql_url)
    try:
        locks = locks_for(engine)
        assert isinstance(locks, AdvisoryLocks)
        _check_exclusion(locks)
    finally:
        engine.dispose()


def test_locks_for_each_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'betgraph.db'}")
    locks = locks_for(engine)
    assert isinstance(locks, FileLocks)
    assert locks.folder == tmp_path / "data" / "locks"
    engine.dispose()


class _Asked:
    """Locks that say when the first one is asked for."""

    def __init__(self, locks: Locks) -> None:
        self._locks = locks
        self.asked = threading.Event()

    def hold(self, key: str, wait: float) -> AbstractContextManager[None]:
        self.asked.set()
        return self._locks.hold(key, wait)


def test_the_renderer_looks_in_the_shared_cache_once_it_holds_the_lock(tmp_path: Path) -> None:
    locks = FileLocks(tmp_path)
    asked = _Asked(locks)
    renderer = Renderer(locks=asked, wait=5)
    shared: dict[str, bytes] = {}
    _, release, holder = _held_elsewhere(locks, "key")  # another worker is drawing this picture

    def other_worker_finishes() -> None:
        # only once the renderer waits for the lock, so that it has looked before the picture was there
        asked.asked.wait(5)
        shared["key"] = b"drawn elsewhere"
        release.set()

    finisher = threading.Thread(target=other_worker_finishes)
    finisher.start()
    result = renderer.draw("key", lambda: b"drawn here", stored=lambda: shared.get("key"))
    finisher.join()
    holder.join()
    assert asked.asked.is_set()
    assert result == b"drawn elsewhere"
    assert renderer.drawn == 0


def test_a_lock_held_too_long_elsewhere_is_busy(tmp_path: Path) -> None:
    locks = FileLocks(tmp_path)
    renderer = Renderer(locks=locks, wait=0.1)
    _, release, holder = _held_elsewhere(locks, "key")
    with pytest.raises(BusyError):
        renderer.draw("key", lambda: b"x")
    release.set()
    holder.join()


# A `dot` first on the servers' PATH that notes each run, and is slow enough that every request
# below arrives while the first drawing is still under way.
COUNTING_DOT = """#!/bin/sh
case "$*" in *-T*) echo "$$" >> "{log}"; sleep 0.5;; esac
exec {dot} "$@"
"""


@contextlib.contextmanager
def _servers(url: str, tmp_path: Path) -> Iterator[tuple[list[str], Path]]:
    bin_dir, log = tmp_path / "bin", tmp_path / "dot.log"
    bin_dir.mkdir()
    wrapper = bin_dir / "dot"
    wrapper.write_text(COUNTING_DOT.format(log=log, dot="/usr/bin/dot"))
    wrapper.chmod(0o755)
    env = os.environ | {"DATABASE_URL": url, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    with serving(env) as first, serving(env) as second:
        yield [first, second], log


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_asked_at_once_draw_a_cold_picture_once(backend: str, tmp_path: Path) -> None:
    with database(backend, tmp_path) as url, _servers(url, tmp_path) as (bases, log):
        engine = make_engine(url)
        with Session(engine) as session:
            _, token = create_token(session, Scope.WRITE)
            session.commit()
        engine.dispose()
        document = (ROOT / "examples" / "acme.yaml").read_bytes()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"}
        written = httpx2.put(f"{bases[0]}/api/graphs/acme", content=document, headers=headers, timeout=30)
        assert written.status_code in (200, 201), written.text
        for base in bases:  # each server has read the graph, so the requests below race only to draw
            assert httpx2.get(f"{base}/graphs/acme.dot", timeout=30).status_code == 200
        log.unlink(missing_ok=True)

        answers: list[httpx2.Response] = []
        start = threading.Barrier(12)

        def ask(base: str) -> None:
            start.wait()
            answers.append(httpx2.get(f"{base}/graphs/acme.svg", timeout=60))

        askers = [threading.Thread(target=ask, args=(bases[n % 2],)) for n in range(12)]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join()
        assert [answer.status_code for answer in answers] == [200] * 12
        assert len({answer.content for answer in answers}) == 1
        assert len(log.read_text().splitlines()) == 1
