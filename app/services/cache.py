"""Parsed graphs and finished pictures kept between requests, keyed by what makes them immutable.

A graph at a given revision never changes (writes add revisions), so (id, created_at, revision)
names its content exactly; a request reads the head from the database (or, for a warm picture,
the fast path knows it has not moved: `app.api.fastpath`), so a write through another worker is
seen within seconds at most. Deleting and re-creating a slug gives a new created_at, so a reused
id cannot bring back an old graph.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.analysis import Support, support
from app.domain.model import Graph
from app.storage.graphs import load_graph
from app.storage.tables import GraphRow, as_utc


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

    def prime(self, row: GraphRow, revision: int, graph: Graph) -> None:
        """Keep a graph just written, once its transaction has committed: the picture everyone asks
        for after an edit is then drawn without reading back and parsing what was just written."""
        key = _key(row, revision)
        if self._cached(key) is None:
            self._keep(key, Analysed(graph, support(graph)))

    def _keep(self, key: tuple[int, str, int], graph: Analysed) -> None:
        with self._lock:
            self._graphs[key] = graph
            while len(self._graphs) > self.size:
                self._graphs.popitem(last=False)

    def get(self, session: Session, row: GraphRow, revision: int | None = None) -> Analysed:
        """The graph at `revision` (its head by default); the caller checks the revision exists."""
        key = _key(row, row.head if revision is None else revision)
        graph = self._cached(key)
        if graph is not None:
            return graph
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        # One request loads a graph that is not cached yet; the others wait for it rather than
        # each parsing the same thousands of rows at once (a burst after a write, or at start).
        with loading:
            try:
                graph = self._cached(key)
                if graph is None:
                    loaded = load_graph(session, row, key[2])
                    graph = Analysed(loaded, support(loaded))
                    self._keep(key, graph)
            finally:
                with self._lock:
                    self._loading.pop(key, None)
        return graph


def _key(row: GraphRow, revision: int) -> tuple[int, str, int]:
    # In UTC: a row just made holds the time as written, one read back as the database gives it.
    return (row.id, as_utc(row.created_at).isoformat(), revision)


@dataclass(frozen=True, slots=True)
class Picture:
    etag: str
    body: bytes
    zipped: bytes | None  # gzip of an SVG, made once rather than per request
    modified: str  # Last-Modified: the date of the revision drawn

    @property
    def size(self) -> int:
        return len(self.body) + len(self.zipped or b"")


# (graph id, created_at, revision, view kind, focus, format, theme, the date read for relative horizons)
PictureKey = tuple[int, str, int, str, str | None, str, str, dt.date]


class Pictures:
    """Finished pictures by what names them, so that a warm request builds no DOT and reads no body.

    The render cache in the database stays the one every worker shares; this is a process's copy
    of its most recently served entries, bounded by their total size.
    """

    def __init__(self, budget: int = 64 << 20) -> None:
        self.budget = budget
        self._pictures: OrderedDict[PictureKey, Picture] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: PictureKey) -> Picture | None:
        with self._lock:
            picture = self._pictures.get(key)
            if picture is not None:
                self._pictures.move_to_end(key)
            return picture

    def clear(self) -> None:
        with self._lock:
            self._pictures.clear()
            self._size = 0

    def put(self, key: PictureKey, picture: Picture) -> None:
        if picture.size > self.budget:
            return
        with self._lock:
            replaced = self._pictures.pop(key, None)
            self._size -= replaced.size if replaced is not None else 0
            self._pictures[key] = picture
            self._size += picture.size
            while self._size > self.budget:
                _, dropped = self._pictures.popitem(last=False)
                self._size -= dropped.size
