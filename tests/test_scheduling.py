"""tests/scheduling.py, the order `pytest -n 2` runs the suite in, driven the way xdist's controller
drives it: workers report their collection, then each finished item, and the scheduler sends more.

The workers here are stand-ins for xdist's WorkerController (what it sends them is all there is to see).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from tests.scheduling import ModuleScheduling

# Two runs of the api module (one per database), the fuzz tests that share one node id, a long
# module of one test, and quick ones.
COLLECTION = [
    "tests/api/test_a.py::test_one[sqlite]",
    "tests/api/test_a.py::test_two[sqlite]",
    "tests/api/test_fuzz.py::test_no_server_errors",
    "tests/api/test_fuzz.py::test_no_server_errors",
    "tests/api/test_fuzz.py::test_no_server_errors",
    "tests/api/test_a.py::test_one[postgresql]",
    "tests/api/test_a.py::test_two[postgresql]",
    "tests/test_quick.py::test_one",
    "tests/test_quick.py::test_two",
    "tests/test_slow.py::test_long",
]
DURATIONS = {
    "tests/api/test_a.py::test_one[sqlite]": 1.0,
    "tests/api/test_a.py::test_two[sqlite]": 1.0,
    "tests/api/test_fuzz.py::test_no_server_errors": 6.0,  # the three together
    "tests/api/test_a.py::test_one[postgresql]": 2.0,
    "tests/api/test_a.py::test_two[postgresql]": 2.0,
    "tests/test_quick.py::test_one": 0.1,
    "tests/test_quick.py::test_two": 0.1,
    "tests/test_slow.py::test_long": 30.0,
}


class Config:
    """What xdist's scheduler reads of pytest's configuration: two workers, no chunk limit."""

    def getvalue(self, name: str) -> object:
        return {"tx": ["2*popen"]}[name]

    def getoption(self, name: str) -> object:
        return {"maxschedchunk": None}[name]


@dataclass(eq=False)
class Worker:
    name: str
    sent: list[list[int]] = field(default_factory=list)
    shutdown_sent: bool = False

    @property
    def gateway(self) -> SimpleNamespace:  # execnet's, which names the worker
        return SimpleNamespace(id=self.name)

    @property
    def shutting_down(self) -> bool:
        return self.shutdown_sent

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.append(list(indices))

    def shutdown(self) -> None:
        self.shutdown_sent = True


def started(durations: dict[str, float]) -> tuple[ModuleScheduling, list[Worker]]:
    scheduler = ModuleScheduling(Config())  # type: ignore[arg-type]  # the parts of a pytest.Config it reads
    scheduler.durations = durations
    workers = [Worker("gw0"), Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, COLLECTION)
    scheduler.schedule()
    return scheduler, workers


def run_to_the_end(scheduler: ModuleScheduling, workers: list[Worker]) -> None:
    """Each worker finishes the items it holds, oldest first, in turns, as long as it holds any."""
    while any(scheduler.node2pending[worker] for worker in workers):
        for worker in workers:
            if scheduler.node2pending[worker]:
                scheduler.mark_test_complete(worker, scheduler.node2pending[worker][0], 0.5)


def test_every_item_runs_once_though_node_ids_repeat() -> None:
    scheduler, workers = started(DURATIONS)
    run_to_the_end(scheduler, workers)
    sent = Counter(index for worker in workers for unit in worker.sent for index in unit)
    assert sent == Counter(range(len(COLLECTION)))
    assert all(worker.shutting_down for worker in workers)
    assert scheduler.tests_finished


def test_a_modules_run_goes_to_one_worker_whole_and_the_longest_first() -> None:
    scheduler, workers = started(DURATIONS)
    # The longest run first, then the next: each worker holds at least two items, so it never waits.
    assert workers[0].sent == [[9], [2, 3, 4]]
    assert workers[1].sent == [[5, 6]]
    run_to_the_end(scheduler, workers)
    units = [unit for worker in workers for unit in worker.sent]
    assert sorted(units) == [[0, 1], [2, 3, 4], [5, 6], [7, 8], [9]]


def test_the_durations_of_a_run_are_kept_for_the_next() -> None:
    scheduler, workers = started({})
    run_to_the_end(scheduler, workers)
    # The three fuzz items' durations add up under their one node id.
    assert scheduler.measured["tests/api/test_fuzz.py::test_no_server_errors"] == 1.5
    assert scheduler.measured["tests/test_slow.py::test_long"] == 0.5


def test_a_crashed_workers_items_go_to_another() -> None:
    scheduler, workers = started(DURATIONS)
    crashed = scheduler.remove_node(workers[1])  # it was running item 5, and held 6
    assert crashed == COLLECTION[5]
    run_to_the_end(scheduler, workers[:1])
    assert [6] in workers[0].sent
