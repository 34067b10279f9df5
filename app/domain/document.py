"""The "bets as code" document: its schema, its validation into a `Graph`, and its dump.

The same shape is the YAML file the CLI reads, the JSON body of the API and the export
format. Validation collects every problem it can find, each with the path of the value
concerned, so that a caller can point at a YAML line and column or a JSON pointer.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema

from app.domain import model as m
from app.domain.analysis import find_cycles
from app.domain.lint import INVALID_ALWAYS, RULES
from app.domain.source import (
    QUOTED,
    Path,
    Position,
    SourceError,
    SourceMap,
    SourceSyntaxError,
    parse,
    quote,
    reads_as_text,
)

FORMAT_VERSION = 1
MAX_BETS = 10_000
MAX_ASSUMPTIONS = 10_000
MAX_TITLE = 1_000
MAX_TEXT = 20_000
MAX_CHECKINS = 1_000  # a weekly check-in for twenty years, in one JSON value per metric version
# Past this many problems an answer lists no more (it says how many it left out): one mistake
# repeated over 10,000 bets is fixed by reading fifty of its reports, not 10,000.
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    path: Path = ()
    position: Position | None = None

    @property
    def pointer(self) -> str:
        """RFC 6901 JSON pointer to the value concerned."""
        return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.path)

    def describe(self, source: str = "") -> str:
        place = f"{self.position.line}:{self.position.column}" if self.position is not None else self.pointer
        place = ":".join(part for part in (source, place) if part)
        return f"{place}: {self.message}" if place else self.message


class DocumentError(Exception):
    def __init__(self, problems: Iterable[Problem]) -> None:
        found = tuple(problems)
        self.problems = found[:MAX_PROBLEMS]
        if len(found) > MAX_PROBLEMS:
            self.problems += (Problem(f"… and {len(found) - MAX_PROBLEMS} more problems"),)
        super().__init__("; ".join(problem.describe() for problem in self.problems))


# PostgreSQL cannot store NUL in text, and a lone surrogate (JSON's "\ud800") is no character:
# it cannot be written as UTF-8, so neither stored nor sent back.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(value: str) -> str | None:
    """What makes `value` text that cannot be stored or sent, as a predicate after its name; else None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters (\\x00)"
    return f"must not contain U+{ord(found.group()):04X}, a lone surrogate: half of a character written as two"


# --- field parsers: each raises ValueError with a predicate that reads after the field name ---

E = TypeVar("E", bound=Enum)


def _suggest(value: Any, choices: Iterable[str]) -> str:
    if not isinstance(value, str) or len(value) > QUOTED:  # nothing that long is a typo of a name
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def _enum(cls: type[E], extra: Mapping[str, E] | None = None) -> Callable[[Any], E]:
    names = [str(member.value) for member in cls]

    def parse_member(value: Any) -> E:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            if extra and key in extra:
                return extra[key]
            for member in cls:
                if str(member.value) == key:
                    return member
        raise ValueError(f"must be one of {', '.join(names)}; got {quote(value)}{_suggest(value, names)}")

    return parse_member


def _certainty(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # compared before float(), which overflows on an integer past 1e308
        if not 0 <= value <= 1:
            raise ValueError(f"must be between 0 and 1, got {quote(value)}")
        return float(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1]) / 100
        except ValueError:
            pass
        else:
            if not 0 <= number <= 1:
                raise ValueError(f"must be between 0% and 100%, got {number * 100:g}%")
            return round(number, 6)
    raise ValueError(f"must be a number between 0 and 1 or a percentage such as 70%, got {quote(value)}")


_PRESCRIPTIVENESS_NAMES = {member.label: member for member in m.Prescriptiveness}


def _prescriptiveness(value: Any) -> m.Prescriptiveness:
    if isinstance(value, m.Prescriptiveness):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return m.Prescriptiveness(value)
    if isinstance(value, str) and value.strip().lower() in _PRESCRIPTIVENESS_NAMES:
        return _PRESCRIPTIVENESS_NAMES[value.strip().lower()]
    names = ", ".join(f"{member.value} {member.label}" for member in m.Prescriptiveness)
    raise ValueError(
        f"must be one of {names} (a name or a number); got {quote(value)}{_suggest(value, _PRESCRIPTIVENESS_NAMES)}"
    )


def _horizon(value: Any) -> m.Horizon:
    if isinstance(value, m.Horizon):
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be a duration such as 6w, 3m, 2q, 1y or an ISO date, got {quote(value)}")
    try:
        return m.Horizon.parse(value)
    except ValueError:  # its message quotes the whole value, however long
        raise ValueError(
            f"must be a duration such as 6w, 3m, 2q, 1y (d, w, m, q or y) or an ISO date, got {quote(value.strip())}"
        ) from None


def _slug(value: Any) -> str:
    if isinstance(value, str) and m.SLUG_RE.fullmatch(value):
        return value
    raise ValueError(
        "must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
        f"at most 63 characters; got {quote(value)}"
    )


def _url(value: Any) -> str:
    if isinstance(value, str) and (problem := check_text(value)):
        raise ValueError(problem)
    if isinstance(value, str) and len(value) <= 2048:
        parts = urlsplit(value)
        if (
            parts.scheme in ("http", "https")
            and parts.netloc
            and not any(ch.isspace() or ord(ch) < 32 or ch in "<>\"'`" for ch in value)
        ):
            return value
    raise ValueError(f"must be an http or https URL, got {quote(value)}")


def _text(limit: int) -> Callable[[Any], str]:
    def parse_text(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"must be text, got {quote(value)}")
        text = str(value)
        if len(text) > limit:
            raise ValueError(f"must be at most {limit} characters, got {len(text)}")
        problem = check_text(text)
        if problem:
            raise ValueError(problem)
        if any((ord(ch) < 32 and ch not in "\n\t") or ch == "\x7f" for ch in text):
            raise ValueError("must not contain control characters")
        return text

    return parse_text


def _optional_text(limit: int) -> Callable[[Any], str | None]:
    parse_text = _text(limit)

    def parse_optional(value: Any) -> str | None:
        # An empty optional field says nothing: it is stored, and dumped, as absent.
        text = parse_text(value)
        return text if text.strip() else None

    return parse_optional


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, got {quote(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer past 1e308
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {quote(value)}")
    return number


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, got {quote(value)}")
    return value


def _version(value: Any) -> int:
    if isinstance(value, bool) or value != FORMAT_VERSION:
        raise ValueError(f"must be {FORMAT_VERSION} (the document format version), got {quote(value)}")
    return FORMAT_VERSION


def _title(value: Any) -> str:
    text = _text(MAX_TITLE)(value)
    # A title is one line: newlines would break the label grid of a diagram.
    text = " ".join(text.split())
    if not text:
        raise ValueError("must not be empty")
    return text


def _listify(value: Any) -> Any:
    # `parents: vision` is read as `parents: [vision]`: the common one-parent case stays short.
    return [value] if isinstance(value, str) else value


# WithJsonSchema: what the OpenAPI document says each field takes, as a client would send it.
Slug = Annotated[str, BeforeValidator(_slug), WithJsonSchema({"type": "string", "pattern": f"^{m.SLUG_PATTERN}$"})]
Certainty = Annotated[
    float,
    BeforeValidator(_certainty),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\d{1,3}(\.\d+)?%$"},
            ]
        }
    ),
]
HorizonField = Annotated[
    m.Horizon,
    BeforeValidator(_horizon),
    WithJsonSchema({"type": "string", "pattern": r"^(\d{1,3}[dwmqy]|\d{4}-\d{2}-\d{2})$", "examples": ["6w", "1y"]}),
]
Title = Annotated[
    str, BeforeValidator(_title), WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_TITLE})
]
Text = Annotated[str, BeforeValidator(_text(MAX_TEXT)), WithJsonSchema({"type": "string", "maxLength": MAX_TEXT})]
Short = Annotated[str, BeforeValidator(_text(200)), WithJsonSchema({"type": "string", "maxLength": 200})]
OptionalShort = Annotated[str | None, BeforeValidator(_optional_text(200))]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text(MAX_TEXT))]
OptionalTitleLength = Annotated[str | None, BeforeValidator(_optional_text(MAX_TITLE))]
Number = Annotated[float, BeforeValidator(_number)]
Url = Annotated[
    str, BeforeValidator(_url), WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})
]
SlugList = Annotated[list[Slug], BeforeValidator(_listify)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, allow_inf_nan=False)


class CheckInDoc(_Schema):
    value: Number
    date: dt.date
    note: OptionalTitleLength = None


class MetricDoc(_Schema):
    name: Title
    unit: OptionalShort = None
    direction: Annotated[m.MetricDirection, BeforeValidator(_enum(m.MetricDirection))] = m.MetricDirection.UP
    baseline: Number | None = None
    target: Number | None = None
    # With check-ins, `current` is the latest one's value: it may be left out, and must agree if given.
    current: Number | None = None
    checkins: Annotated[list[CheckInDoc], Field(max_length=MAX_CHECKINS)] = []


class ResolutionDoc(_Schema):
    verdict: Annotated[m.Verdict, BeforeValidator(_enum(m.Verdict))]
    learned: OptionalText = None
    committed_certainty: Certainty | None = None
    resolved_on: dt.date | None = None


class EvidenceDoc(_Schema):
    kind: Annotated[m.EvidenceKind, BeforeValidator(_enum(m.EvidenceKind))]
    summary: Title
    level: Annotated[m.EvidenceLevel, BeforeValidator(_enum(m.EvidenceLevel))] | None = None
    direction: Annotated[m.Direction, BeforeValidator(_enum(m.Direction))] = m.Direction.SUPPORTS
    url: Url | None = None
    date: dt.date | None = None


class BetDoc(_Schema):
    id: Slug
    kind: Annotated[m.Kind, BeforeValidator(_enum(m.Kind))]
    title: Title
    description: Text = ""
    parents: SlugList = []
    assumes: SlugList = []
    horizon: HorizonField | None = None
    certainty: Certainty | None = None
    prescriptiveness: (
        Annotated[
            m.Prescriptiveness,
            BeforeValidator(_prescriptiveness),
            WithJsonSchema(
                {
                    "anyOf": [
                        {"type": "integer", "minimum": 1, "maximum": 5},
                        {"type": "string", "enum": [p.label for p in m.Prescriptiveness]},
                    ]
                }
            ),
        ]
        | None
    ) = None
    debate: Annotated[m.Debate, BeforeValidator(_enum(m.Debate))] | None = None
    review_by: dt.date | None = None
    status: Annotated[m.Status, BeforeValidator(_enum(m.Status))] = m.Status.PROPOSED
    owner: OptionalShort = None
    team: OptionalShort = None
    tags: Annotated[list[Short], BeforeValidator(_listify)] = []
    links: Annotated[list[Url], BeforeValidator(_listify)] = []
    metric: MetricDoc | None = None
    verdict: OptionalText = None
    learned: OptionalText = None
    resolution: ResolutionDoc | None = None


class AssumptionDoc(_Schema):
    id: Slug
    statement: Title
    certainty: Certainty | None = None
    importance: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=5)] | None = None
    category: Annotated[m.Category, BeforeValidator(_enum(m.Category))] | None = None
    debate: Annotated[m.Debate, BeforeValidator(_enum(m.Debate))] | None = None
    review_by: dt.date | None = None
    evidence: list[EvidenceDoc] = []
    resolution: ResolutionDoc | None = None


def _rule(value: Any) -> str:
    if isinstance(value, str) and value in RULES:
        return value
    if isinstance(value, str) and value in INVALID_ALWAYS:
        raise ValueError(f"cannot disable {value!r}: a document with {INVALID_ALWAYS[value]} is never valid")
    raise ValueError(f"names an unknown lint rule {quote(value)}{_suggest(value, RULES)}")


class LintDoc(_Schema):
    disable: Annotated[list[Annotated[str, BeforeValidator(_rule)]], BeforeValidator(_listify)] = []
    false_certainty: Certainty = 0.8
    false_certainty_chain: Certainty = 0.1
    unsupported_assumption: Certainty = 0.7
    long_horizon: HorizonField = m.Horizon.parse("1y")


class GraphDoc(_Schema):
    slug: Slug
    title: Title
    description: Text = ""
    as_of: dt.date | None = None
    visibility: Annotated[m.Visibility, BeforeValidator(_enum(m.Visibility))] = m.Visibility.PRIVATE
    lint: LintDoc | None = None


class Document(_Schema):
    betgraph: Annotated[int, BeforeValidator(_version)]
    graph: GraphDoc
    bets: Annotated[list[BetDoc], Field(max_length=MAX_BETS)] = []
    assumptions: Annotated[list[AssumptionDoc], Field(max_length=MAX_ASSUMPTIONS)] = []


# --- pydantic errors -> problems ---------------------------------------------------------------

_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "date_type": "an ISO date (YYYY-MM-DD)",
    "date_parsing": "an ISO date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "an ISO date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "an ISO date (YYYY-MM-DD)",
    "string_type": "text",
}


def _field_name(loc: Path) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return "document"


def _fields_of(loc: Path) -> list[str]:
    """The field names allowed where `loc` points, to suggest a correction for a typo."""
    where = tuple(part for part in loc[:-1] if isinstance(part, str))
    schema = _SCHEMA_AT.get(where)
    return list(schema.model_fields) if schema else []


def _message(error: Mapping[str, Any]) -> str:
    loc: Path = tuple(error["loc"])
    kind: str = error["type"]
    value = error.get("input")
    name = _field_name(loc)
    if kind == "extra_forbidden":
        return f"unknown field {quote(name)}{_suggest(name, _fields_of(loc))}"
    if kind == "string_unicode" and isinstance(value, str):  # a date, or a key of the mapping at `loc`
        return f"{name}: {quote(value)} {check_text(value) or 'is not text'}"
    if kind == "missing":
        return f"missing required field {quote(name)}"
    if kind == "value_error":
        return f"{name} {error['ctx']['error']}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{name} must be between 1 and 5, got {quote(value)}"
    if kind == "too_long":
        return f"{name} has {error['ctx']['actual_length']} entries; at most {error['ctx']['max_length']} are allowed"
    if kind in _TYPE_WORDS:
        if name == "document" or loc == ():
            return f"the document must be a mapping with betgraph, graph, bets and assumptions, got {quote(value)}"
        return f"{name} must be {_TYPE_WORDS[kind]}, got {quote(value)}"
    return f"{name}: {error['msg']}"


_SCHEMA_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Document,
    ("graph",): GraphDoc,
    ("graph", "lint"): LintDoc,
    ("bets",): BetDoc,
    ("bets", "metric"): MetricDoc,
    ("bets", "metric", "checkins"): CheckInDoc,
    ("bets", "resolution"): ResolutionDoc,
    ("assumptions",): AssumptionDoc,
    ("assumptions", "evidence"): EvidenceDoc,
    ("assumptions", "resolution"): ResolutionDoc,
}


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
                    problems.append(Problem(f"unknown {wanted} {quote(ref)}{_suggest(ref, known)}", path))
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
    return m.Resolution(**doc.model_dump()) if doc is not None else None


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
                evidence=tuple(m.Evidence(**e.model_dump()) for e in a.evidence),
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

    try:
        document = Document.model_validate(data)
    except ValidationError as error:
        problems = [
            _short_path(locate(Problem(_message(e), tuple(e["loc"])), key=e["type"] == "extra_forbidden"))
            for e in error.errors(include_url=False)
        ]
        raise DocumentError(_sorted(problems)) from None
    structure = _structure_problems(document)
    if structure:
        raise DocumentError(_sorted([locate(problem) for problem in structure]))
    return _to_graph(document)


S = TypeVar("S", bound=BaseModel)


def parse_part(schema: type[S], data: Any, where: tuple[str, ...]) -> S:
    """Validate one part of a document on its own (a resolution, a check-in), or raise `DocumentError`.

    `where` is where such a part sits in a document (`("bets", "resolution")`), so messages and
    suggestions read as they would in a whole document; pointers are into the part.
    """
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        problems = [
            _short_path(Problem(_message({**e, "loc": (*where, *e["loc"])}), tuple(e["loc"])))
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


# --- dump -------------------------------------------------------------------------------------


def _compact(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Leave out what is empty or default, so a dumped document reads like a written one."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value in ((), "") or (key in defaults and defaults[key] == value):
            continue
        out[key] = value
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, m.Prescriptiveness):
        return value.label
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, m.Horizon):
        return value.text
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def header_to_data(graph: m.Graph) -> dict[str, Any]:
    """The `graph:` section of a graph's document, as plain data."""
    head: dict[str, Any] = {
        "slug": graph.slug,
        "title": graph.title,
        "description": graph.description,
        "as_of": graph.as_of,
        "visibility": graph.visibility,
        "lint": graph.lint.overrides() or None,
    }
    plain: dict[str, Any] = _deep_plain(_compact(head, {"visibility": m.Visibility.PRIVATE}))
    return plain


def bet_to_data(bet: m.Bet) -> dict[str, Any]:
    """One bet as it stands in a document, as plain data."""
    fields = {name: getattr(bet, name) for name in bet.__slots__}
    if bet.metric is not None:
        metric = {name: getattr(bet.metric, name) for name in bet.metric.__slots__}
        metric["checkins"] = tuple(
            _compact({"value": c.value, "date": c.date, "note": c.note}, {}) for c in metric["checkins"]
        )
        fields["metric"] = _compact(metric, {"direction": m.MetricDirection.UP})
    fields["resolution"] = _resolution_data(bet.resolution)
    plain: dict[str, Any] = _deep_plain(_compact(fields, {"status": m.Status.PROPOSED}))
    return plain


def assumption_to_data(assumption: m.Assumption) -> dict[str, Any]:
    """One assumption as it stands in a document, as plain data."""
    fields = {name: getattr(assumption, name) for name in assumption.__slots__}
    fields["evidence"] = tuple(
        _compact({name: getattr(e, name) for name in e.__slots__}, {"direction": m.Direction.SUPPORTS})
        for e in assumption.evidence
    )
    fields["resolution"] = _resolution_data(assumption.resolution)
    plain: dict[str, Any] = _deep_plain(_compact(fields, {}))
    return plain


def _resolution_data(resolution: m.Resolution | None) -> dict[str, Any] | None:
    if resolution is None:
        return None
    return _compact({name: getattr(resolution, name) for name in resolution.__slots__}, {})


def graph_to_data(graph: m.Graph) -> dict[str, Any]:
    """The document of a graph as plain data (dates stay dates): `graph_from_data(graph_to_data(g)) == g`."""
    return {
        "betgraph": FORMAT_VERSION,
        "graph": header_to_data(graph),
        "bets": [bet_to_data(bet) for bet in graph.bets],
        "assumptions": [assumption_to_data(assumption) for assumption in graph.assumptions],
    }


def _deep_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deep_plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_deep_plain(item) for item in value]
    return _plain(value)


class _Dumper(yaml.SafeDumper):
    pass


# libyaml's emitter is an order of magnitude faster on large graphs, but it writes characters
# beyond the Basic Multilingual Plane (emoji) as \U escapes; such documents take the Python one.
class _FastDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line text as a block. Text our YAML 1.2 reader would take for a number, bool or null
    # (`1e3`, `true`, `~`) is quoted here; PyYAML's emitter already quotes what YAML 1.1 readers
    # would misread (`no`, `2026-11-01`), so other tools read it back as text too.
    style = "|" if "\n" in value else None if reads_as_text(value) else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)
_FastDumper.add_representer(str, _str_representer)


def dump_yaml(graph: m.Graph) -> str:
    data = graph_to_data(graph)
    wide = any(ord(ch) > 0xFFFF for ch in json.dumps(data, ensure_ascii=False, default=str))
    dumper = _Dumper if wide else _FastDumper
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_json(graph: m.Graph) -> str:
    text = json.dumps(graph_to_data(graph), ensure_ascii=False, indent=2, default=_iso) + "\n"
    # These are legal in JSON strings but are line breaks to a YAML reader; escaped, they survive.
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
