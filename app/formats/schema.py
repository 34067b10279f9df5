"""The "bets as code" document's schema: Pydantic models whose validators read each field as a
document writes it, and the words in which their errors are told."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from app.domain import model as m
from app.domain.lint import INVALID_ALWAYS, RULES
from app.formats.problems import check_text
from app.formats.source import (
    QUOTED,
    Path,
    quote,
)

FORMAT_VERSION = 1
MAX_BETS = 10_000
MAX_ASSUMPTIONS = 10_000
MAX_TITLE = 1_000
MAX_TEXT = 20_000
MAX_CHECKINS = 1_000  # a weekly check-in for twenty years, in one JSON value per metric version

# --- field parsers: each raises ValueError with a predicate that reads after the field name ---

E = TypeVar("E", bound=Enum)


def suggest(value: Any, choices: Iterable[str]) -> str:
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
        raise ValueError(f"must be one of {', '.join(names)}; got {quote(value)}{suggest(value, names)}")

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
        f"must be one of {names} (a name or a number); got {quote(value)}{suggest(value, _PRESCRIPTIVENESS_NAMES)}"
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


MAX_RANK = 1_000_000  # a place in a column, 1 first: more than any column holds


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
    rank: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=MAX_RANK)] | None = None
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
    raise ValueError(f"names an unknown lint rule {quote(value)}{suggest(value, RULES)}")


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


def message_for(error: Mapping[str, Any]) -> str:
    loc: Path = tuple(error["loc"])
    kind: str = error["type"]
    value = error.get("input")
    name = _field_name(loc)
    if kind == "extra_forbidden":
        return f"unknown field {quote(name)}{suggest(name, _fields_of(loc))}"
    if kind == "string_unicode" and isinstance(value, str):  # a date, or a key of the mapping at `loc`
        return f"{name}: {quote(value)} {check_text(value) or 'is not text'}"
    if kind == "missing":
        return f"missing required field {quote(name)}"
    if kind == "value_error":
        return f"{name} {error['ctx']['error']}"
    if name == "rank" and kind in ("greater_than_equal", "less_than_equal"):
        return f"rank must be between 1 and {MAX_RANK:,}, got {quote(value)}"
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
