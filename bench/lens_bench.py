"""The lenses of a 2,000-bet graph: each drawn as `betgraph render --view LENS` does it, against
`dot -Tsvg` laying out the map of the same graph, measured in the same run (goal: each lens under
2 s; its ratio to the map's `dot` says how it compares on this machine).

Each lens is timed whole in this process (compute the lens, write its DOT, Graphviz draws the pinned
nodes, the SVG is sanitised), and as PNG too; the baseline is the `dot -Tsvg` process on the DOT
Betgraph writes for the map of the same graph.

Run: .venv/bin/python bench/lens_bench.py [--runs 3] [--size 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import subprocess
import tempfile
from pathlib import Path

from common import install_tools, median_time

from app.domain.lenses import LENS_KINDS, LensKind
from app.domain.model import Graph
from app.domain.synthetic import synthetic_graph
from app.rendering.render import Format, RenderOptions, draw, prepare, prepare_lens
from app.rendering.views import View, select

TODAY = dt.date(2026, 12, 4)


def _draw(graph: Graph, lens: LensKind, fmt: Format, options: RenderOptions) -> bytes:
    return draw(prepare_lens(graph, lens, fmt, TODAY), options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per timing; the median is kept")
    parser.add_argument("--size", type=int, default=2000, help="bets in the graph")
    args = parser.parse_args()
    install_tools("dot", "rsvg-convert")
    graph = synthetic_graph(args.size)
    options = RenderOptions()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "map.dot"
        source.write_text(prepare(select(graph, View(), TODAY), "dot", options).text)
        argv = ["dot", "-Tsvg", str(source), "-o", str(Path(folder) / "map.svg")]
        baseline = median_time(args.runs, functools.partial(subprocess.run, argv, check=True))
    print(f"{args.size} bets: dot -Tsvg on the map's DOT {baseline:.2f} s (the baseline)")
    for lens in LENS_KINDS:
        for fmt in ("svg", "png"):
            took = median_time(args.runs, functools.partial(_draw, graph, lens, fmt, options))
            verdict = "under" if took < 2 else "OVER"
            print(
                f"  {lens:<12} {fmt}: {took:5.2f} s | ratio to the map's dot {took / baseline:.2f}x | "
                f"{verdict} the 2 s goal"
            )


if __name__ == "__main__":
    main()
