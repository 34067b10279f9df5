"""Render benchmarks, printed as ratios against baselines measured in the same run.

1. `betgraph render` (a whole CLI process: read YAML, validate, lint, lay out, draw, post-process)
   against `dot -Tsvg` on the DOT it emits, for 200- and 2,000-bet maps. The interpreter's start-up
   with Betgraph's imports (`betgraph --version`) is measured too and reported apart:
   overhead = (betgraph render - start-up - dot) / dot.
2. A 3,000-bet map as Betgraph draws it (`--quality auto`, which picks the cheap settings) against
   `dot -Tsvg` with default settings on the same DOT (`--quality full`). The baseline is stopped
   after --cap seconds; the ratio is then an upper bound.

Run: make bench   (or .venv/bin/python bench/render_bench.py [--runs N] [--cap SECONDS])
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import median_time

from app.domain.synthetic import synthetic_graph
from app.formats.writing import dump_yaml

BETGRAPH = (sys.executable, "-m", "app.cli")


def run(*argv: str, timeout: float | None = None) -> None:
    subprocess.run(list(argv), check=True, capture_output=True, timeout=timeout)


def overhead(tmp: Path, size: int, runs: int, startup: float) -> None:
    doc = tmp / f"map{size}.yaml"
    doc.write_text(dump_yaml(synthetic_graph(size)))
    source = tmp / f"map{size}.dot"
    run(*BETGRAPH, "render", str(doc), "-o", str(source))
    dot = median_time(runs, functools.partial(run, "dot", "-Tsvg", str(source), "-o", str(tmp / "plain.svg")))
    ours = median_time(runs, functools.partial(run, *BETGRAPH, "render", str(doc), "-o", str(tmp / "ours.svg")))
    # `betgraph why` reads and validates the document and answers one question: the cost of reading.
    first = next(line for line in doc.read_text().splitlines() if line.startswith("- id: ")).removeprefix("- id: ")
    read = median_time(runs, functools.partial(run, *BETGRAPH, "why", str(doc), first)) - startup
    extra = (ours - startup - dot) / dot
    print(
        f"{size:>5} bets: betgraph render {ours:6.2f} s | dot -Tsvg {dot:6.2f} s | ratio {ours / dot:.2f}x | "
        f"overhead beyond dot and start-up {extra:+.1%} (goal < 10%), "
        f"of which reading the YAML {read / dot:.1%} ({read:.2f} s)"
    )


def cheap_settings(tmp: Path, size: int, cap: float) -> None:
    doc = tmp / f"map{size}.yaml"
    doc.write_text(dump_yaml(synthetic_graph(size)))
    full = tmp / "full.dot"
    run(*BETGRAPH, "render", str(doc), "--quality", "full", "-o", str(full))
    ours = median_time(1, functools.partial(run, *BETGRAPH, "render", str(doc), "-o", str(tmp / "fast.svg")))
    started = time.perf_counter()
    try:
        run("dot", "-Tsvg", str(full), "-o", str(tmp / "full.svg"), timeout=cap)
        default, bound = time.perf_counter() - started, "="
    except subprocess.TimeoutExpired:
        default, bound = cap, "<"
    shown = f"{default:.1f} s" if bound == "=" else f"> {cap:.0f} s (stopped)"
    print(
        f"{size:>5} bets: betgraph render (auto) {ours:6.1f} s | default dot settings {shown} | "
        f"ratio {bound} {ours / default:.3f} (goal < 0.33)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per timing; the median is kept")
    parser.add_argument(
        "--cap", type=float, default=600, help="seconds before the default-settings baseline is stopped"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        startup = median_time(args.runs, functools.partial(run, *BETGRAPH, "--version"))
        print(f"start-up with imports (betgraph --version): {startup:.3f} s")
        overhead(tmp, 200, args.runs, startup)
        overhead(tmp, 2000, args.runs, startup)
        cheap_settings(tmp, 3000, args.cap)


if __name__ == "__main__":
    main()
