"""Parsed graphs kept between requests, keyed by what makes a stored graph immutable.

A graph at a given head never changes (writes add revisions), so (id, created_at, head)
names its content exactly; every worker reads the head from the database on each request,
so a write through another worker is seen at once. Deleting and re-creating a slug gives a
new created_at, so a reused id cannot bring back an old graph.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

from app.domain.model import Graph
from app.storage.graphs import load_graph
from app.storage.tables import GraphRow


class GraphCache:
    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._graphs: OrderedDict[tuple[int, str, int], Graph] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, row: GraphRow) -> Graph:
        key = (row.id, row.created_at.isoformat(), row.head)
        with self._lock:
            graph = self._graphs.get(key)
            if graph is not None:
                self._graphs.move_to_end(key)
                return graph
        graph = load_graph(session, row)
        with self._lock:
            self._graphs[key] = graph
            while len(self._graphs) > self.size:
                self._graphs.popitem(last=False)
        return graph
