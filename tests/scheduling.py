"""The order in which `pytest -n 2` hands the tests to its workers: a module's tests together, the
longest modules first.

xdist's default (`--dist load`) cuts the collection into runs of items wherever the workers ask
for more, so a module that starts a server, a browser or mermaid-cli once for its tests could
start it on both workers; and the order is the collection's, so a long module that came last kept
one worker busy for a minute while the other had nothing left. Here the unit of work is a run of
one module's consecutive items (as pytest runs them in one process: a module that uses both
databases comes in two runs, one per database), and the units go out longest first, each to the
worker that asks next.

A test's weight is its duration in the last run that ran it (pytest's cache, `betgraph/durations`);
else its share of its module's time in tests/durations.json (a checkout's first run, with no cache);
else the mean. `python -m tests.scheduling` writes tests/durations.json afresh from the cache; an
out-of-date file only makes a first run less even.

`--dist loadscope` and `loadfile` key their work by node id, and the fuzz tests share one node id
(tests/api/test_fuzz.py, one item per operation): they ran 55 fewer tests and said nothing. Here
every item is counted by its index in the collection.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, deque
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScheduling  # type: ignore[import-untyped]  # xdist ships no type hints

CACHE_KEY = "betgraph/durations"
UNTIMED = 0.2  # seconds: a test's weight when nothing has been timed yet
SEED = Path(__file__).with_name("durations.json")
ROOT = Path(__file__).resolve().parent.parent


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class ModuleScheduling(LoadScheduling):  # type: ignore[misc]  # a subclass of xdist's untyped class
    """Whole runs of a module's items, longest first, to whichever worker needs more."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self.units: deque[list[int]] = deque()
        self.ids: list[str] = []  # the collection's node ids, by index
        self.started = False
        self.measured: dict[str, float] = {}  # this run's durations, by node id
        cache = getattr(config, "cache", None)
        self.durations: dict[str, float] = (cache.get(CACHE_KEY, {}) if cache is not None else {}) or {}

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.started:  # a worker that joined later (one restarted after a crash)
            for node in self.nodes:
                self.check_schedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.started = True
        self.ids = list(next(iter(self.node2collection.values())))
        self.collection = self.ids
        runs = [list(run) for _, run in groupby(range(len(self.ids)), key=self._module_of)]
        weights = self._weights()
        # sort is stable: runs of equal weight keep the collection's order
        runs.sort(key=lambda unit: sum(weights[index] for index in unit), reverse=True)
        self.units = deque(runs)
        self.pending[:] = [index for unit in self.units for index in unit]
        for node in self.nodes:
            self.check_schedule(node)

    def _module_of(self, index: int) -> str:
        return _module(self.ids[index])

    def _weights(self) -> list[float]:
        """Each item's expected seconds, by its index."""
        seed: dict[str, float] = json.loads(SEED.read_text()) if SEED.exists() else {}
        timed = [value for value in self.durations.values() if value > 0]
        mean = sum(timed) / len(timed) if timed else UNTIMED
        shared = Counter(self.ids)  # items that share a node id (the fuzz tests) share its duration too
        in_module = Counter(map(_module, self.ids))
        weights = []
        for nodeid in self.ids:
            module = _module(nodeid)
            if nodeid in self.durations:
                weights.append(self.durations[nodeid] / shared[nodeid])
            elif module in seed:
                weights.append(seed[module] / in_module[module])
            else:
                weights.append(mean)
        return weights

    def check_schedule(self, node: Any, duration: float = 0) -> None:
        # A worker runs an item once it holds the next one (it must know whether the module ends):
        # with fewer than two it would stop and wait.
        if node.shutting_down:
            return
        while len(self.node2pending[node]) < 2 and self.units:
            unit = self.units.popleft()
            del self.pending[: len(unit)]
            self.node2pending[node].extend(unit)
            node.send_runtest_some(unit)
        if not self.units:
            node.shutdown()  # it runs what it holds, then ends

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        nodeid = self.ids[item_index]
        self.measured[nodeid] = self.measured.get(nodeid, 0.0) + duration
        super().mark_test_complete(node, item_index, duration)

    def mark_test_pending(self, item: str) -> None:
        index = self.ids.index(item)
        self.units.appendleft([index])
        self.pending.insert(0, index)
        for node in self.nodes:
            self.check_schedule(node)

    def remove_pending_tests_from_node(self, node: Any, indices: Sequence[int]) -> None:
        raise NotImplementedError

    def remove_node(self, node: Any) -> str | None:
        pending: list[int] = self.node2pending.pop(node)
        if not pending:
            return None
        crashed = self.ids[pending.pop(0)]  # the item it was running
        if pending:
            self.units.appendleft(pending)
            self.pending[:0] = pending
        for other in self.nodes:
            self.check_schedule(other)
        return crashed


def save_durations(config: pytest.Config, measured: dict[str, float]) -> None:
    """This run's durations into the cache, over the last ones; tests whose file is gone dropped."""
    cache = getattr(config, "cache", None)
    if not measured or cache is None:
        return
    root = config.rootpath
    durations = {**(cache.get(CACHE_KEY, {}) or {}), **measured}
    cache.set(CACHE_KEY, {k: round(v, 3) for k, v in sorted(durations.items()) if (root / _module(k)).exists()})


def write_seed(cache_folder: Path) -> None:
    """tests/durations.json: each module's seconds in the cache's durations."""
    path = cache_folder / "v" / CACHE_KEY
    durations: dict[str, float] = json.loads(path.read_text())
    modules: dict[str, float] = {}
    for nodeid, seconds in durations.items():
        modules[_module(nodeid)] = modules.get(_module(nodeid), 0.0) + seconds
    SEED.write_text(
        json.dumps({module: round(seconds, 1) for module, seconds in sorted(modules.items())}, indent=0) + "\n"
    )


if __name__ == "__main__":
    write_seed(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".pytest_cache")
