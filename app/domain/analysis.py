"""Why-chains, impact sets and chain certainty: the questions a front-line team asks of a graph.

All functions are pure, tolerate a graph with cycles or dangling references (a model edited
through the API may hold them until lint reports them) and never recurse, so a chain of
thousands of bets is fine.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from app.domain.model import Assumption, Bet, Graph
from app.words import percent


class UnknownNodeError(LookupError):
    def __init__(self, node_id: str, wanted: str) -> None:
        self.node_id = node_id
        self.wanted = wanted
        super().__init__(f"no {wanted} with id {node_id!r}")


def _certainty(value: float | None) -> float:
    # An unstated certainty neither raises nor lowers a chain: it is unknown, not doubtful.
    return 1.0 if value is None else value


def _walk(start: Iterable[str], step: dict[str, tuple[str, ...]]) -> list[str]:
    """Breadth-first closure of `start` under `step`, in a stable order, excluding the start."""
    seen = set(start)
    order: list[str] = []
    queue = deque(start)
    while queue:
        for nxt in step.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    return order


def find_cycles(parents: Mapping[str, Sequence[str]]) -> list[tuple[str, str, list[str]]]:
    """Each parent link that closes a loop: (child, parent, the loop from parent back to parent).

    Iterative depth-first search in sorted order, so the same graph always reports the same loops.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    found: list[tuple[str, str, list[str]]] = []
    for start in sorted(parents):
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail = [start]
        state[start] = 1
        while stack:
            node, next_index = stack[-1]
            if next_index == len(parents[node]):
                state[node] = 2
                stack.pop()
                trail.pop()
                continue
            stack[-1] = (node, next_index + 1)
            parent = parents[node][next_index]
            if state.get(parent) == 1:
                found.append((node, parent, [*trail[trail.index(parent) :], parent]))
            elif parent not in state and parent in parents:
                state[parent] = 1
                stack.append((parent, 0))
                trail.append(parent)
    return found


def ancestors(graph: Graph, bet_id: str) -> list[str]:
    return _walk([bet_id], graph.parents)


def descendants(graph: Graph, bet_id: str) -> list[str]:
    return _walk([bet_id], graph.children)


@dataclass(frozen=True)
class Support:
    """Chain certainty of every bet, and the parent through which each is best supported."""

    value: dict[str, float]
    best_parent: dict[str, str | None]

    def path(self, bet_id: str) -> list[str]:
        """The best-supported path from a bet up to a root."""
        path = [bet_id]
        seen = {bet_id}
        while (parent := self.best_parent.get(path[-1])) is not None and parent not in seen:
            path.append(parent)
            seen.add(parent)
        return path


def support(graph: Graph) -> Support:
    """support(b) = certainty(b) × Π certainty(assumptions of b) × max over parents of support(p)."""
    parents = graph.parents
    waiting = {bet_id: len(set(ps)) for bet_id, ps in parents.items()}
    ready = deque(bet.id for bet in graph.bets if waiting[bet.id] == 0)
    value: dict[str, float] = {}
    best: dict[str, str | None] = {}

    def settle(bet: Bet) -> None:
        own = _certainty(bet.certainty)
        for assumption_id in bet.assumes:
            assumption = graph.assumption_by_id.get(assumption_id)
            if assumption is not None:
                own *= _certainty(assumption.certainty)
        known = [(value[p], p) for p in parents[bet.id] if p in value]
        if known:
            # max by value, ties to the parent listed first (the primary one)
            top = max(known, key=lambda item: (item[0], -parents[bet.id].index(item[1])))
            value[bet.id], best[bet.id] = own * top[0], top[1]
        else:
            value[bet.id], best[bet.id] = own, None

    while True:
        while ready:
            bet_id = ready.popleft()
            settle(graph.bet_by_id[bet_id])
            for child in graph.children.get(bet_id, ()):
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
        # Bets on or below a cycle never become ready; settle them from the parents known so far.
        stuck = [bet.id for bet in graph.bets if bet.id not in value]
        if not stuck:
            return Support(value, best)
        waiting[stuck[0]] = 0
        ready.append(stuck[0])


@dataclass(frozen=True)
class WhyChain:
    focus: str
    bets: tuple[str, ...]  # the focus, then its ancestors nearest first
    assumptions: tuple[str, ...]  # every assumption any of those bets rests on
    certainty: float  # chain certainty of the focus
    path: tuple[str, ...]  # the best-supported path, focus first
    weakest: str | None  # the least certain bet or assumption on that path


def why_chain(graph: Graph, bet_id: str, supported: Support | None = None) -> WhyChain:
    if bet_id not in graph.bet_by_id:
        raise UnknownNodeError(bet_id, "bet")
    supported = supported or support(graph)
    bets = [bet_id, *ancestors(graph, bet_id)]
    assumptions: list[str] = []
    for member in bets:
        for assumption_id in graph.bet_by_id[member].assumes:
            if assumption_id in graph.assumption_by_id and assumption_id not in assumptions:
                assumptions.append(assumption_id)
    path = supported.path(bet_id)
    return WhyChain(
        focus=bet_id,
        bets=tuple(bets),
        assumptions=tuple(assumptions),
        certainty=supported.value[bet_id],
        path=tuple(path),
        weakest=weakest_link(graph, path),
    )


def why_in_words(graph: Graph, chain: WhyChain) -> list[str]:
    """The chain in words, from the top down, each bet indented under the one it serves, with the
    assumptions it rests on; then the chain certainty and the weakest link. What `betgraph why`, the
    API's why route and the MCP server's explain_bet say."""
    said = []
    for depth, bet_id in enumerate(reversed(chain.path)):
        node = graph.bet_by_id[bet_id]
        said.append(f"{'  ' * depth}{node.kind.value} {bet_id}: {node.title} ({percent(node.certainty)})")
        for assumption_id in node.assumes:
            assumption = graph.assumption_by_id.get(assumption_id)
            if assumption is None:  # as why_chain, which leaves out what names no assumption
                continue
            statement = f"{assumption.statement} ({percent(assumption.certainty)})"
            said.append(f"{'  ' * depth}  · rests on {assumption_id}: {statement}")
    said.append(f"chain certainty: {percent(chain.certainty)}")
    if chain.weakest:
        said.append(f"weakest link: {chain.weakest}")
    return said


def weakest_link(graph: Graph, path: Iterable[str]) -> str | None:
    """The least certain bet or assumption along `path` (the first of equals); None when none states a certainty."""
    candidates: list[tuple[float, int, str]] = []
    for bet_id in path:
        bet = graph.bet_by_id[bet_id]
        nodes: list[Bet | Assumption] = [bet]
        nodes += [graph.assumption_by_id[a] for a in bet.assumes if a in graph.assumption_by_id]
        for node in nodes:
            if node.certainty is not None:
                candidates.append((node.certainty, len(candidates), node.id))
    return min(candidates)[2] if candidates else None


@dataclass(frozen=True)
class Impact:
    focus: str
    bets: tuple[str, ...]  # every bet that rests on the focus, nearest first
    assumptions: tuple[str, ...]  # the focus itself when it is an assumption

    @cached_property
    def members(self) -> frozenset[str]:
        return frozenset(self.bets) | frozenset(self.assumptions)


def impact(graph: Graph, node_id: str) -> Impact:
    """Everything that rests on a bet or an assumption."""
    if node_id in graph.bet_by_id:
        return Impact(node_id, (node_id, *descendants(graph, node_id)), ())
    if node_id in graph.assumption_by_id:
        direct = list(graph.assumed_by[node_id])
        below = _walk(direct, graph.children)
        return Impact(node_id, (*direct, *below), (node_id,))
    raise UnknownNodeError(node_id, "bet or assumption")
