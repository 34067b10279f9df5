"""The app on the test database: each test's requests share one rolled-back transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.server import create_app
from app.storage.graphs import get_graph_row
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
