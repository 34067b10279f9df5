"""What changed between two states of a graph: the review question "what did we believe then?".

Pure: two `Graph`s in, a `GraphDiff` out. The fields a review reads on a node (certainty,
prescriptiveness, debate, status, horizon, title…) are compared one by one with their values
before and after; any other field that changed is only named, so no change goes unmentioned.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.model import Assumption, Bet, Graph
from app.words import percent

Value = str | float | int | None


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: Value
    after: Value

    def describe(self) -> str:
        """`certainty 40% → 70%`: how the change reads on a node."""
        return f"{self.field} {_shown(self.field, self.before)} → {_shown(self.field, self.after)}"


def _shown(field: str, value: Value) -> str:
    if value is None:
        return "—"
    if field == "certainty" and isinstance(value, int | float):
        return percent(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Links:
    """A list of ids that changed (parents or assumptions), in document order on both sides."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(item for item in self.after if item not in self.before)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(item for item in self.before if item not in self.after)

    @property
    def primary_changed(self) -> bool:
        """Whether the first entry moved: for parents, the bet now hangs from another one."""
        return self.before[:1] != self.after[:1]


@dataclass(frozen=True, slots=True)
class ItemChange:
    id: str
    fields: tuple[FieldChange, ...] = ()
    parents: Links | None = None  # bets only: re-parented
    assumes: Links | None = None  # bets only
    other: tuple[str, ...] = ()  # names of further fields that changed (description, evidence…)

    def lines(self) -> tuple[str, ...]:
        """Each change in words, the way a diagram marks the node."""
        out = [change.describe() for change in self.fields]
        if self.parents is not None:
            moved = "re-parented" if self.parents.primary_changed else "parents changed"
            out.append(f"{moved}: {_ids(self.parents.before)} → {_ids(self.parents.after)}")
        if self.assumes is not None:
            out.append(f"assumes {_ids(self.assumes.before)} → {_ids(self.assumes.after)}")
        if self.other:
            out.append("also changed: " + ", ".join(self.other))
        return tuple(out)


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids) if ids else "none"


@dataclass(frozen=True, slots=True)
class GraphDiff:
    bets_added: tuple[str, ...] = ()
    bets_removed: tuple[str, ...] = ()
    bets_changed: tuple[ItemChange, ...] = ()
    assumptions_added: tuple[str, ...] = ()
    assumptions_removed: tuple[str, ...] = ()
    assumptions_changed: tuple[ItemChange, ...] = ()
    header: tuple[FieldChange, ...] = ()  # the graph's own title, description, as_of, visibility, lint
    reordered: tuple[str, ...] = ()  # "bets", "assumptions": listed in another order (the map's order)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.bets_added,
                self.bets_removed,
                self.bets_changed,
                self.assumptions_added,
                self.assumptions_removed,
                self.assumptions_changed,
                self.header,
                self.reordered,
            )
        )

    @property
    def changed_by_id(self) -> dict[str, ItemChange]:
        return {change.id: change for change in (*self.bets_changed, *self.assumptions_changed)}


# The fields compared with their values, in the order a node lists them; each reads its value
# in the words a document uses (prescriptiveness by name, horizon as written).
_BET_FIELDS: dict[str, Callable[[Bet], Value]] = {
    "title": lambda b: b.title,
    "kind": lambda b: b.kind.value,
    "certainty": lambda b: b.certainty,
    "prescriptiveness": lambda b: b.prescriptiveness.label if b.prescriptiveness else None,
    "debate": lambda b: b.debate.value if b.debate else None,
    "status": lambda b: b.status.value,
    "horizon": lambda b: b.horizon.text if b.horizon else None,
    "team": lambda b: b.team,
    "owner": lambda b: b.owner,
    "rank": lambda b: b.rank,
    "review_by": lambda b: b.review_by.isoformat() if b.review_by else None,
    "resolution": lambda b: b.resolution.verdict.value if b.resolution else None,
}
_ASSUMPTION_FIELDS: dict[str, Callable[[Assumption], Value]] = {
    "statement": lambda a: a.statement,
    "certainty": lambda a: a.certainty,
    "importance": lambda a: a.importance,
    "category": lambda a: a.category.value if a.category else None,
    "debate": lambda a: a.debate.value if a.debate else None,
    "review_by": lambda a: a.review_by.isoformat() if a.review_by else None,
    "resolution": lambda a: a.resolution.verdict.value if a.resolution else None,
}
# Document keys that the compared fields and links above already account for.
_BET_KEYS = {*_BET_FIELDS, "id", "parents", "assumes"}
_ASSUMPTION_KEYS = {*_ASSUMPTION_FIELDS, "id"}


def _fields(before: Any, after: Any, fields: dict[str, Callable[[Any], Value]]) -> tuple[FieldChange, ...]:
    found = []
    for name, read in fields.items():
        old, new = read(before), read(after)
        if old != new:
            found.append(FieldChange(name, old, new))
    return tuple(found)


def _other(before: Bet | Assumption, after: Bet | Assumption, known: set[str]) -> tuple[str, ...]:
    # The model's fields are the document's keys. A resolution's learned text or date counts as
    # "resolution" when its verdict stayed.
    names = {name for name in before.__slots__ if getattr(before, name) != getattr(after, name)}
    other = names - known
    if "resolution" in names and _verdict(before) == _verdict(after):
        other.add("resolution")
    return tuple(sorted(other))


def _verdict(item: Bet | Assumption) -> Any:
    return item.resolution.verdict if item.resolution is not None else None


def _links(before: tuple[str, ...], after: tuple[str, ...]) -> Links | None:
    return Links(before, after) if before != after else None


def _bet_change(before: Bet, after: Bet) -> ItemChange | None:
    if before == after:
        return None
    change = ItemChange(
        id=after.id,
        fields=_fields(before, after, _BET_FIELDS),
        parents=_links(before.parents, after.parents),
        assumes=_links(before.assumes, after.assumes),
        other=_other(before, after, _BET_KEYS),
    )
    return change if change.lines() else None


def _assumption_change(before: Assumption, after: Assumption) -> ItemChange | None:
    if before == after:
        return None
    change = ItemChange(
        id=after.id,
        fields=_fields(before, after, _ASSUMPTION_FIELDS),
        other=_other(before, after, _ASSUMPTION_KEYS),
    )
    return change if change.lines() else None


def _header(before: Graph, after: Graph) -> tuple[FieldChange, ...]:
    fields: dict[str, Callable[[Graph], Value]] = {
        "title": lambda g: g.title,
        "description": lambda g: g.description or None,
        "as_of": lambda g: g.as_of.isoformat() if g.as_of else None,
        "visibility": lambda g: g.visibility.value,
        "lint": _lint_text,
    }
    return _fields(before, after, fields)


def _lint_text(graph: Graph) -> str | None:
    """A graph's own lint settings as the document writes them (None: the defaults)."""
    overrides = graph.lint.overrides()
    return json.dumps(overrides, sort_keys=True, separators=(", ", ": ")) if overrides else None


def _reordered(before: Graph, after: Graph) -> tuple[str, ...]:
    """The sections whose items, those on both sides, are listed in another order."""
    found = []
    for section, old, new in (
        ("bets", [b.id for b in before.bets], [b.id for b in after.bets]),
        ("assumptions", [a.id for a in before.assumptions], [a.id for a in after.assumptions]),
    ):
        kept = set(old) & set(new)
        if [item for item in old if item in kept] != [item for item in new if item in kept]:
            found.append(section)
    return tuple(found)


def diff(before: Graph, after: Graph) -> GraphDiff:
    """What `after` adds, removes and changes relative to `before`; ids sorted, for stable output."""
    old_bets, new_bets = before.bet_by_id, after.bet_by_id
    old_assumptions, new_assumptions = before.assumption_by_id, after.assumption_by_id
    bet_changes = (_bet_change(old_bets[key], new_bets[key]) for key in sorted(old_bets.keys() & new_bets.keys()))
    assumption_changes = (
        _assumption_change(old_assumptions[key], new_assumptions[key])
        for key in sorted(old_assumptions.keys() & new_assumptions.keys())
    )
    return GraphDiff(
        bets_added=tuple(sorted(new_bets.keys() - old_bets.keys())),
        bets_removed=tuple(sorted(old_bets.keys() - new_bets.keys())),
        bets_changed=tuple(change for change in bet_changes if change is not None),
        assumptions_added=tuple(sorted(new_assumptions.keys() - old_assumptions.keys())),
        assumptions_removed=tuple(sorted(old_assumptions.keys() - new_assumptions.keys())),
        assumptions_changed=tuple(change for change in assumption_changes if change is not None),
        header=_header(before, after),
        reordered=_reordered(before, after),
    )


@dataclass(frozen=True, slots=True)
class Worded:
    """One change in words: `{what} “{name}” {words}`, for a person to read (since a visit, a digest)."""

    what: Literal["bet", "assumption", "graph"]
    name: str  # the bet's title, the assumption's id; empty for the graph's own fields
    words: str
    focus: str | None = None  # the item to select on the map; None: it is gone from the map, or is the graph

    @property
    def text(self) -> str:
        if self.what == "graph":
            return self.words
        return f"{self.what} “{self.name}” {self.words}"


def in_words(found: GraphDiff, before: Graph, after: Graph) -> list[Worded]:
    """The diff's changes, bets first (what a person's work rests on), in the diff view's words."""

    def changed(what: Literal["bet", "assumption"], change: ItemChange, name: str) -> Worded:
        return Worded(what, name, "changed: " + "; ".join(change.lines()), change.id)

    return [
        *(Worded("bet", after.bet_by_id[i].title, "added", i) for i in found.bets_added),
        *(changed("bet", c, after.bet_by_id[c.id].title) for c in found.bets_changed),
        *(Worded("bet", before.bet_by_id[i].title, "removed") for i in found.bets_removed),
        *(Worded("assumption", i, "added", i) for i in found.assumptions_added),
        *(changed("assumption", c, c.id) for c in found.assumptions_changed),
        *(Worded("assumption", i, "removed") for i in found.assumptions_removed),
        *(Worded("graph", "", f"the graph's {f.describe()}") for f in found.header),
        *(Worded("graph", "", f"the order of the {section}") for section in found.reordered),
    ]


def _item_data(change: ItemChange) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": change.id,
        "fields": {f.field: {"before": f.before, "after": f.after} for f in change.fields},
        "lines": list(change.lines()),
    }
    if change.parents is not None:
        data["parents"] = {
            "before": list(change.parents.before),
            "after": list(change.parents.after),
            "primary_changed": change.parents.primary_changed,
        }
    if change.assumes is not None:
        data["assumes"] = {"before": list(change.assumes.before), "after": list(change.assumes.after)}
    if change.other:
        data["other"] = list(change.other)
    return data


def diff_data(found: GraphDiff) -> dict[str, Any]:
    """The diff as plain JSON data."""
    return {
        "empty": found.empty,
        "graph": {f.field: {"before": f.before, "after": f.after} for f in found.header},
        "reordered": list(found.reordered),
        "bets": {
            "added": list(found.bets_added),
            "removed": list(found.bets_removed),
            "changed": [_item_data(change) for change in found.bets_changed],
        },
        "assumptions": {
            "added": list(found.assumptions_added),
            "removed": list(found.assumptions_removed),
            "changed": [_item_data(change) for change in found.assumptions_changed],
        },
    }


def created_data(graph: Graph) -> dict[str, Any]:
    """A graph's first revision in `diff_data`'s shape: everything in it was added."""
    added = GraphDiff(
        bets_added=tuple(sorted(graph.bet_by_id)), assumptions_added=tuple(sorted(graph.assumption_by_id))
    )
    return diff_data(added)
