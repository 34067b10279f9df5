"""Schemathesis against /openapi.json: nothing a client sends may produce a server error.

It runs in-process on a SQLite database of its own, with the example graph loaded and an admin
token sent on every request so that writes are exercised too; bounded to a few examples per
operation so that it fits in `make test`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from app.config import Settings
from app.formats.document import load
from app.server import create_app
from app.storage.db import make_engine, make_sessionmaker
from app.storage.graphs import save_graph
from app.storage.migrate import upgrade
from app.storage.tokens import Scope, create_token

ROOT = Path(__file__).resolve().parent.parent.parent
_folder = tempfile.mkdtemp(prefix="betgraph-fuzz-")
URL = f"sqlite:///{_folder}/fuzz.db"
upgrade(URL)
_engine = make_engine(URL)
with make_sessionmaker(_engine)() as _session:
    save_graph(_session, load((ROOT / "examples" / "acme.yaml").read_text())[0])
    _, TOKEN = create_token(_session, Scope.ADMIN)
    _session.commit()
_engine.dispose()

app = create_app(Settings(database_url=URL, max_body_bytes=1 << 20))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> None:
    """Any 5xx is a failure, but the 501 the oEmbed spec asks for when a format is not served."""
    if response.status_code >= 500 and not (case.path == "/oembed" and response.status_code == 501):
        raise AssertionError(f"{case.method} {case.path} answered {response.status_code}: {response.text[:300]}")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_no_server_errors(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[no_server_error])
