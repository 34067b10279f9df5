"""The app on the test database: each test's requests share one rolled-back transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.server import create_app
from app.storage.graphs import get_graph_row
from app.storage.tables import RevisionRow
from app.storage.tokens import Scope, create_token


@dataclass
class Api:
    client: TestClient
    sessions: sessionmaker[Session]

    def token(self, scope: Scope = Scope.WRITE, graph: str | None = None) -> dict[str, str]:
        with self.sessions() as session:
            row = get_graph_row(session, graph) if graph else None
            _, token = create_token(session, scope, graph=row)
            session.commit()
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Api]:
    with engine.connect() as connection:
        transaction = connection.begin()
        app = create_app(Settings(database_url=database_url, max_body_bytes=1 << 20))
        app.state.services.engine.dispose()
        sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        app.state.services = replace(app.state.services, sessions=sessions)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(client, sessions)
        transaction.rollback()


def spread_revisions(api: Api, slug: str, start: dt.datetime) -> int:
    """Date the graph's revisions a day apart from `start` (revision 1 at `start`), so that dates
    resolve to them; how many there are."""
    with api.sessions() as session:
        row = get_graph_row(session, slug)
        assert row is not None
        for number in range(1, row.head + 1):
            session.execute(
                update(RevisionRow)
                .where(RevisionRow.graph_id == row.id, RevisionRow.number == number)
                .values(created_at=start + dt.timedelta(days=number - 1))
            )
        session.commit()
        return row.head


def problem_of(answer: Any, status: int) -> dict[str, Any]:
    """The problem+json body of an answer that must have `status`."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    return problem
