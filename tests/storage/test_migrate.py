"""Alembic is the only way the schema is made: it matches the models, and goes down and up again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from app.storage import search
from app.storage.db import make_engine
from app.storage.graphs import get_graph_row, load_graph, save_graph
from app.storage.migrate import alembic_config, upgrade
from tests.conftest import postgresql_database
from tests.rendering.pictures import example


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
    assert {"people", "members", "sign_ins", "pending_sign_ins", "visits"} <= tables
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


def test_0006_keeps_graphs_tokens_and_who_wrote_each_revision(fresh_url: str) -> None:
    """A database made at 0005, with a graph, tokens and revisions, upgrades in place: SQLite copies
    `tokens` to add a column, which must not empty revisions.token_id on the way."""
    config = alembic_config(fresh_url)
    command.upgrade(config, "0005")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO graphs (id, slug, head, created_at, updated_at) VALUES (1, 'acme', 2, :t, :t)"),
                {"t": "2026-12-01 00:00:00"},
            )
            for token_id, scope in ((1, "write"), (2, "read")):
                connection.execute(
                    text(
                        "INSERT INTO tokens (id, digest, prefix, scope, graph_id, label, created_at)"
                        " VALUES (:i, :d, 'bg_x', :s, NULL, 'bot', :t)"
                    ),
                    {"i": token_id, "d": f"{token_id:064d}", "s": scope, "t": "2026-12-01 00:00:00"},
                )
            for number in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO revisions (graph_id, number, created_at, token_id, reason, changes)"
                        " VALUES (1, :n, :t, 1, 'why', '{}')"
                    ),
                    {"n": number, "t": "2026-12-01 00:00:00"},
                )
        upgrade(fresh_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT slug, head FROM graphs")).all() == [("acme", 2)]
            assert connection.execute(text("SELECT id, scope, label, person_id FROM tokens ORDER BY id")).all() == [
                (1, "write", "bot", None),
                (2, "read", "bot", None),
            ]
            assert connection.execute(
                text("SELECT number, token_id, person_id FROM revisions ORDER BY number")
            ).all() == [
                (1, 1, None),
                (2, 1, None),
            ]
        command.downgrade(config, "0005")  # and back, keeping them too
        with engine.connect() as connection:
            assert connection.execute(text("SELECT token_id FROM revisions")).scalars().all() == [1, 1]
            assert connection.execute(text("SELECT count(*) FROM tokens")).scalar() == 2
    finally:
        engine.dispose()


def test_0007_adds_sign_ins_and_visits_beside_people_and_takes_only_them_away(fresh_url: str) -> None:
    """0007 adds three tables to a database at 0006 with people, members and a graph in it, and going
    back to 0006 drops those three (sign-ins and visits with them) and nothing else."""
    config = alembic_config(fresh_url)
    command.upgrade(config, "0006")
    at_0006 = _tables(fresh_url)
    engine = make_engine(fresh_url)
    moment = {"t": "2026-12-03 00:00:00"}
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO graphs (id, slug, head, created_at, updated_at) VALUES (1, 'acme', 1, :t, :t)"),
                moment,
            )
            connection.execute(
                text(
                    "INSERT INTO people (id, email, name, admin, created_at)"
                    " VALUES (1, 'ana@example.com', 'Ana', :f, :t)"
                ),
                moment | {"f": False},
            )
            connection.execute(text("INSERT INTO members (graph_id, person_id, role) VALUES (1, 1, 'owner')"))
        command.upgrade(config, "0007")
        assert _tables(fresh_url) - at_0006 == {"sign_ins", "pending_sign_ins", "visits"}
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sign_ins (digest, person_id, created_at, seen_at, admin_group)"
                    " VALUES (:d, 1, :t, :t, :f)"
                ),
                moment | {"d": "0" * 64, "f": True},
            )
            connection.execute(
                text("INSERT INTO visits (person_id, graph_id, revision, seen_at) VALUES (1, 1, 1, :t)"), moment
            )
            connection.execute(
                text(
                    "INSERT INTO pending_sign_ins (digest, nonce, verifier, next, created_at)"
                    " VALUES (:d, 'n', 'v', '/', :t)"
                ),
                moment | {"d": "1" * 64},
            )
        command.downgrade(config, "0006")
        assert _tables(fresh_url) == at_0006
        with engine.connect() as connection:
            assert connection.execute(text("SELECT email, name FROM people")).all() == [("ana@example.com", "Ana")]
            assert connection.execute(text("SELECT graph_id, person_id, role FROM members")).all() == [(1, 1, "owner")]
        upgrade(fresh_url)  # and up again: the tables come back empty
        with engine.connect() as connection:
            for table in ("sign_ins", "pending_sign_ins", "visits"):
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0  # noqa: S608 - our own table names
    finally:
        engine.dispose()


def test_0008_adds_and_takes_away_the_rank_and_keeps_every_bets_links(fresh_url: str) -> None:
    """A column added and dropped in place: a table copy on SQLite would take the links of every
    bet (bet_parents, bet_assumptions: ON DELETE CASCADE) with the old table."""
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    graph = dataclasses.replace(example("acme"), slug="ranked")
    graph = dataclasses.replace(graph, bets=tuple(dataclasses.replace(b, rank=i + 1) for i, b in enumerate(graph.bets)))
    try:
        with Session(engine) as session:
            save_graph(session, graph)
            session.commit()
        links = "SELECT (SELECT count(*) FROM bet_parents) + (SELECT count(*) FROM bet_assumptions)"
        with engine.connect() as connection:
            before = connection.execute(text(links)).scalar()
        assert before
        command.downgrade(alembic_config(fresh_url), "0007")
        with engine.connect() as connection:
            assert connection.execute(text(links)).scalar() == before
        upgrade(fresh_url)
        with Session(engine) as session:
            row = get_graph_row(session, "ranked")
            assert row is not None
            assert all(bet.rank is None for bet in load_graph(session, row).bets)  # the ranks went with 0007
            assert len(load_graph(session, row).bets) == len(graph.bets)
    finally:
        engine.dispose()


def test_0009_indexes_every_graphs_current_items_and_only_those(fresh_url: str) -> None:
    """Graphs stored before search came (made at head, then taken back to 0008, which drops the
    index) are found by their current words after the upgrade, and not by words since replaced."""
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    first = dataclasses.replace(example("acme"), slug="acme")
    renamed = tuple(
        dataclasses.replace(b, title="Quokka onboarding", tags=("marsupial",)) if i == 1 else b
        for i, b in enumerate(first.bets)
    )
    edited = dataclasses.replace(first, bets=renamed)
    try:
        with Session(engine) as session:
            save_graph(session, first)
            save_graph(session, edited)
            save_graph(session, dataclasses.replace(first, slug="other"))
            session.commit()
        old_title = first.bets[1].title
        command.downgrade(alembic_config(fresh_url), "0008")
        assert not {"search_entries", "search_fts"} & _tables(fresh_url)
        upgrade(fresh_url)
        with Session(engine) as session:
            count = session.execute(text("SELECT count(*) FROM search_entries")).scalar()
            assert count == 2 * (len(first.bets) + len(first.assumptions))
            quokka = search.find(session, search.words("quokka marsup"))
            assert [(hit.graph, hit.item_id) for hit in quokka] == [("acme", renamed[1].id)]
            old = {(hit.graph, hit.item_id) for hit in search.find(session, search.words(old_title))}
            assert ("other", first.bets[1].id) in old
            assert ("acme", first.bets[1].id) not in old
            statement = first.assumptions[0].statement
            assert first.assumptions[0].id in [hit.item_id for hit in search.find(session, search.words(statement))]
    finally:
        engine.dispose()
