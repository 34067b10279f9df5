"""The "bets as code" document read into a `Graph`: parsed, validated against the schema, and
checked as a whole (ids, references, cycles, contradictions), or refused with every problem found.

The same shape is the YAML file the CLI reads, the JSON body of the API and the export
format. Validation collects every problem it can find, each with the path of the value
concerned, so that a caller can point at a YAML line and column or a JSON pointer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from app.domain import model as m
from app.domain.analysis import find_cycles
from app.formats import records
from app.formats.fields import suggest
from app.formats.problems import DocumentError, Problem
from app.formats.records import BetDoc, CheckInDoc, Document, MetricDoc, ResolutionDoc
from app.formats.source import (
    QUOTED,
    Path,
    SourceError,
    SourceMap,
    SourceSyntaxError,
    parse,
    quote,
)

if TYPE_CHECKING:
    from pydantic import BaseModel


def _structure_problems(document: Document) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    ids = [("bets", index, bet.id) for index, bet in enumerate(document.bets)]
    ids += [("assumptions", index, a.id) for index, a in enumerate(document.assumptions)]
    for section, index, item_id in ids:
        path: Path = (section, index, "id")
        if item_id in first_seen:
            other = first_seen[item_id]
            problems.append(Problem(f"duplicate id {quote(item_id)}: already used by {other[0]}[{other[1]}]", path))
        else:
            first_seen[item_id] = path
    bets = {bet.id for bet in document.bets}
    assumptions = {assumption.id for assumption in document.assumptions}
    for index, bet in enumerate(document.bets):
        for field_name, targets, wanted in (("parents", bets, "bet"), ("assumes", assumptions, "assumption")):
            listed: set[str] = set()
            for position, ref in enumerate(getattr(bet, field_name)):
                path = ("bets", index, field_name, position)
                if ref in listed:
                    problems.append(Problem(f"{field_name} lists {quote(ref)} twice", path))
                listed.add(ref)
                if ref in targets:
                    continue
                if ref in bets or ref in assumptions:
                    article = "an" if wanted[0] in "aeiou" else "a"
                    problems.append(Problem(f"{field_name} names {quote(ref)}, which is not {article} {wanted}", path))
                else:
                    known = targets
                    problems.append(Problem(f"unknown {wanted} {quote(ref)}{suggest(ref, known)}", path))
    problems.extend(_cycle_problems(document.bets))
    problems.extend(_loop_problems(document.bets))
    return problems


# A resolution and a status that say opposite things; other pairs may differ on purpose (a bet
# whose test was inconclusive can be made active again).
_CONTRADICTS = {m.Verdict.VALIDATED: m.Status.INVALIDATED, m.Verdict.INVALIDATED: m.Status.VALIDATED}


def _loop_problems(bets: list[BetDoc]) -> list[Problem]:
    problems: list[Problem] = []
    for index, bet in enumerate(bets):
        metric = bet.metric
        latest = _latest(metric.checkins) if metric is not None else None
        if metric is not None and latest is not None and metric.current not in (None, latest.value):
            problems.append(
                Problem(
                    f"current is {metric.current:g} but the latest check-in ({latest.date.isoformat()}) says "
                    f"{latest.value:g}: leave current out, or make them agree",
                    ("bets", index, "metric", "current"),
                )
            )
        resolution = bet.resolution
        if resolution is not None and _CONTRADICTS.get(resolution.verdict) == bet.status:
            problems.append(
                Problem(
                    f"status is {bet.status.value} but the resolution's verdict is {resolution.verdict.value}",
                    ("bets", index, "status"),
                )
            )
    return problems


def _latest(checkins: list[CheckInDoc]) -> CheckInDoc | None:
    # the same rule as `Metric.latest`: the latest date, and of one day's, the last listed
    return max(reversed(checkins), key=lambda checkin: checkin.date) if checkins else None


def _metric(doc: MetricDoc) -> m.Metric:
    latest = _latest(doc.checkins)
    return m.Metric(
        name=doc.name,
        unit=doc.unit,
        direction=doc.direction,
        baseline=doc.baseline,
        target=doc.target,
        current=latest.value if latest is not None else doc.current,
        checkins=tuple(m.CheckIn(value=c.value, date=c.date, note=c.note) for c in doc.checkins),
    )


def _resolution(doc: ResolutionDoc | None) -> m.Resolution | None:
    return m.Resolution(**doc.asdict()) if doc is not None else None


def _cycle_problems(bets: list[BetDoc]) -> list[Problem]:
    """One problem per parent link that closes a cycle, naming the whole loop."""
    index_of = {bet.id: index for index, bet in enumerate(bets)}
    # dict.fromkeys: a parent listed twice is reported once, as a duplicate, not as two cycles
    parents = {bet.id: list(dict.fromkeys(p for p in bet.parents if p in index_of)) for bet in bets}
    return [
        Problem(
            f"parents form a cycle: {_loop_text(loop)}",
            ("bets", index_of[child], "parents", bets[index_of[child]].parents.index(parent)),
        )
        for child, parent, loop in find_cycles(parents)
    ]


def _loop_text(loop: list[str]) -> str:
    # a loop through thousands of bets is told by its start and its end
    shown = loop if len(loop) <= 10 else [*loop[:8], f"… {len(loop) - 9} more", loop[-1]]
    return " -> ".join(shown)


# --- conversions ------------------------------------------------------------------------------


def _to_graph(document: Document) -> m.Graph:
    lint = document.graph.lint
    return m.Graph(
        slug=document.graph.slug,
        title=document.graph.title,
        description=document.graph.description,
        as_of=document.graph.as_of,
        visibility=document.graph.visibility,
        lint=m.LintSettings(
            disable=frozenset(lint.disable),
            false_certainty=lint.false_certainty,
            false_certainty_chain=lint.false_certainty_chain,
            unsupported_assumption=lint.unsupported_assumption,
            long_horizon=lint.long_horizon,
        )
        if lint
        else m.LintSettings(),
        bets=tuple(
            m.Bet(
                id=bet.id,
                kind=bet.kind,
                title=bet.title,
                description=bet.description,
                parents=tuple(bet.parents),
                assumes=tuple(bet.assumes),
                horizon=bet.horizon,
                certainty=bet.certainty,
                prescriptiveness=bet.prescriptiveness,
                debate=bet.debate,
                review_by=bet.review_by,
                status=bet.status,
                owner=bet.owner,
                team=bet.team,
                rank=bet.rank,
                tags=tuple(bet.tags),
                links=tuple(bet.links),
                metric=_metric(bet.metric) if bet.metric else None,
                verdict=bet.verdict,
                learned=bet.learned,
                resolution=_resolution(bet.resolution),
            )
            for bet in document.bets
        ),
        assumptions=tuple(
            m.Assumption(
                id=a.id,
                statement=a.statement,
                certainty=a.certainty,
                importance=a.importance,
                category=a.category,
                debate=a.debate,
                review_by=a.review_by,
                evidence=tuple(m.Evidence(**e.asdict()) for e in a.evidence),
                resolution=_resolution(a.resolution),
            )
            for a in document.assumptions
        ),
    )


def graph_from_data(data: Any, source_map: SourceMap | None = None) -> m.Graph:
    """Validate plain data (parsed YAML or JSON) into a `Graph`, or raise `DocumentError`.

    With a source map, every problem carries the line and column of the value concerned.
    """

    def locate(problem: Problem, key: bool = False) -> Problem:
        if source_map is None:
            return problem
        position = source_map.key(problem.path) if key else source_map.value(problem.path)
        return Problem(problem.message, problem.path, position)

    document = records.read(data)
    if document is None:
        document = _validated(data, locate)
    structure = _structure_problems(document)
    if structure:
        raise DocumentError(_sorted([locate(problem) for problem in structure]))
    return _to_graph(document)


def _validated(data: Any, locate: Callable[[Problem, bool], Problem]) -> Document:
    """`data` read by the schema's models, for what the records reader would not vouch for: the
    models' errors as problems, or what they took."""
    # Imported here: pydantic and the models are a valid document's start-up cost no more.
    from pydantic import ValidationError  # noqa: PLC0415

    from app.formats.schema import Document as Model  # noqa: PLC0415
    from app.formats.schema import message_for  # noqa: PLC0415

    try:
        document = Model.model_validate(data)
    except ValidationError as error:
        problems = [
            _short_path(locate(Problem(message_for(e), tuple(e["loc"])), e["type"] == "extra_forbidden"))
            for e in error.errors(include_url=False)
        ]
        raise DocumentError(_sorted(problems)) from None
    # A form the models take and the reader does not (data that is no parsed YAML or JSON, say):
    # the models' own values are ones it reads.
    found = records.read(_values(document))
    if found is None:
        raise AssertionError("the records reader refused what the models took")
    return found


def _values(value: Any) -> Any:
    """A model's values as plain data, as they are (model_dump would make a Horizon a mapping); a
    field left None is left out, as an optional field is."""
    if isinstance(value, list):
        return [_values(item) for item in value]
    fields = getattr(type(value), "model_fields", None)
    if fields is None:
        return value
    return {name: _values(item) for name in fields if (item := getattr(value, name)) is not None}


S = TypeVar("S", bound="BaseModel")


def parse_part(schema: type[S], data: Any, where: tuple[str, ...]) -> S:
    """Validate one part of a document on its own (a resolution, a check-in), or raise `DocumentError`.

    `where` is where such a part sits in a document (`("bets", "resolution")`), so messages and
    suggestions read as they would in a whole document; pointers are into the part.
    """
    from pydantic import ValidationError  # noqa: PLC0415 - see _validated

    from app.formats.schema import message_for  # noqa: PLC0415

    try:
        return schema.model_validate(data)
    except ValidationError as error:
        problems = [
            _short_path(Problem(message_for({**e, "loc": (*where, *e["loc"])}), tuple(e["loc"])))
            for e in error.errors(include_url=False)
        ]
        raise DocumentError(problems) from None


def _short_path(problem: Problem) -> Problem:
    # An unknown field's name ends the path of its problem; one too long to quote whole would
    # make the pointer as long, so the problem points at the mapping that holds it.
    path = problem.path
    if path and isinstance(path[-1], str) and len(path[-1]) > QUOTED:
        return Problem(problem.message, path[:-1], problem.position)
    return problem


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.position.line, p.position.column) if p.position else (0, 0))


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("duplicate key")
    return found


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _json(text: str) -> Any:
    """`text` read as JSON; raises ValueError, or RecursionError when it is nested a thousand deep."""
    return json.loads(text, object_pairs_hook=_unique, parse_constant=_refuse)


def load(text: str, *, positions: bool = True) -> tuple[m.Graph, SourceMap]:
    """Parse and validate a YAML or JSON document.

    With `positions=False` the source map stays empty and a valid document loads in about half
    the time; an invalid one is read again with positions, so its problems still carry them.
    """
    json_like = text.lstrip().startswith("{")
    if not positions and json_like:
        # JSON reads a hundred times faster with the json module than as YAML; anything it
        # refuses, or that does not validate, is read again as YAML for positions.
        try:
            return graph_from_data(_json(text)), SourceMap()
        except (ValueError, RecursionError, DocumentError):
            pass
    try:
        data, source_map = parse(text, positions=positions)
    except SourceSyntaxError as error:
        if json_like:
            # YAML refuses a lone surrogate escape ("\ud800") that JSON reads: read as JSON, the
            # document's problems name the field that holds it (by pointer, without a line).
            try:
                return graph_from_data(_json(text)), SourceMap()
            except (ValueError, RecursionError):
                pass
        raise DocumentError([Problem(error.message, (), error.position)]) from None
    except SourceError as error:
        raise DocumentError([Problem(error.message, (), error.position)]) from None
    try:
        return graph_from_data(data, source_map), source_map
    except DocumentError:
        if positions:
            raise
    return load(text, positions=True)
