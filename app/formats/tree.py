"""The shape spreadsheets and outlines share: bets nested under their primary parent, named by title.

Readers of those formats meet bets as titles in a tree and hand them to a `TreeBuilder`, which
decides identity and ids and validates the result as a document, every problem placed on the
line (and column or field) it came from. Writers walk the same tree, and `ids_to_write` tells
them which ids a reader would not derive from the titles, so that a round trip keeps every id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from app.domain import model as m
from app.formats.document import graph_from_data
from app.formats.problems import DocumentError, Problem
from app.formats.schema import FORMAT_VERSION
from app.formats.source import Path, Position, SourceMap, core_value
from app.formats.writing import bet_to_data

# Ids derived from long titles are cut at a word: they end up in URLs and diagram tooltips.
MAX_DERIVED_ID = 40

# What teams call each level, lowercased, in column headers and outline prefixes. An assumption
# test of an opportunity solution tree is the assumption it tests, attached to the bet above it.
ASSUMPTION = "assumption"
LABELS: dict[str, str] = {
    "vision": m.Kind.VISION,
    "strategy": m.Kind.STRATEGY,
    "goal": m.Kind.GOAL,
    "objective": m.Kind.GOAL,
    "outcome": m.Kind.OUTCOME,
    "key result": m.Kind.OUTCOME,
    "kr": m.Kind.OUTCOME,
    "opportunity": m.Kind.OPPORTUNITY,
    "problem": m.Kind.OPPORTUNITY,
    "need": m.Kind.OPPORTUNITY,
    "hypothesis": m.Kind.HYPOTHESIS,
    "initiative": m.Kind.INITIATIVE,
    "solution": m.Kind.INITIATIVE,
    "epic": m.Kind.INITIATIVE,
    "assumption": ASSUMPTION,
    "assumption test": ASSUMPTION,
    "experiment": ASSUMPTION,
    "test": ASSUMPTION,
}

# The fields a cell or an attribute may give a bet or an assumption, by their document names.
BET_FIELDS = (
    "description",
    "horizon",
    "certainty",
    "prescriptiveness",
    "debate",
    "review_by",
    "status",
    "owner",
    "team",
    "rank",
    "tags",
    "links",
    "verdict",
    "learned",
)
ASSUMPTION_FIELDS = ("certainty", "importance", "category", "debate", "review_by")
_NUMERIC = frozenset({"certainty", "prescriptiveness", "importance", "rank"})


def label_key(text: str) -> str:
    """`Key Result`, `key_result` and `key-result` all name the same thing."""
    return " ".join(re.split(r"[\s_-]+", text.strip().lower())).strip()


def field_name(text: str) -> str:
    return label_key(text).replace(" ", "_")


def field_value(name: str, text: str) -> Any:
    """A field's value from the text of a cell or an attribute, as a YAML document would hold it."""
    text = text.strip()
    if name in _NUMERIC:
        return core_value(text)  # 0.7 and 3 are numbers, 70% and `guided` stay text
    if name == "tags":
        return [tag.strip() for tag in re.split(r"[,\n]", text) if tag.strip()]
    if name == "links":
        return text.split()  # a URL holds no whitespace, but may hold commas
    return text


def field_text(name: str, value: Any) -> str:
    """The inverse of `field_value` for a value of `bet_to_data` (or its assumption twin)."""
    if name == "certainty" and isinstance(value, float):
        whole = round(value * 100)
        return f"{whole}%" if whole / 100 == value else repr(value)
    if name == "tags":
        return ", ".join(value)
    if name == "links":
        return " ".join(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def bet_fields(bet: m.Bet) -> dict[str, str]:
    """The fields of `bet` a spreadsheet or outline carries, as text; defaults and blanks left out."""
    data = bet_to_data(bet)
    return {name: field_text(name, data[name]) for name in BET_FIELDS if name in data}


def assumption_fields(assumption: m.Assumption) -> dict[str, str]:
    values = {name: getattr(assumption, name) for name in ASSUMPTION_FIELDS}
    return {
        name: field_text(name, value.value if isinstance(value, m.Category | m.Debate) else value)
        for name, value in values.items()
        if value is not None
    }


# --- ids ----------------------------------------------------------------------------------------


def slugify(text: str, fallback: str) -> str:
    # "Don't" gives `dont`, not `don-t`; accents fall off (`Café` gives `cafe`).
    plain = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text)).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if len(slug) > MAX_DERIVED_ID:
        cut = slug[: MAX_DERIVED_ID + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:MAX_DERIVED_ID]
    return slug or fallback


def allocate(bases: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """A unique id for each base, in order: the base itself, else the base with -2, -3, …"""
    used = set(reserved)
    ids: list[str] = []
    for base in bases:
        candidate, number = base, 1
        while candidate in used:
            number += 1
            suffix = f"-{number}"
            candidate = base[: 63 - len(suffix)] + suffix
        used.add(candidate)
        ids.append(candidate)
    return ids


def ids_to_write(items: Sequence[tuple[str, str]]) -> set[str]:
    """Which ids a writer must spell out, given (id, title-derived base) in the order a reader meets them.

    Spelled-out ids are reserved before the others are derived, so each one written can change
    what the rest derive to; the set only grows, so this settles within a few rounds.
    """
    explicit: set[str] = set()
    while True:
        rest = [(item_id, base) for item_id, base in items if item_id not in explicit]
        derived = allocate((base for _, base in rest), explicit)
        wrong = {item_id for (item_id, _), got in zip(rest, derived, strict=True) if item_id != got}
        if not wrong:
            return explicit
        explicit |= wrong


# --- the primary tree, for writers -----------------------------------------------------------------


def primary_tree(graph: m.Graph) -> list[tuple[m.Bet, int]]:
    """Every bet once, with its depth, parents before children, siblings in document order.

    A bet whose primary parent is missing is a root; bets only reachable through a cycle (which a
    valid document cannot hold) become roots too, so nothing is left out.
    """
    children: dict[str, list[m.Bet]] = {}
    roots: list[m.Bet] = []
    for bet in graph.bets:
        parents = graph.parents[bet.id]
        if parents:
            children.setdefault(parents[0], []).append(bet)
        else:
            roots.append(bet)
    order: list[tuple[m.Bet, int]] = []
    seen: set[str] = set()
    pending = [*roots, *graph.bets]
    for start in pending:
        if start.id in seen:
            continue
        stack = [(start, 0)]
        while stack:
            bet, depth = stack.pop()
            if bet.id in seen:
                continue
            seen.add(bet.id)
            order.append((bet, depth))
            stack.extend((child, depth + 1) for child in reversed(children.get(bet.id, ())))
    return order


# --- building a graph from a tree of titles -----------------------------------------------------------


@dataclass
class PlacedMap(SourceMap):
    """A source map for documents that were never YAML: positions stored outright."""

    places: dict[Path, Position] = field(default_factory=dict)
    key_places: dict[Path, Position] = field(default_factory=dict)

    def value(self, path: Path) -> Position | None:
        for cut in range(len(path), -1, -1):
            found = self.places.get(path[:cut])
            if found is not None:
                return found
        return None

    def key(self, path: Path) -> Position | None:
        return self.key_places.get(path) or self.value(path)


@dataclass(eq=False)
class Node:
    seq: int  # the order nodes were met in, across bets and assumptions: ids are derived in it
    index: int
    kind: str  # a bet kind, or ASSUMPTION
    title: str
    place: Position
    explicit_id: str | None = None
    id_place: Position | None = None
    parents: list[Node] = field(default_factory=list)
    parent_places: list[Position] = field(default_factory=list)
    assumes: list[Node] = field(default_factory=list)
    assume_places: list[Position] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    field_places: dict[str, Position] = field(default_factory=dict)

    def where(self) -> str:
        return f"line {self.place.line}"


def graph_header(name: str, slug: str | None = None, title: str | None = None) -> dict[str, Any]:
    """The `graph:` section for a format that may not carry one: from the file's name unless given."""
    stem = PurePath(name).stem if name and name != "-" else ""
    words = " ".join(re.split(r"[\s_-]+", stem)).strip()
    return {"slug": slug or slugify(stem, "graph"), "title": title or words[:1].upper() + words[1:] or "Bets"}


def one_line(text: str) -> str:
    return " ".join(text.split())


class TreeBuilder:
    """Bets and assumptions met in a tree, deduplicated, then validated as one document.

    Identity: a bet is its parent, kind and title: the same title under the same parent is the
    same bet, and under another parent it is another bet (whose id gets a suffix). An id given
    outright names one bet wherever it stands: met again under another parent, that parent is
    added (the first one met stays primary); a new id for a title already there under the same
    parent is a second bet of that title, and the title names the newer one from then on. An
    assumption is its statement wherever it stands, unless ids tell two of one statement apart.
    """

    def __init__(self) -> None:
        self.bets: list[Node] = []
        self.assumptions: list[Node] = []
        self.problems: list[Problem] = []
        self._by_key: dict[tuple[int, str, str], Node] = {}
        self._by_statement: dict[str, Node] = {}
        self._by_id: dict[str, Node] = {}

    def problem(self, message: str, place: Position | None) -> None:
        self.problems.append(Problem(message, (), place))

    def _name(self, node: Node, explicit_id: str, place: Position | None) -> None:
        if node.explicit_id is None:
            node.explicit_id, node.id_place = explicit_id, place
            self._by_id[explicit_id] = node

    def bet(
        self,
        parent: Node | None,
        kind: m.Kind,
        title: str,
        place: Position,
        *,
        explicit_id: str | None = None,
        id_place: Position | None = None,
    ) -> Node:
        title = one_line(title)
        key = (parent.index if parent else -1, kind.value, title)
        keyed = self._by_key.get(key)
        named = self._by_id.get(explicit_id) if explicit_id else None
        if named is not None:
            if named.kind == ASSUMPTION:
                self.problem(f"id {explicit_id!r} already names an assumption ({named.where()})", id_place or place)
            elif (named.kind, named.title) != (kind.value, title):
                was = f"{named.kind} {named.title!r}"
                self.problem(f"id {explicit_id!r} already names the {was} ({named.where()})", id_place or place)
            elif parent is not None and parent not in named.parents:
                named.parents.append(parent)
                named.parent_places.append(place)
            return named
        if keyed is not None and not (explicit_id and keyed.explicit_id and keyed.explicit_id != explicit_id):
            if explicit_id:
                self._name(keyed, explicit_id, id_place or place)
            return keyed
        node = Node(len(self.bets) + len(self.assumptions), len(self.bets), kind.value, title, place)
        if parent is not None:
            node.parents.append(parent)
            node.parent_places.append(place)
        self.bets.append(node)
        self._by_key[key] = node
        if explicit_id:
            self._name(node, explicit_id, id_place or place)
        return node

    def assumption(
        self,
        bet: Node | None,
        statement: str,
        place: Position,
        *,
        explicit_id: str | None = None,
        id_place: Position | None = None,
    ) -> Node:
        statement = one_line(statement)
        named = self._by_id.get(explicit_id) if explicit_id else None
        node = named or self._by_statement.get(statement)
        if node is not None and explicit_id and node.explicit_id not in (None, explicit_id):
            node = None  # a second assumption of that statement, told apart by its id
        if named is not None and (named.kind != ASSUMPTION or named.title != statement):
            what = "a bet" if named.kind != ASSUMPTION else f"the assumption {named.title!r}"
            self.problem(f"id {explicit_id!r} already names {what} ({named.where()})", id_place or place)
            return named
        if node is None:
            node = Node(len(self.bets) + len(self.assumptions), len(self.assumptions), ASSUMPTION, statement, place)
            self.assumptions.append(node)
            self._by_statement[statement] = node
        if explicit_id:
            self._name(node, explicit_id, id_place or place)
        if bet is not None and node not in bet.assumes:
            bet.assumes.append(node)
            bet.assume_places.append(place)
        return node

    def set_field(self, node: Node, name: str, value: Any, place: Position) -> None:
        if name in node.fields and node.fields[name] != value:
            earlier = node.field_places[name]
            self.problem(
                f"{name} {value!r} differs from {node.fields[name]!r} given on line {earlier.line} for the same "
                f"{'assumption' if node.kind == ASSUMPTION else 'bet'}",
                place,
            )
            return
        node.fields[name] = value
        node.field_places.setdefault(name, place)

    def graph(self, header: Mapping[str, Any], places: PlacedMap | None = None) -> tuple[m.Graph, SourceMap]:
        """Validate what was built as a document, or raise `DocumentError` with every problem placed."""
        if self.problems:
            raise DocumentError(sorted(self.problems, key=_line_order))
        placed = places or PlacedMap()
        nodes = sorted([*self.bets, *self.assumptions], key=lambda node: node.seq)
        reserved = [node.explicit_id for node in nodes if node.explicit_id]
        derived = iter(allocate((slugify(node.title, node.kind) for node in nodes if not node.explicit_id), reserved))
        ids = {id(node): node.explicit_id or next(derived) for node in nodes}
        bets: list[dict[str, Any]] = []
        for index, node in enumerate(self.bets):
            path: Path = ("bets", index)
            placed.places[path] = node.place
            placed.places[(*path, "title")] = node.place
            placed.places[(*path, "id")] = node.id_place or node.place
            for position, where in enumerate(node.parent_places):
                placed.places[(*path, "parents", position)] = where
            for position, where in enumerate(node.assume_places):
                placed.places[(*path, "assumes", position)] = where
            for name, where in node.field_places.items():
                placed.places[(*path, name)] = where
            bets.append(
                {
                    "id": ids[id(node)],
                    "kind": node.kind,
                    "title": node.title,
                    "parents": [ids[id(parent)] for parent in node.parents],
                    "assumes": [ids[id(assumption)] for assumption in node.assumes],
                    **node.fields,
                }
            )
        assumptions: list[dict[str, Any]] = []
        for index, node in enumerate(self.assumptions):
            path = ("assumptions", index)
            placed.places[path] = node.place
            placed.places[(*path, "statement")] = node.place
            placed.places[(*path, "id")] = node.id_place or node.place
            for name, where in node.field_places.items():
                placed.places[(*path, name)] = where
            assumptions.append({"id": ids[id(node)], "statement": node.title, **node.fields})
        data = {"betgraph": FORMAT_VERSION, "graph": dict(header), "bets": bets, "assumptions": assumptions}
        return graph_from_data(data, placed), placed


def _line_order(problem: Problem) -> tuple[int, int]:
    return (problem.position.line, problem.position.column) if problem.position else (0, 0)
