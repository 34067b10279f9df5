"""What a pre-commit hook feels: the `betgraph` command's whole run, against its yardsticks, in pairs.

A hook runs at every commit, so start-up counts as much as the work. Each figure is the median,
over --runs pairs run back to back (A then B, so a drift of the shared machine's speed hits both),
of A's wall time over B's:

1. `betgraph lint` on a 200-bet document against the bare interpreter (`python -c pass`, the same
   venv). Goal: at most 5x.
2. `betgraph render` to SVG at 200 and at 2,000 bets against `dot -Tsvg` on the DOT that render
   hands Graphviz, plus the bare interpreter. Goals: at most 1.5x at 200 bets, 1.10x at 2,000.
3. Beside each render, the least any render must do, against the same yardstick: start the
   interpreter, read and validate the document (app.formats.document.load, which imports PyYAML and
   the domain) and run `dot` on its DOT. It writes no DOT and no SVG of its own, so it is a floor
   for what Python can reach here, not a render.

Run: .venv/bin/python bench/cli_start_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from app.domain.synthetic import synthetic_graph
from app.formats.writing import dump_yaml

BETGRAPH = str(Path(sys.executable).parent / "betgraph")  # the console script, as a hook runs it
PYTHON = sys.executable


def wall(*commands: Sequence[str]) -> float:
    """Seconds to run `commands` one after the other."""
    started = time.perf_counter()
    for argv in commands:
        subprocess.run(list(argv), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def paired(runs: int, a: list[list[str]], b: list[list[str]]) -> tuple[float, float, float]:
    """Median A, median B and the median of the pairs' A/B, after one pair thrown away."""
    wall(*a), wall(*b)
    times = [(wall(*a), wall(*b)) for _ in range(runs)]
    return (
        statistics.median(t for t, _ in times),
        statistics.median(t for _, t in times),
        statistics.median(x / y for x, y in times),
    )


def report(name: str, goal: float, found: tuple[float, float, float]) -> None:
    a, b, ratio = found
    verdict = "met" if ratio <= goal else "NOT met"
    print(f"{name:<34} {a * 1000:8.0f} ms against {b * 1000:7.0f} ms: {ratio:5.2f}x (goal <= {goal}x: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    bare = [PYTHON, "-c", "pass"]
    read = [PYTHON, "-c", "import sys\nfrom app.formats.document import load\nload(open(sys.argv[1]).read())"]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        documents = {}
        for size in (200, 2000):
            documents[size] = tmp / f"bets{size}.yaml"
            documents[size].write_text(dump_yaml(synthetic_graph(size)))
            # The DOT render hands Graphviz (the same options as the SVG below).
            subprocess.run([BETGRAPH, "render", str(documents[size]), "-o", str(tmp / f"bets{size}.dot")], check=True)
        lint = [BETGRAPH, "lint", str(documents[200])]
        report("lint, 200 bets / python -c pass", 5.0, paired(args.runs, [lint], [bare]))
        for size, goal in ((200, 1.5), (2000, 1.10)):
            render = [BETGRAPH, "render", str(documents[size]), "-o", str(tmp / f"out{size}.svg")]
            dot = ["dot", "-Tsvg", str(tmp / f"bets{size}.dot"), "-o", str(tmp / f"dot{size}.svg")]
            runs = args.runs if size == 200 else max(5, args.runs // 3)
            report(f"render, {size:,} bets / dot + start", goal, paired(runs, [render], [bare, dot]))
            floor = [[*read, str(documents[size])], dot]
            report("  floor: read + dot / dot + start", goal, paired(runs, floor, [bare, dot]))


if __name__ == "__main__":
    main()
