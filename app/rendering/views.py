"""Which part of a graph a diagram shows, and everything the diagram needs to know about it.

A `Scene` is computed once per render and read by every output format (DOT, Mermaid, JSON),
so that the views, the bands and the lint marks are the same whatever the format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Literal

from app.domain.analysis import Support, UnknownNodeError, ancestors, impact, support, why_chain
from app.domain.diff import diff
from app.domain.horizons import reaches
from app.domain.lenses import LENS_KINDS
from app.domain.lint import Finding, Severity, lint
from app.domain.model import Assumption, Bet, Debate, Graph
from app.rendering.style import BANDS, UNATTACHED, Band
from app.words import percent, plural

ViewKind = Literal["map", "why", "impact", "team", "diff", "board", "assumptions", "portfolio"]
# The views of one graph; a diff is drawn from two (`select_diff`), its focus names them.
VIEW_KINDS: tuple[ViewKind, ...] = ("map", "why", "impact", "team")
# The lenses on its bets (`app.domain.lenses`, drawn by `render.prepare_lens`): their focus, if
# any, is one team.
LENSES: tuple[ViewKind, ...] = LENS_KINDS


class ViewError(ValueError):
    """The view asked for cannot be drawn from this graph (unknown focus, missing focus…)."""


@dataclass(frozen=True, slots=True)
class View:
    kind: ViewKind = "map"
    focus: str | None = None
    # A filtered map: these bets, with the bets they contribute to so that each keeps its story.
    only: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in (*VIEW_KINDS, "diff", *LENSES):
            raise ViewError(f"unknown view {self.kind!r}; views are {', '.join((*VIEW_KINDS, *LENSES))}")
        if self.kind not in ("map", *LENSES) and not self.focus:
            wanted = {"team": "a team name", "diff": "the revisions compared"}.get(self.kind, "a bet id")
            raise ViewError(f"the {self.kind} view needs a focus: {wanted}")


@dataclass(frozen=True, slots=True)
class Edge:
    parent: str
    child: str
    primary: bool


@dataclass(frozen=True, slots=True)
class Summary:
    id: str  # "~" and the parent's id: "~" is never in a slug, so never a bet's id
    parent: str
    bets: tuple[str, ...]
    kinds: tuple[tuple[str, int], ...]  # (kind, how many), most first
    certainty: float | None  # the mean of the stated certainties
    flagged: int  # how many have lint findings


def summary_id(parent: str) -> str:
    return f"~{parent}"


ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class NodeChange:
    """How a node of a diff view changed, in words a picture prints on it."""

    kind: ChangeKind
    lines: tuple[str, ...]  # "+ added", "− removed", or each change: "certainty 40% → 70%"


@dataclass(frozen=True)
class Scene:
    graph: Graph
    view: View
    as_of: dt.date
    bets: tuple[Bet, ...]  # sorted by id: the DOT is the same for the same graph
    assumptions: tuple[Assumption, ...]
    edges: tuple[Edge, ...]
    rests_on: tuple[tuple[str, str], ...]  # (assumption id, bet id)
    bands: dict[str, Band]  # node id -> band
    findings: dict[str, tuple[Finding, ...]]  # subject id -> its findings
    support: Support
    focus: frozenset[str] = frozenset()  # nodes the view is about
    path: tuple[str, ...] = ()  # the best-supported path of a why-chain
    weakest: str | None = None
    title: str = ""
    description: str = ""  # the view in words: alt text, <desc>
    counts: dict[str, int] = field(default_factory=dict)
    summaries: tuple[Summary, ...] = ()  # near-term bets drawn as one node each (summary.py)
    # A diff view: the change of each node that changed, and the links that the later graph dropped.
    changes: dict[str, NodeChange] = field(default_factory=dict)
    was_edges: tuple[Edge, ...] = ()
    was_rests_on: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return len(self.bets) + len(self.assumptions) + len(self.summaries)


def _band_of(graph: Graph, as_of: dt.date) -> dict[str, Band]:
    """Each bet's band: its reach (`app.domain.horizons`), drawn."""
    return {bet_id: BANDS[found] for bet_id, found in reaches(graph, as_of).items()}


def _quote(text: str, limit: int = 60) -> str:
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


@dataclass(frozen=True)
class _Members:
    bets: set[str]
    assumptions: set[str]
    about: str  # the view in words, after the counts
    focus: frozenset[str] = frozenset()
    path: tuple[str, ...] = ()
    weakest: str | None = None


def _members(graph: Graph, view: View, supported: Support) -> _Members:
    focus = view.focus or ""
    if view.kind == "diff":
        raise ViewError("a diff view is drawn from two graphs: use select_diff")
    if view.kind in LENSES:
        raise ViewError(f"the {view.kind} lens is no view of the graph: render.prepare_lens draws it")
    if view.kind == "map" and view.only is not None:
        bet_ids = {b for b in view.only if b in graph.bet_by_id}
        for bet_id in sorted(bet_ids):
            bet_ids.update(ancestors(graph, bet_id))
        assumption_ids = {a for b in bet_ids for a in graph.bet_by_id[b].assumes if a in graph.assumption_by_id}
        verb = "matches" if len(view.only) == 1 else "match"
        about = (
            f"the {plural(len(view.only), 'bet')} of {_quote(graph.title)} that {verb} the filters, and what they serve"
        )
        return _Members(bet_ids, assumption_ids, about)
    if view.kind == "map":
        return _Members(set(graph.bet_by_id), set(graph.assumption_by_id), f"the whole of {_quote(graph.title)}")
    if view.kind == "why":
        if focus not in graph.bet_by_id:
            raise _unknown(graph, focus, "bet")
        chain = why_chain(graph, focus, supported)
        about = f"why {_quote(graph.bet_by_id[focus].title)} matters (chain certainty {percent(chain.certainty)})"
        return _Members(set(chain.bets), set(chain.assumptions), about, frozenset({focus}), chain.path, chain.weakest)
    if view.kind == "impact":
        try:
            found = impact(graph, focus)
        except UnknownNodeError:
            raise _unknown(graph, focus, "bet or assumption") from None
        node = graph.bet_by_id.get(focus)
        name = node.title if node else graph.assumption_by_id[focus].statement
        return _Members(set(found.bets), set(found.assumptions), f"what rests on {_quote(name)}", frozenset({focus}))
    team_bets = {bet.id for bet in graph.bets if bet.team == focus}
    if not team_bets:
        teams = ", ".join(graph.teams) or "none: no bet names a team"
        raise ViewError(f"no bet belongs to team {focus!r}; teams are {teams}")
    bet_ids = set(team_bets)
    for bet_id in sorted(team_bets):
        bet_ids.update(ancestors(graph, bet_id))
    assumption_ids = {a for b in bet_ids for a in graph.bet_by_id[b].assumes if a in graph.assumption_by_id}
    about = f"the bets of team {_quote(focus)} and why they matter"
    return _Members(bet_ids, assumption_ids, about, frozenset(team_bets))


BAND_NAMES = {"long": BANDS[0], "year": BANDS[1], "quarter": BANDS[2], "6w": BANDS[3]}


@dataclass(frozen=True, slots=True)
class Filters:
    """What the viewer narrows a map to; an empty set means "any"."""

    bands: frozenset[str] = frozenset()  # keys of BAND_NAMES
    teams: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    min_certainty: float | None = None
    debatable: bool = False  # open or contested

    @property
    def active(self) -> bool:
        return bool(self.bands or self.teams or self.kinds or self.statuses or self.debatable) or (
            self.min_certainty is not None
        )


def matching(graph: Graph, filters: Filters, today: dt.date) -> frozenset[str]:
    """The bets that pass every filter."""
    bands = _band_of(graph, graph.reference_date(today))
    wanted_bands = {BAND_NAMES[name].index for name in filters.bands if name in BAND_NAMES}
    found = set()
    for bet in graph.bets:
        if wanted_bands and bands[bet.id].index not in wanted_bands:
            continue
        if filters.teams and bet.team not in filters.teams:
            continue
        if filters.kinds and bet.kind.value not in filters.kinds:
            continue
        if filters.statuses and bet.status.value not in filters.statuses:
            continue
        if filters.min_certainty is not None and (bet.certainty is None or bet.certainty < filters.min_certainty):
            continue
        if filters.debatable and bet.debate not in (Debate.OPEN, Debate.CONTESTED):
            continue
        found.add(bet.id)
    return frozenset(found)


def band_of(graph: Graph, today: dt.date) -> dict[str, Band]:
    return _band_of(graph, graph.reference_date(today))


def select(graph: Graph, view: View, today: dt.date) -> Scene:
    as_of = graph.reference_date(today)
    supported = support(graph)
    findings_list = lint(graph, today, supported)
    members = _members(graph, view, supported)
    bet_ids, assumption_ids = members.bets, members.assumptions
    bets = tuple(sorted((graph.bet_by_id[b] for b in bet_ids), key=lambda b: b.id))
    assumptions = tuple(sorted((graph.assumption_by_id[a] for a in assumption_ids), key=lambda a: a.id))
    edges = tuple(
        Edge(parent, bet.id, index == 0)
        for bet in bets
        for index, parent in enumerate(bet.parents)
        if parent in bet_ids
    )
    rests_on = tuple((a, bet.id) for bet in bets for a in bet.assumes if a in assumption_ids)
    all_bands = _band_of(graph, as_of)
    bands = {bet.id: all_bands[bet.id] for bet in bets}
    for assumption in assumptions:
        resting = [all_bands[b] for b in graph.assumed_by[assumption.id] if b in bet_ids]
        bands[assumption.id] = min(resting, key=lambda band: band.index) if resting else UNATTACHED

    shown = bet_ids | assumption_ids
    findings: dict[str, list[Finding]] = {}
    for finding in findings_list:
        if finding.subject in shown:
            findings.setdefault(finding.subject, []).append(finding)
    counts = {
        "bets": len(bets),
        "assumptions": len(assumptions),
        "errors": sum(1 for f in findings_list if f.severity is Severity.ERROR and f.subject in shown),
        "warnings": sum(1 for f in findings_list if f.severity is Severity.WARNING and f.subject in shown),
    }
    description = f"{plural(counts['bets'], 'bet')}, {plural(counts['assumptions'], 'assumption')}; {members.about}"
    if counts["warnings"] or counts["errors"]:
        description += f"; lint: {plural(counts['errors'], 'error')}, {plural(counts['warnings'], 'warning')}"
    focus_name = view.focus or ""
    if focus_name in graph.bet_by_id:
        focus_name = graph.bet_by_id[focus_name].title
    elif focus_name in graph.assumption_by_id:
        focus_name = graph.assumption_by_id[focus_name].statement
    title = graph.title if view.kind == "map" else f"{graph.title} — {view.kind}: {_quote(focus_name)}"
    return Scene(
        graph=graph,
        view=view,
        as_of=as_of,
        bets=bets,
        assumptions=assumptions,
        edges=edges,
        rests_on=rests_on,
        bands=bands,
        findings={key: tuple(value) for key, value in findings.items()},
        support=supported,
        focus=members.focus,
        path=members.path,
        weakest=members.weakest,
        title=title,
        description=description,
        counts=counts,
    )


def _unknown(graph: Graph, node_id: str, wanted: str) -> ViewError:
    choices = list(graph.bet_by_id) + (list(graph.assumption_by_id) if "assumption" in wanted else [])
    close = difflib.get_close_matches(node_id, choices, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ViewError(f"no {wanted} with id {node_id!r} in graph {graph.slug!r}{hint}")


ADDED = "+ added"  # ASCII: the full-width ＋ is missing from common fonts
REMOVED = "− removed"


def select_diff(before: Graph, after: Graph, view: View, today: dt.date) -> Scene:
    """Both graphs in one picture: the later one, with what it removed kept and every change marked.

    `view.focus` names the two states in words (`r3 → r7`). Lint findings are those of the later
    graph; removed nodes carry none, as nobody need act on them.
    """
    found = diff(before, after)
    removed_bets = tuple(before.bet_by_id[b] for b in found.bets_removed)
    removed_assumptions = tuple(before.assumption_by_id[a] for a in found.assumptions_removed)
    union = dataclasses.replace(
        after, bets=after.bets + removed_bets, assumptions=after.assumptions + removed_assumptions
    )
    scene = select(union, View(), today)
    changes = {b: NodeChange("added", (ADDED,)) for b in (*found.bets_added, *found.assumptions_added)}
    changes |= {b: NodeChange("removed", (REMOVED,)) for b in (*found.bets_removed, *found.assumptions_removed)}
    changes |= {
        change.id: NodeChange("changed", tuple(f"△ {line}" for line in change.lines()))
        for change in found.changed_by_id.values()
    }
    was_edges: list[Edge] = []
    was_rests_on: list[tuple[str, str]] = []
    for change in found.bets_changed:
        old = before.bet_by_id[change.id]
        if change.parents is not None:
            was_edges += [
                Edge(parent, change.id, index == 0)
                for index, parent in enumerate(old.parents)
                if parent not in change.parents.after and parent in union.bet_by_id
            ]
        if change.assumes is not None:
            was_rests_on += [
                (assumption, change.id)
                for assumption in old.assumes
                if assumption not in change.assumes.after and assumption in union.assumption_by_id
            ]
    removed = {key for key, change in changes.items() if change.kind == "removed"}
    counts = {
        "added": len(found.bets_added) + len(found.assumptions_added),
        "removed": len(found.bets_removed) + len(found.assumptions_removed),
        "changed": len(found.changed_by_id),
    }
    summary = ", ".join(f"{count} {what}" for what, count in counts.items()) if not found.empty else "no changes"
    return dataclasses.replace(
        scene,
        view=view,
        findings={key: value for key, value in scene.findings.items() if key not in removed},
        title=f"{after.title} — changes {view.focus}",
        description=f"{summary} between {view.focus}; {scene.description}",
        counts=scene.counts | counts,
        changes=changes,
        was_edges=tuple(sorted(was_edges, key=lambda e: (e.child, e.parent))),
        was_rests_on=tuple(sorted(was_rests_on)),
    )
