"""The document's records, read without pydantic. Written by `python -m app.formats.recordgen` from
app.formats.schema's models: do not edit (tests/formats/test_records.py checks it is current).

`read(data)` is the document as records when every value is one the models take, with the same
parser and the same result; otherwise None, for the models to decide and to say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from app.domain import model as m
from app.formats import fields as f

T = TypeVar("T")


class UnsureError(Exception):
    """A value the reader cannot vouch for: the models decide."""


_ABSENT: Any = object()


def _mapping(value: Any, names: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not names.issuperset(value):
        raise UnsureError
    return value


def _or(value: dict[str, Any], name: str, default: T, parse: Callable[[Any], T]) -> T:
    found = value.get(name, _ABSENT)
    return default if found is _ABSENT else parse(found)


def _optional(value: dict[str, Any], name: str, parse: Callable[[Any], T]) -> T | None:
    found = value.get(name)
    return None if found is None else parse(found)


def _list(value: Any, parse: Callable[[Any], T], most: int | None) -> list[T]:
    if type(value) is not list or (most is not None and len(value) > most):
        raise UnsureError
    return [parse(item) for item in value]


def _between(value: int, least: int, most: int) -> int:
    if not least <= value <= most:
        raise UnsureError
    return value


class Document:
    """A Betgraph document: a graph of bets and the assumptions they rest on ("bets as code")."""

    __slots__ = (
        "assumptions",
        "betgraph",
        "bets",
        "graph",
    )

    def __init__(self, *, betgraph: int, graph: GraphDoc, bets: list[BetDoc], assumptions: list[AssumptionDoc]) -> None:
        self.betgraph = betgraph
        self.graph = graph
        self.bets = bets
        self.assumptions = assumptions

    def asdict(self) -> dict[str, Any]:
        return {"betgraph": self.betgraph, "graph": self.graph, "bets": self.bets, "assumptions": self.assumptions}


class GraphDoc:
    """The graph itself: what it is called, who may read it, and how it is linted."""

    __slots__ = (
        "as_of",
        "description",
        "lint",
        "slug",
        "title",
        "visibility",
    )

    def __init__(
        self,
        *,
        slug: str,
        title: str,
        description: str,
        as_of: dt.date | None,
        visibility: m.Visibility,
        lint: LintDoc | None,
    ) -> None:
        self.slug = slug
        self.title = title
        self.description = description
        self.as_of = as_of
        self.visibility = visibility
        self.lint = lint

    def asdict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "as_of": self.as_of,
            "visibility": self.visibility,
            "lint": self.lint,
        }


class LintDoc:
    """How this graph is linted: rules switched off, and the thresholds of the rules that take one."""

    __slots__ = (
        "disable",
        "false_certainty",
        "false_certainty_chain",
        "long_horizon",
        "unsupported_assumption",
    )

    def __init__(
        self,
        *,
        disable: list[str],
        false_certainty: float,
        false_certainty_chain: float,
        unsupported_assumption: float,
        long_horizon: m.Horizon,
    ) -> None:
        self.disable = disable
        self.false_certainty = false_certainty
        self.false_certainty_chain = false_certainty_chain
        self.unsupported_assumption = unsupported_assumption
        self.long_horizon = long_horizon

    def asdict(self) -> dict[str, Any]:
        return {
            "disable": self.disable,
            "false_certainty": self.false_certainty,
            "false_certainty_chain": self.false_certainty_chain,
            "unsupported_assumption": self.unsupported_assumption,
            "long_horizon": self.long_horizon,
        }


class BetDoc:
    """A bet: something the organisation does or aims for, nested under what it contributes to."""

    __slots__ = (
        "assumes",
        "certainty",
        "debate",
        "description",
        "horizon",
        "id",
        "kind",
        "learned",
        "links",
        "metric",
        "owner",
        "parents",
        "prescriptiveness",
        "rank",
        "resolution",
        "review_by",
        "status",
        "tags",
        "team",
        "title",
        "verdict",
    )

    def __init__(
        self,
        *,
        id: str,
        kind: m.Kind,
        title: str,
        description: str,
        parents: list[str],
        assumes: list[str],
        horizon: m.Horizon | None,
        certainty: float | None,
        prescriptiveness: m.Prescriptiveness | None,
        debate: m.Debate | None,
        review_by: dt.date | None,
        status: m.Status,
        owner: str | None,
        team: str | None,
        rank: int | None,
        tags: list[str],
        links: list[str],
        metric: MetricDoc | None,
        verdict: str | None,
        learned: str | None,
        resolution: ResolutionDoc | None,
    ) -> None:
        self.id = id
        self.kind = kind
        self.title = title
        self.description = description
        self.parents = parents
        self.assumes = assumes
        self.horizon = horizon
        self.certainty = certainty
        self.prescriptiveness = prescriptiveness
        self.debate = debate
        self.review_by = review_by
        self.status = status
        self.owner = owner
        self.team = team
        self.rank = rank
        self.tags = tags
        self.links = links
        self.metric = metric
        self.verdict = verdict
        self.learned = learned
        self.resolution = resolution

    def asdict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "parents": self.parents,
            "assumes": self.assumes,
            "horizon": self.horizon,
            "certainty": self.certainty,
            "prescriptiveness": self.prescriptiveness,
            "debate": self.debate,
            "review_by": self.review_by,
            "status": self.status,
            "owner": self.owner,
            "team": self.team,
            "rank": self.rank,
            "tags": self.tags,
            "links": self.links,
            "metric": self.metric,
            "verdict": self.verdict,
            "learned": self.learned,
            "resolution": self.resolution,
        }


class MetricDoc:
    """What a goal or an outcome measures, and where it stands."""

    __slots__ = (
        "baseline",
        "checkins",
        "current",
        "direction",
        "name",
        "target",
        "unit",
    )

    def __init__(
        self,
        *,
        name: str,
        unit: str | None,
        direction: m.MetricDirection,
        baseline: float | None,
        target: float | None,
        current: float | None,
        checkins: list[CheckInDoc],
    ) -> None:
        self.name = name
        self.unit = unit
        self.direction = direction
        self.baseline = baseline
        self.target = target
        self.current = current
        self.checkins = checkins

    def asdict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "direction": self.direction,
            "baseline": self.baseline,
            "target": self.target,
            "current": self.current,
            "checkins": self.checkins,
        }


class CheckInDoc:
    """One measurement of a metric."""

    __slots__ = (
        "date",
        "note",
        "value",
    )

    def __init__(self, *, value: float, date: dt.date, note: str | None) -> None:
        self.value = value
        self.date = date
        self.note = note

    def asdict(self) -> dict[str, Any]:
        return {"value": self.value, "date": self.date, "note": self.note}


class ResolutionDoc:
    """Closing the loop on a bet or an assumption: how it turned out and how sure we had been."""

    __slots__ = (
        "committed_certainty",
        "learned",
        "resolved_on",
        "verdict",
    )

    def __init__(
        self, *, verdict: m.Verdict, learned: str | None, committed_certainty: float | None, resolved_on: dt.date | None
    ) -> None:
        self.verdict = verdict
        self.learned = learned
        self.committed_certainty = committed_certainty
        self.resolved_on = resolved_on

    def asdict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "learned": self.learned,
            "committed_certainty": self.committed_certainty,
            "resolved_on": self.resolved_on,
        }


class AssumptionDoc:
    """A belief a bet rests on: Kniberg's data → insight → belief → bet."""

    __slots__ = (
        "category",
        "certainty",
        "debate",
        "evidence",
        "id",
        "importance",
        "resolution",
        "review_by",
        "statement",
    )

    def __init__(
        self,
        *,
        id: str,
        statement: str,
        certainty: float | None,
        importance: int | None,
        category: m.Category | None,
        debate: m.Debate | None,
        review_by: dt.date | None,
        evidence: list[EvidenceDoc],
        resolution: ResolutionDoc | None,
    ) -> None:
        self.id = id
        self.statement = statement
        self.certainty = certainty
        self.importance = importance
        self.category = category
        self.debate = debate
        self.review_by = review_by
        self.evidence = evidence
        self.resolution = resolution

    def asdict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "statement": self.statement,
            "certainty": self.certainty,
            "importance": self.importance,
            "category": self.category,
            "debate": self.debate,
            "review_by": self.review_by,
            "evidence": self.evidence,
            "resolution": self.resolution,
        }


class EvidenceDoc:
    """Something that makes an assumption more or less likely."""

    __slots__ = (
        "date",
        "direction",
        "kind",
        "level",
        "summary",
        "url",
    )

    def __init__(
        self,
        *,
        kind: m.EvidenceKind,
        summary: str,
        level: m.EvidenceLevel | None,
        direction: m.Direction,
        url: str | None,
        date: dt.date | None,
    ) -> None:
        self.kind = kind
        self.summary = summary
        self.level = level
        self.direction = direction
        self.url = url
        self.date = date

    def asdict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "summary": self.summary,
            "level": self.level,
            "direction": self.direction,
            "url": self.url,
            "date": self.date,
        }


def _document_bets(x: Any) -> list[BetDoc]:
    return _list(x, _read_bet_doc, 10000)


def _document_assumptions(x: Any) -> list[AssumptionDoc]:
    return _list(x, _read_assumption_doc, 10000)


def _lint_doc_disable(x: Any) -> list[str]:
    return _list(f.listify(x), f.parse_rule, None)


def _bet_doc_parents(x: Any) -> list[str]:
    return _list(f.listify(x), f.parse_slug, None)


def _bet_doc_assumes(x: Any) -> list[str]:
    return _list(f.listify(x), f.parse_slug, None)


def _bet_doc_rank(x: Any) -> int:
    return _between(f.parse_whole(x), 1, 1000000)


def _bet_doc_tags(x: Any) -> list[str]:
    return _list(f.listify(x), f.parse_short, None)


def _bet_doc_links(x: Any) -> list[str]:
    return _list(f.listify(x), f.parse_url, None)


def _metric_doc_checkins(x: Any) -> list[CheckInDoc]:
    return _list(x, _read_check_in_doc, 1000)


def _assumption_doc_importance(x: Any) -> int:
    return _between(f.parse_whole(x), 1, 5)


def _assumption_doc_evidence(x: Any) -> list[EvidenceDoc]:
    return _list(x, _read_evidence_doc, None)


_DOCUMENT_FIELDS = frozenset(["assumptions", "betgraph", "bets", "graph"])


def _read_document(value: Any) -> Document:
    v = _mapping(value, _DOCUMENT_FIELDS)
    return Document(
        betgraph=f.parse_version(v["betgraph"]),
        graph=_read_graph_doc(v["graph"]),
        bets=_or(v, "bets", [], _document_bets),
        assumptions=_or(v, "assumptions", [], _document_assumptions),
    )


_GRAPH_DOC_FIELDS = frozenset(["as_of", "description", "lint", "slug", "title", "visibility"])


def _read_graph_doc(value: Any) -> GraphDoc:
    v = _mapping(value, _GRAPH_DOC_FIELDS)
    return GraphDoc(
        slug=f.parse_slug(v["slug"]),
        title=f.parse_title(v["title"]),
        description=_or(v, "description", "", f.parse_text),
        as_of=_optional(v, "as_of", f.parse_date),
        visibility=_or(v, "visibility", m.Visibility.PRIVATE, f.parse_visibility),
        lint=_optional(v, "lint", _read_lint_doc),
    )


_LINT_DOC_FIELDS = frozenset(
    ["disable", "false_certainty", "false_certainty_chain", "long_horizon", "unsupported_assumption"]
)


def _read_lint_doc(value: Any) -> LintDoc:
    v = _mapping(value, _LINT_DOC_FIELDS)
    return LintDoc(
        disable=_or(v, "disable", [], _lint_doc_disable),
        false_certainty=_or(v, "false_certainty", 0.8, f.parse_certainty),
        false_certainty_chain=_or(v, "false_certainty_chain", 0.1, f.parse_certainty),
        unsupported_assumption=_or(v, "unsupported_assumption", 0.7, f.parse_certainty),
        long_horizon=_or(v, "long_horizon", m.Horizon.parse("1y"), f.parse_horizon),
    )


_BET_DOC_FIELDS = frozenset(
    [
        "assumes",
        "certainty",
        "debate",
        "description",
        "horizon",
        "id",
        "kind",
        "learned",
        "links",
        "metric",
        "owner",
        "parents",
        "prescriptiveness",
        "rank",
        "resolution",
        "review_by",
        "status",
        "tags",
        "team",
        "title",
        "verdict",
    ]
)


def _read_bet_doc(value: Any) -> BetDoc:
    v = _mapping(value, _BET_DOC_FIELDS)
    return BetDoc(
        id=f.parse_slug(v["id"]),
        kind=f.parse_kind(v["kind"]),
        title=f.parse_title(v["title"]),
        description=_or(v, "description", "", f.parse_text),
        parents=_or(v, "parents", [], _bet_doc_parents),
        assumes=_or(v, "assumes", [], _bet_doc_assumes),
        horizon=_optional(v, "horizon", f.parse_horizon),
        certainty=_optional(v, "certainty", f.parse_certainty),
        prescriptiveness=_optional(v, "prescriptiveness", f.parse_prescriptiveness),
        debate=_optional(v, "debate", f.parse_debate),
        review_by=_optional(v, "review_by", f.parse_date),
        status=_or(v, "status", m.Status.PROPOSED, f.parse_status),
        owner=_or(v, "owner", None, f.parse_optional_short),
        team=_or(v, "team", None, f.parse_optional_short),
        rank=_optional(v, "rank", _bet_doc_rank),
        tags=_or(v, "tags", [], _bet_doc_tags),
        links=_or(v, "links", [], _bet_doc_links),
        metric=_optional(v, "metric", _read_metric_doc),
        verdict=_or(v, "verdict", None, f.parse_optional_text),
        learned=_or(v, "learned", None, f.parse_optional_text),
        resolution=_optional(v, "resolution", _read_resolution_doc),
    )


_METRIC_DOC_FIELDS = frozenset(["baseline", "checkins", "current", "direction", "name", "target", "unit"])


def _read_metric_doc(value: Any) -> MetricDoc:
    v = _mapping(value, _METRIC_DOC_FIELDS)
    return MetricDoc(
        name=f.parse_title(v["name"]),
        unit=_or(v, "unit", None, f.parse_optional_short),
        direction=_or(v, "direction", m.MetricDirection.UP, f.parse_metric_direction),
        baseline=_optional(v, "baseline", f.parse_number),
        target=_optional(v, "target", f.parse_number),
        current=_optional(v, "current", f.parse_number),
        checkins=_or(v, "checkins", [], _metric_doc_checkins),
    )


_CHECK_IN_DOC_FIELDS = frozenset(["date", "note", "value"])


def _read_check_in_doc(value: Any) -> CheckInDoc:
    v = _mapping(value, _CHECK_IN_DOC_FIELDS)
    return CheckInDoc(
        value=f.parse_number(v["value"]),
        date=f.parse_date(v["date"]),
        note=_or(v, "note", None, f.parse_optional_title_length),
    )


_RESOLUTION_DOC_FIELDS = frozenset(["committed_certainty", "learned", "resolved_on", "verdict"])


def _read_resolution_doc(value: Any) -> ResolutionDoc:
    v = _mapping(value, _RESOLUTION_DOC_FIELDS)
    return ResolutionDoc(
        verdict=f.parse_verdict(v["verdict"]),
        learned=_or(v, "learned", None, f.parse_optional_text),
        committed_certainty=_optional(v, "committed_certainty", f.parse_certainty),
        resolved_on=_optional(v, "resolved_on", f.parse_date),
    )


_ASSUMPTION_DOC_FIELDS = frozenset(
    ["category", "certainty", "debate", "evidence", "id", "importance", "resolution", "review_by", "statement"]
)


def _read_assumption_doc(value: Any) -> AssumptionDoc:
    v = _mapping(value, _ASSUMPTION_DOC_FIELDS)
    return AssumptionDoc(
        id=f.parse_slug(v["id"]),
        statement=f.parse_title(v["statement"]),
        certainty=_optional(v, "certainty", f.parse_certainty),
        importance=_optional(v, "importance", _assumption_doc_importance),
        category=_optional(v, "category", f.parse_category),
        debate=_optional(v, "debate", f.parse_debate),
        review_by=_optional(v, "review_by", f.parse_date),
        evidence=_or(v, "evidence", [], _assumption_doc_evidence),
        resolution=_optional(v, "resolution", _read_resolution_doc),
    )


_EVIDENCE_DOC_FIELDS = frozenset(["date", "direction", "kind", "level", "summary", "url"])


def _read_evidence_doc(value: Any) -> EvidenceDoc:
    v = _mapping(value, _EVIDENCE_DOC_FIELDS)
    return EvidenceDoc(
        kind=f.parse_evidence_kind(v["kind"]),
        summary=f.parse_title(v["summary"]),
        level=_optional(v, "level", f.parse_evidence_level),
        direction=_or(v, "direction", m.Direction.SUPPORTS, f.parse_direction),
        url=_optional(v, "url", f.parse_url),
        date=_optional(v, "date", f.parse_date),
    )


def read(data: Any) -> Document | None:
    """`data` (parsed YAML or JSON, or stored) as records, or None for the models to decide."""
    try:
        return _read_document(data)
    except (UnsureError, LookupError, TypeError, ValueError):
        return None
