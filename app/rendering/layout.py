"""Rows: how the nodes of a scene are stacked so that horizon stays visible and a big map fits a screen.

Putting every bet of a horizon band on one rank makes a hundred near-term initiatives a single
row a hundred nodes wide. Instead each band gets as many rows as it needs: a bet sits below
its parents in the same band, and a level wider than `columns` is dealt out over several rows,
so that siblings stand staggered under their parent. `dot` still orders the nodes within each
row to reduce crossings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.rendering.style import Band
from app.rendering.views import Scene

# Node and row footprint in inches: a wrapped label is about 2.3in wide with its spacing and a
# row about 1.05in tall with the rank separation. Edges passing between rows widen a real map
# beyond this estimate, so the formula aims at 0.9 to land near 1.5-1.9 wide to tall (measured
# from 200 to 2,000 bets; tests/rendering/test_layout.py holds 200 bets within 4:1).
NODE_WIDTH = 2.3
ROW_HEIGHT = 1.05
TARGET_ASPECT = 0.9


@dataclass(frozen=True, slots=True)
class Row:
    band: Band
    nodes: tuple[str, ...]


def columns_for(count: int, aspect: float = TARGET_ASPECT) -> int:
    """How many nodes a row may hold so that `count` nodes come out about `aspect` wide to tall."""
    # width = C × W and height ≈ (count / C) × H, so width / height = aspect at C = √(aspect·count·H / W)
    return max(3, math.ceil(math.sqrt(aspect * count * ROW_HEIGHT / NODE_WIDTH)))


def _node_ids(scene: Scene) -> list[str]:
    """Bets and summaries: the nodes that hang from parents."""
    return [bet.id for bet in scene.bets] + [summary.id for summary in scene.summaries]


def _document_order(scene: Scene) -> dict[str, int]:
    """Depth-first from the roots, children by id: siblings and subtrees stay next to each other."""
    nodes = _node_ids(scene)
    children: dict[str, list[str]] = {node: [] for node in nodes}
    has_parent: set[str] = set()
    for edge in scene.edges:
        if edge.primary:
            children[edge.parent].append(edge.child)
            has_parent.add(edge.child)
    order: dict[str, int] = {}
    for root in [node for node in nodes if node not in has_parent] + nodes:
        stack = [root]
        while stack:
            node = stack.pop()
            if node in order:
                continue
            order[node] = len(order)
            stack.extend(sorted(children[node], reverse=True))
    return order


def _levels(scene: Scene) -> dict[str, int]:
    """Depth of each bet below the bets of its own band that it hangs from."""
    band = scene.bands
    parents: dict[str, list[str]] = {node: [] for node in _node_ids(scene)}
    for edge in scene.edges:
        if band[edge.parent].index == band[edge.child].index:
            parents[edge.child].append(edge.parent)
    level: dict[str, int] = {}
    for start in parents:
        stack = [start]
        on_stack = {start}
        while stack:
            node = stack[-1]
            pending = [p for p in parents[node] if p not in level and p not in on_stack]
            if pending:
                stack.append(pending[0])
                on_stack.add(pending[0])
                continue
            # parents still on the stack close a cycle; the link is ignored for the layout
            level[node] = max((level[p] + 1 for p in parents[node] if p in level), default=0)
            stack.pop()
            on_stack.discard(node)
    return level


def assign_rows(scene: Scene, columns: int) -> list[Row]:
    order = _document_order(scene)
    level = _levels(scene)
    # Each assumption sits beside the first bet (top band first, then reading order) that rests on it.
    beside: dict[str, list[str]] = {}
    anchored: set[str] = set()
    for assumption_id, bet_id in sorted(scene.rests_on, key=lambda pair: (scene.bands[pair[1]].index, order[pair[1]])):
        if assumption_id not in anchored:
            anchored.add(assumption_id)
            beside.setdefault(bet_id, []).append(assumption_id)

    rows: list[Row] = []
    by_band: dict[int, list[str]] = {}
    for node in _node_ids(scene):
        by_band.setdefault(scene.bands[node].index, []).append(node)
    bands = {band.index: band for band in scene.bands.values()}
    for index in sorted(by_band):
        by_level: dict[int, list[str]] = {}
        for bet_id in sorted(by_band[index], key=lambda b: order[b]):
            by_level.setdefault(level[bet_id], []).append(bet_id)
        for _, members in sorted(by_level.items()):
            # Deal the bets out to the rows in turn rather than filling one row after another: each
            # row then spans the whole width and siblings are staggered under their parent, where
            # filled rows would each sit under a different part of the level above, as a staircase.
            blocks = [(bet_id, *sorted(beside.get(bet_id, []))) for bet_id in members]
            count = math.ceil(sum(len(block) for block in blocks) / columns)
            dealt: list[list[str]] = [[] for _ in range(count)]
            for number, block in enumerate(blocks):
                dealt[number % count].extend(block)
            rows.extend(Row(bands[index], tuple(row)) for row in dealt if row)
    loose = [a.id for a in scene.assumptions if a.id not in anchored]
    for start in range(0, len(loose), columns):
        rows.append(Row(scene.bands[loose[start]], tuple(loose[start : start + columns])))
    return rows
