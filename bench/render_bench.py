"""Render benchmarks, printed as ratios against baselines measured in the same run.

1. `betgraph render` (a whole CLI process: read YAML, validate, lint, lay out, draw, post-process)
   against `dot -Tsvg` on the DOT it emits, for 200- and 2,000-bet maps; the interpreter's own
   start-up (`python -c "import app.cli"`) is measured too and reported apart.
2. A 3,000-bet map with the settings Betgraph picks (`--quality auto`) against default `dot`
   settings on the same DOT (`--quality full`).

Run: make bench  (or .venv/bin/python bench/render_bench.py [--quick])
"""

from __future__ import annotations

import functools
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.domain.document import dump_yaml
from app.domain.synthetic import synthetic_graph

PYTHON = sys.executable


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(*argv: str) -> None:
    subprocess.run(list(argv), check=True, capture_output=True)


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        startup = best_of(runs, lambda: run(PYTHON, "-c", "import app.cli"))
        print(f"interpreter start-up with imports: {startup:.3f} s")
        for size in (200, 2000):
            doc = tmp / f"map{size}.yaml"
            doc.write_text(dump_yaml(synthetic_graph(size)))
            source = tmp / f"map{size}.dot"
            run(PYTHON, "-m", "app.cli", "render", str(doc), "-o", str(source))
            dot_argv = ("dot", "-Tsvg", str(source), "-o", str(tmp / "plain.svg"))
            dot_time = best_of(runs, functools.partial(run, *dot_argv))
            our_argv = (PYTHON, "-m", "app.cli", "render", str(doc), "-o", str(tmp / "ours.svg"))
            ours = best_of(runs, functools.partial(run, *our_argv))
            overhead = (ours - startup - dot_time) / dot_time
            print(
                f"{size:>5} bets: betgraph render {ours:.2f} s, dot -Tsvg {dot_time:.2f} s, "
                f"ratio {ours / dot_time:.2f}x; overhead beyond dot and start-up: {overhead:+.1%} (goal < 10%)"
            )
        doc = tmp / "map3000.yaml"
        doc.write_text(dump_yaml(synthetic_graph(3000)))
        full = tmp / "full.dot"
        run(PYTHON, "-m", "app.cli", "render", str(doc), "--quality", "full", "-o", str(full))
        fast = best_of(1, lambda: run(PYTHON, "-m", "app.cli", "render", str(doc), "-o", str(tmp / "fast.svg")))
        default = best_of(1, lambda: run("dot", "-Tsvg", str(full), "-o", str(tmp / "full.svg")))
        print(
            f" 3000 bets: betgraph render (auto settings) {fast:.1f} s, default dot settings {default:.1f} s, "
            f"ratio {fast / default:.2f} (goal < 0.33)"
        )


if __name__ == "__main__":
    main()
