"""Problem answers over a real connection: what only a real server shows."""

from __future__ import annotations

import http.client
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers import betgraph, serving


def test_a_busy_database_is_a_503_that_keeps_the_connection_open(tmp_path: Path) -> None:
    database = tmp_path / "betgraph.db"
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "BETGRAPH_DATABASE_TIMEOUT": "0.3"}
    betgraph(env, "db", "upgrade")
    with serving(env) as base:
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process's write, longer than the server waits
            json = {"Content-Type": "application/json"}
            connection.request("POST", "/api/graphs/busy/bets", body=b"{}", headers=json)
            busy = connection.getresponse()
            busy.read()
            assert busy.status == 503
            assert busy.getheader("Retry-After") == "5"
            holder.execute("ROLLBACK")
            # The retry the 503 asks for, on the same connection: it was not closed under the client.
            connection.request("GET", "/healthz")
            again = connection.getresponse()
            again.read()
            assert again.status == 200
        finally:
            holder.close()
            connection.close()
