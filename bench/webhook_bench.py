"""Webhooks: how soon a delivery follows its commit, and what subscriptions cost the writes.

A real `betgraph serve` (one worker) on the example graph, and a real receiver on 127.0.0.1 (the
tests' own, tests/receiver.py). Writes are PATCHes of one bet's certainty, one after another:

1. Revisions per second with no subscription, then with `--subscriptions` (100) of the graph's
   `revision.created`, each write's deliveries sent while the next writes go on. Goal: ≥ 0.9×.
2. Delivery latency, once the outbox has drained: a write a second, and from the moment each
   write's answer arrives (its transaction has committed) to each of its deliveries arriving at
   the receiver, p50 and p99 over every delivery; printed beside a write's own time, as a ratio,
   since absolute times mean little on a shared machine.

Run: .venv/bin/python bench/webhook_bench.py [--subscriptions 100] [--seconds 10] [--latency-writes 20] [--postgres URL]
"""

from __future__ import annotations

import argparse
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
        if time.monotonic() - started > 600:
            raise RuntimeError("the outbox did not drain within 10 minutes")
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
            bare, bare_times, _ = writes(client, base, args.seconds, 20)

            hooks = [f"{name}-{n}" for n in range(args.subscriptions)]
            for hook in hooks:
                made = client.post(
                    f"{base}/api/webhooks",
                    json={"url": receiver.hook(hook), "events": ["revision.created"], "graph": "acme"},
                )
                made.raise_for_status()
            # 1. Writes at full speed while their deliveries are sent, beside the writes without any.
            served, served_times, _ = writes(client, base, args.seconds, 20 + bare)
            drained = drain(client, base)
            # 2. Latency: one write a second, each fanned out to every subscription, nothing queued before it.
            head = client.get(f"{base}/api/graphs/acme/revisions?limit=1").json()["items"][0]["number"]
            answered = []
            for number in range(args.latency_writes):
                write(client, base, 20 + bare + served + number)
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
    rate, loaded = bare / args.seconds, served / args.seconds
    print(
        f"{name:>10}: revisions/s {rate:6.1f} without, {loaded:6.1f} with {len(hooks)} subscriptions: "
        f"{loaded / rate:.2f}x (goal >= 0.9: {'met' if loaded / rate >= 0.9 else 'NOT met'}); "
        f"their {served * len(hooks):,} deliveries were all sent {drained:.1f} s after the last write"
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
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--latency-writes", type=int, default=20)
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    with receiving() as receiver:
        run_backend("SQLite", None, args, receiver)
        run_backend("PostgreSQL", args.postgres, args, receiver)


if __name__ == "__main__":
    main()
