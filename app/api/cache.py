"""Parsed graphs kept between requests, keyed by what makes a stored graph immutable.

A graph at a given head never changes (writes add revisions), so (id, created_at, head)
names its content exactly; every worker reads the head from the database on each request,
so a write through another worker is seen at once. Deleting and re-creating a slug gives a
new created_at, so a reused id cannot bring back an old graph.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.analysis import Support, support
from app.domain.model import Graph
from app.storage.graphs import load_graph
from app.storage.tables import GraphRow


@dataclass(frozen=True, slots=True)
class Analysed:
    graph: Graph
    support: Support  # chain certainty of every bet: the why-chains' most expensive part


class GraphCache:
    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._graphs: OrderedDict[tuple[int, str, int], Analysed] = OrderedDict()
        self._loading: dict[tuple[int, str, int], threading.Lock] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[int, str, int]) -> Analysed | None:
        with self._lock:
            graph = self._graphs.get(key)
            if graph is not None:
                self._graphs.move_to_end(key)
            return graph

    def get(self, session: Session, row: GraphRow) -> Analysed:
        key = (row.id, row.created_at.isoformat(), row.head)
        graph = self._cached(key)
        if graph is not None:
            return graph
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        # One request loads a graph that is not cached yet; the others wait for it rather than
        # each parsing the same thousands of rows at once (a burst after a write, or at start).
        with loading:
            graph = self._cached(key)
            if graph is None:
                loaded = load_graph(session, row)
                graph = Analysed(loaded, support(loaded))
                with self._lock:
                    self._graphs[key] = graph
                    while len(self._graphs) > self.size:
                        self._graphs.popitem(last=False)
                    self._loading.pop(key, None)
        return graph
