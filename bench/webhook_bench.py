"""Webhooks: how soon a delivery follows its commit, and what subscriptions cost the writes.

A real `betgraph serve` (one worker) on the example graph, and a real receiver on 127.0.0.1 (the
tests' own, tests/receiver.py). Writes are PATCHes of one bet's certainty, one after another:

1. Revisions per second with `--subscriptions` (100) of the graph's `revision.created`, each
   write's deliveries sent while the next writes go on, against the same with every subscription
   turned off (a write then fans nothing out): `--pairs` pairs of `--seconds` each, off then on,
   so that the database's growth and the machine's drift weigh on both; the median of the pairs'
   ratios. Goal: ≥ 0.9×.
2. Delivery latency, once the outbox has drained: a write a second, and from the moment each
   write's answer arrives (its transaction has committed) to each of its deliveries arriving at
   the receiver, p50 and p99 over every delivery; printed beside a write's own time, as a ratio,
   since absolute times mean little on a shared machine.

Run: .venv/bin/python bench/webhook_bench.py [--subscriptions 100] [--pairs 5] [--seconds 2] [--latency-writes 20]
     [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
from common import POSTGRES, ROOT, bench_database, betgraph_env, free_port, percentile, serve, token_for


@dataclass
class Receiver:
    """The tests' receiver (tests/receiver.py) in a process of its own: receiving a hundred deliveries
    a write must not slow the writes down by sharing this interpreter's lock."""

    listing: str  # GET: what came
    url: str  # where deliveries go

    def hook(self, name: str) -> str:
        return f"{self.url}/hooks/{name}"

    def received(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx2.get(self.listing, timeout=60).json()["received"]
        return found


@contextmanager
def receiving() -> Iterator[Receiver]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.receiver", str(port)], cwd=ROOT)
    try:
        listing = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                url = httpx2.get(listing, timeout=2).json()["url"]
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Receiver(listing, url)
    finally:
        process.terminate()
        process.wait()


BET = "employee-invite-flow"


def write(client: httpx2.Client, base: str, number: int) -> float:
    started = time.perf_counter()
    # Never the certainty the write before left: each write is a revision.
    answer = client.patch(f"{base}/api/graphs/acme/bets/{BET}", json={"certainty": 0.2 + (number % 2) / 10})
    answer.raise_for_status()
    return time.perf_counter() - started


def writes(
    client: httpx2.Client, base: str, seconds: float, first: int
) -> tuple[int, list[float], list[tuple[int, float]]]:
    """Writes for `seconds`, numbered on from `first` (each a new revision): how many, each one's
    time, and (its number, when its answer came)."""
    done, times, answered = 0, [], []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        times.append(write(client, base, first + done))
        answered.append((first + done, time.monotonic()))
        done += 1
    return done, times, answered


def pending(client: httpx2.Client, base: str) -> int:
    items = client.get(f"{base}/api/webhooks?graph=acme").json()["items"]
    return sum(item["deliveries"].get("pending", 0) for item in items)


def drain(client: httpx2.Client, base: str) -> float:
    """Wait until every delivery is sent; how long that took."""
    started = time.monotonic()
    while pending(client, base):
        if time.monotonic() - started > 1200:
            items = client.get(f"{base}/api/webhooks?graph=acme").json()["items"]
            stuck = client.get(f"{base}/api/webhooks/{items[0]['id']}/deliveries").json()["items"][:5]
            raise RuntimeError(f"the outbox did not drain within 20 minutes: {items[0]} {stuck}")
        time.sleep(0.2)
    return time.monotonic() - started


def run_backend(name: str, postgres: str | None, args: argparse.Namespace, receiver: Receiver) -> None:
    with bench_database(postgres, "webhooks") as url:
        env = betgraph_env(url) | {"BETGRAPH_WEBHOOK_ALLOW_PRIVATE": "1"}
        token = token_for(env)
        headers = {"Authorization": f"Bearer {token}"}
        with serve(env) as base, httpx2.Client(headers=headers, timeout=60) as client:
            document = (ROOT / "examples" / "acme.yaml").read_bytes()
            client.put(f"{base}/api/graphs/acme", content=document, headers={"Content-Type": "application/yaml"})
            for warm in range(20):
                write(client, base, warm)
            hooks = [f"{name}-{n}" for n in range(args.subscriptions)]
            made = []
            for hook in hooks:
                answer = client.post(
                    f"{base}/api/webhooks",
                    json={"url": receiver.hook(hook), "events": ["revision.created"], "graph": "acme"},
                )
                answer.raise_for_status()
                made.append(answer.json()["id"])

            def listening(enabled: bool) -> None:
                for webhook in made:
                    client.patch(f"{base}/api/webhooks/{webhook}", json={"enabled": enabled}).raise_for_status()

            # 1. Writes at full speed, with every subscription off, then on (their deliveries sent
            # meanwhile, and the backlog of the pairs before), pair after pair.
            number, ratios, bare_times, served_times, served = 20, [], [], [], 0
            for _ in range(args.pairs):
                listening(False)
                off, times, _ = writes(client, base, args.seconds, number)
                number += off
                bare_times += times
                listening(True)
                on, times, _ = writes(client, base, args.seconds, number)
                number, served = number + on, served + on
                served_times += times
                ratios.append(on / off)
            drained = drain(client, base)
            # 2. Latency: one write a second, each fanned out to every subscription, nothing queued before it.
            head = client.get(f"{base}/api/graphs/acme/revisions?limit=1").json()["items"][0]["number"]
            answered = []
            for index in range(args.latency_writes):
                write(client, base, number + index)
                answered.append(time.monotonic())
                time.sleep(1)
            drain(client, base)
        at = {head + 1 + index: moment for index, moment in enumerate(answered)}
        ours = set(hooks)
        latencies = [
            got["at"] - at[got["revision"]]
            for got in receiver.received()
            if got["name"] in ours and got["revision"] in at and got["status"] == 200
        ]
    ratio = statistics.median(ratios)
    print(
        f"{name:>10}: revisions/s with {len(hooks)} subscriptions against all turned off, median of "
        f"{len(ratios)} pairs: {ratio:.2f}x (goal >= 0.9: {'met' if ratio >= 0.9 else 'NOT met'}; pairs "
        f"{', '.join(f'{r:.2f}' for r in ratios)}; a write's median time off over on: "
        f"{percentile(bare_times, 0.5) / percentile(served_times, 0.5):.2f}x); their {served * len(hooks):,} "
        f"deliveries were all sent {drained:.1f} s after the last write"
    )
    write_p50 = percentile(served_times, 0.5)
    print(
        f"{name:>10}: delivery after commit p50 {percentile(latencies, 0.5) * 1000:7.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms ({len(latencies):,} deliveries of "
        f"{args.latency_writes} writes x {len(hooks)} subscriptions) | a write takes p50 {write_p50 * 1000:.1f} ms "
        f"(without subscriptions {percentile(bare_times, 0.5) * 1000:.1f} ms): latency p50 "
        f"{percentile(latencies, 0.5) / write_p50:.1f}x a write"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2)
    parser.add_argument("--latency-writes", type=int, default=20)
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    with receiving() as receiver:
        run_backend("SQLite", None, args, receiver)
        run_backend("PostgreSQL", args.postgres, args, receiver)


if __name__ == "__main__":
    main()
