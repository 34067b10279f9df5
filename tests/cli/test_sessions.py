"""`betgraph session list` and `betgraph session end`, in this process (CliRunner: a command line
each would take seconds), on a SQLite file and a PostgreSQL database of the test's own."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, update

from app.cli import cli
from app.config import Settings, settings
from app.services import access, people, signins
from app.storage import signins as stored
from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.migrate import upgrade
from app.storage.tables import SignInRow, utcnow
from tests.conftest import postgresql_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The database the commands use (DATABASE_URL), and an engine on it for what the test sets up."""
    sqlite = contextlib.nullcontext(f"sqlite:///{tmp_path / 'data' / 'betgraph.db'}")
    with postgresql_database() if request.param == "postgresql" else sqlite as url:
        upgrade(url)
        monkeypatch.setenv("DATABASE_URL", url)
        settings.cache_clear()  # settings are read once per process: this test's database, not another's
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
            settings.cache_clear()


def betgraph(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def _sign_ins(engine: Engine, *who: tuple[str, bool]) -> list[int]:
    """A sign-in for each (address, through the administrators' group), as the callback makes them."""
    with transaction(make_sessionmaker(engine), write=True) as session:
        made = [people.person(session, email, name=email.split("@")[0].title()) for email, _ in who]
        return [
            stored.start(session, person, admin_group=group, id_token=None)[0].id
            for person, (_, group) in zip(made, who, strict=True)
        ]


def _live(engine: Engine) -> list[int]:
    with transaction(make_sessionmaker(engine), write=False) as session:
        return [row.id for row, _ in signins.listed(session, access.HOLDER, Settings(database_url=""))]


def test_list_shows_live_sign_ins_newest_first(engine: Engine) -> None:
    assert betgraph("session", "list").stdout == ""
    first, second, third = _sign_ins(
        engine, ("ana@example.com", False), ("bo@example.com", True), ("ana@example.com", False)
    )
    with transaction(make_sessionmaker(engine), write=True) as session:  # one over: not listed
        session.execute(update(SignInRow).where(SignInRow.id == first).values(ended_at=utcnow()))

    listed = betgraph("session", "list")
    assert listed.exit_code == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [line[:3] + line[5:] for line in lines] == [
        [str(third), "ana@example.com", "Ana", "-"],
        [str(second), "bo@example.com", "Bo", "admin-group"],
    ]
    for line in lines:
        created, seen = (
            dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC) for value in line[3:5]
        )
        assert abs(created - utcnow()) < dt.timedelta(minutes=1)
        assert abs(seen - created) < dt.timedelta(minutes=1)

    assert betgraph("session", "list", "--person", "Bo@Example.com").stdout.startswith(f"{second}\tbo@example.com\t")
    only_ana = betgraph("session", "list", "--person", "ana@example.com").stdout.splitlines()
    assert [line.split("\t")[0] for line in only_ana] == [str(third)]
    for args, message in (
        (("--person", "zed@example.com"), "nobody is known by 'zed@example.com'"),
        (("--person", "not-an-address"), "'not-an-address' is not an e-mail address"),
    ):
        refused = betgraph("session", "list", *args)
        assert (refused.exit_code, refused.stdout) == (2, ""), refused.stderr
        assert message in refused.stderr


def test_end_one_sign_in_or_all_of_a_persons(engine: Engine) -> None:
    ana1, bo1, ana2, ana3 = _sign_ins(
        engine,
        ("ana@example.com", False),
        ("bo@example.com", False),
        ("ana@example.com", False),
        ("ana@example.com", True),
    )
    ended = betgraph("session", "end", str(bo1))
    assert ended.exit_code == 0, ended.stderr
    assert f"ended sign-in {bo1}" in ended.stderr
    assert _live(engine) == [ana3, ana2, ana1]
    again = betgraph("session", "end", str(bo1))
    assert again.exit_code == 0, again.stderr
    assert f"sign-in {bo1} had ended already" in again.stderr

    everywhere = betgraph("session", "end", "--person", "ANA@example.com")
    assert everywhere.exit_code == 0, everywhere.stderr
    assert "ana@example.com: ended 3 sign-ins" in everywhere.stderr
    assert _live(engine) == []
    assert "ana@example.com: ended 0 sign-ins" in betgraph("session", "end", "--person", "ana@example.com").stderr
    assert betgraph("session", "list").stdout == ""

    for args, message in (
        ((str(bo1 + 100),), f"no sign-in {bo1 + 100}"),
        ((), "name the sign-in to end"),
        ((str(ana1), "--person", "ana@example.com"), "not both"),
        (("--person", "zed@example.com"), "nobody is known by 'zed@example.com'"),
        (("--person", "a\x01b@example.com"), "is not an e-mail address"),
        (("0",), "Invalid value for 'ID'"),
        (("seven",), "Invalid value for 'ID'"),
        ((str(2**70),), "Invalid value for 'ID'"),
    ):
        refused = betgraph("session", "end", *args)
        assert refused.exit_code == 2, (args, refused.stderr)
        assert message in refused.stderr, (args, refused.stderr)
