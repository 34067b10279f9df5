"""The "bets as code" document's schema: Pydantic models whose validators are the parsers of
app.formats.fields, and the words in which their errors are told.

The models are the one source of the document's structure: the JSON Schema is made from them, and so
is app.formats.records, which reads a valid document without importing pydantic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from app.domain import model as m
from app.domain.lint import RULES
from app.formats import fields as f
from app.formats.fields import (
    DURATION_PATTERN,
    FORMAT_VERSION,
    MAX_ASSUMPTIONS,
    MAX_BETS,
    MAX_CHECKINS,
    MAX_TEXT,
    MAX_TITLE,
    MAX_URL,
    PERCENT_PATTERN,
    SHORT,
    SPACED_DATE_PATTERN,
    TEXT_PATTERN,
    TITLE_PATTERN,
    URL_PATTERN,
    any_case,
    suggest,
)
from app.formats.problems import check_text
from app.formats.source import Path, quote

__all__ = ["FORMAT_VERSION", "MAX_ASSUMPTIONS", "MAX_BETS", "MAX_CHECKINS", "MAX_TEXT", "MAX_TITLE", "suggest"]


# WithJsonSchema: what each field takes as a document writes it, in the friendly forms the parsers
# read too; the document's JSON Schema (app.formats.jsonschema) and the OpenAPI document use it.
def _text_schema(limit: int, pattern: str = TEXT_PATTERN) -> dict[str, Any]:
    # A number is text too (`title: 2026`), as the parsers read it.
    return {"type": ["string", "number"], "maxLength": limit, "pattern": pattern}


def _choice_schema(values: list[str]) -> dict[str, Any]:
    # Listed as written for editors to offer, and in any case with spaces around, as the enum parsers read them.
    return {"anyOf": [{"type": "string", "enum": values}, {"type": "string", "pattern": any_case(values)}]}


def _one_or_list(item: dict[str, Any]) -> dict[str, Any]:
    # One text is read as a list of one (listify): `parents: vision`; one number is not.
    return {"anyOf": [{**item, "type": "string"}, {"type": "array", "items": item}]}


_SLUG_SCHEMA = {"type": "string", "pattern": f"^{m.SLUG_PATTERN}$"}
_URL_SCHEMA = {"type": "string", "maxLength": MAX_URL, "pattern": URL_PATTERN}
_SHORT_SCHEMA = _text_schema(SHORT)

Slug = Annotated[str, BeforeValidator(f.parse_slug), WithJsonSchema(_SLUG_SCHEMA)]
Certainty = Annotated[
    float,
    BeforeValidator(f.parse_certainty),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": PERCENT_PATTERN},
            ]
        }
    ),
]
HorizonField = Annotated[
    m.Horizon,
    BeforeValidator(f.parse_horizon),
    WithJsonSchema(
        {
            "type": "string",
            "anyOf": [{"pattern": DURATION_PATTERN}, {"format": "date"}, {"pattern": SPACED_DATE_PATTERN}],
        }
    ),
]
Date = Annotated[dt.date, BeforeValidator(f.parse_date), WithJsonSchema({"type": "string", "format": "date"})]
Title = Annotated[str, BeforeValidator(f.parse_title), WithJsonSchema(_text_schema(MAX_TITLE, TITLE_PATTERN))]
Text = Annotated[str, BeforeValidator(f.parse_text), WithJsonSchema(_text_schema(MAX_TEXT))]
Short = Annotated[str, BeforeValidator(f.parse_short), WithJsonSchema(_SHORT_SCHEMA)]
# An empty optional text is left out; null is not text (`owner:` alone is refused).
OptionalShort = Annotated[str | None, BeforeValidator(f.parse_optional_short), WithJsonSchema(_text_schema(SHORT))]
OptionalText = Annotated[str | None, BeforeValidator(f.parse_optional_text), WithJsonSchema(_text_schema(MAX_TEXT))]
OptionalTitleLength = Annotated[
    str | None, BeforeValidator(f.parse_optional_title_length), WithJsonSchema(_text_schema(MAX_TITLE))
]
Number = Annotated[float, BeforeValidator(f.parse_number), WithJsonSchema({"type": "number"})]
Url = Annotated[str, BeforeValidator(f.parse_url), WithJsonSchema(_URL_SCHEMA)]
SlugList = Annotated[list[Slug], BeforeValidator(f.listify), WithJsonSchema(_one_or_list(_SLUG_SCHEMA))]
Importance = Annotated[
    int,
    BeforeValidator(f.parse_whole),
    Field(ge=1, le=5),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 5}),
]
MAX_RANK = 1_000_000  # a place in a column, 1 first: more than any column holds
Rank = Annotated[
    int,
    BeforeValidator(f.parse_whole),
    Field(ge=1, le=MAX_RANK),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_RANK}),
]


def _choice(parse: Callable[[Any], Enum], cls: type[Enum]) -> tuple[BeforeValidator, WithJsonSchema]:
    return BeforeValidator(parse), WithJsonSchema(_choice_schema([str(member.value) for member in cls]))


KindField = Annotated[m.Kind, *_choice(f.parse_kind, m.Kind)]
DebateField = Annotated[m.Debate, *_choice(f.parse_debate, m.Debate)]
StatusField = Annotated[m.Status, *_choice(f.parse_status, m.Status)]
VerdictField = Annotated[m.Verdict, *_choice(f.parse_verdict, m.Verdict)]
CategoryField = Annotated[m.Category, *_choice(f.parse_category, m.Category)]
EvidenceKindField = Annotated[m.EvidenceKind, *_choice(f.parse_evidence_kind, m.EvidenceKind)]
EvidenceLevelField = Annotated[m.EvidenceLevel, *_choice(f.parse_evidence_level, m.EvidenceLevel)]
DirectionField = Annotated[m.Direction, *_choice(f.parse_direction, m.Direction)]
MetricDirectionField = Annotated[m.MetricDirection, *_choice(f.parse_metric_direction, m.MetricDirection)]
VisibilityField = Annotated[m.Visibility, *_choice(f.parse_visibility, m.Visibility)]
_PRESCRIPTIVENESS_LABELS = [member.label for member in m.Prescriptiveness]
PrescriptivenessField = Annotated[
    m.Prescriptiveness,
    BeforeValidator(f.parse_prescriptiveness),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": len(_PRESCRIPTIVENESS_LABELS)},
                *_choice_schema(_PRESCRIPTIVENESS_LABELS)["anyOf"],
            ]
        }
    ),
]


def _about(description: str, *examples: Any) -> Any:
    """A field's description and examples: what editors show on hover and docs/document.md tabulates."""
    return Field(description=description, examples=list(examples))


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, allow_inf_nan=False)


class CheckInDoc(_Schema):
    """One measurement of a metric."""

    value: Annotated[Number, _about("What was measured.", 38, 12.5)]
    date: Annotated[Date, _about("When it was measured.", "2026-10-26")]
    note: Annotated[OptionalTitleLength, _about("What goes with the number.", "after the new invite email")] = None


class MetricDoc(_Schema):
    """What a goal or an outcome measures, and where it stands."""

    name: Annotated[Title, _about("What is measured.", "new companies running their first payroll within two days")]
    unit: Annotated[OptionalShort, _about("The unit of the values.", "%", "companies a week")] = None
    direction: Annotated[MetricDirectionField, _about("Which way is better: up (the default) or down.", "down")] = (
        m.MetricDirection.UP
    )
    baseline: Annotated[Number | None, _about("Where it stood when the bet was made.", 22)] = None
    target: Annotated[Number | None, _about("Where it should get to.", 45)] = None
    # With check-ins, `current` is the latest one's value: it may be left out, and must agree if given.
    current: Annotated[
        Number | None,
        _about(
            "Where it stands now. With check-ins it is the latest check-in's value: leave it out, or make them agree.",
            31,
        ),
    ] = None
    checkins: Annotated[
        list[CheckInDoc],
        Field(max_length=MAX_CHECKINS),
        _about(
            "Measurements over time; the latest by date (of one day's, the last listed) is the current value.",
            [
                {"value": 28, "date": "2026-10-12"},
                {"value": 31, "date": "2026-10-26", "note": "after the invite email"},
            ],
        ),
    ] = []


class ResolutionDoc(_Schema):
    """Closing the loop on a bet or an assumption: how it turned out and how sure we had been."""

    verdict: Annotated[VerdictField, _about("How it turned out.", "validated")]
    learned: Annotated[
        OptionalText, _about("What we learned, in Markdown.", "Owners finish setup when asked by email.")
    ] = None
    committed_certainty: Annotated[
        Certainty | None,
        _about(
            "The certainty it had when it was committed to (a bet made active); calibration compares it with "
            "the verdict, while the item's own certainty may have moved since.",
            0.7,
            "70%",
        ),
    ] = None
    resolved_on: Annotated[Date | None, _about("When it was resolved.", "2026-10-30")] = None


class EvidenceDoc(_Schema):
    """Something that makes an assumption more or less likely."""

    kind: Annotated[EvidenceKindField, _about("Data (numbers) or an insight (what people said or did).", "data")]
    summary: Annotated[Title, _about("What it says, in one line.", "41% of churned accounts never finished setup")]
    level: Annotated[
        EvidenceLevelField | None,
        _about("How strong it is: Itamar Gilad's confidence meter, weakest first.", "market-data"),
    ] = None
    direction: Annotated[
        DirectionField, _about("Whether it supports (the default) or refutes the assumption.", "refutes")
    ] = m.Direction.SUPPORTS
    url: Annotated[
        Url | None, _about("Where it can be read: an http or https URL.", "https://example.org/churn-study")
    ] = None
    date: Annotated[Date | None, _about("When it was found.", "2026-09-15")] = None


class BetDoc(_Schema):
    """A bet: something the organisation does or aims for, nested under what it contributes to."""

    id: Annotated[Slug, _about("The bet's id, unique across the graph's bets and assumptions.", "self-serve")]
    kind: Annotated[
        KindField,
        _about(
            "Where it sits in a product-led organisation. A goal is an OKR objective, an outcome a key result (a "
            "measurable change in customer behaviour), a hypothesis is discovery and an initiative delivery.",
            "goal",
        ),
    ]
    title: Annotated[Title, _about("What the bet is, in one line.", "Small businesses onboard without a call")]
    description: Annotated[Text, _about("More about it, in Markdown.", "Owners set up payroll alone, at night.")] = ""
    parents: Annotated[
        SlugList,
        _about(
            "The bets it contributes to, by id: one or a list. The first is primary (layout and roll-ups); "
            "parents that form a cycle make the document invalid.",
            ["vision"],
            "vision",
        ),
    ] = []
    assumes: Annotated[
        SlugList, _about("The assumptions it rests on, by id: one or a list.", ["setup-pain"], "setup-pain")
    ] = []
    horizon: Annotated[
        HorizonField | None,
        _about(
            "When it should pay off: a duration from the graph's as_of (a whole number of up to three digits and "
            "d, w, m, q or y: days, weeks, months, quarters or years) or an ISO date.",
            "6w",
            "3m",
            "2q",
            "1y",
            "2027-03-31",
        ),
    ] = None
    certainty: Annotated[
        Certainty | None,
        _about(
            "How sure we are that it pays off as intended: 0 to 1, or a percentage. Left out, it is unknown, "
            "and neither raises nor lowers a chain.",
            0.5,
            "70%",
        ),
    ] = None
    prescriptiveness: Annotated[
        PrescriptivenessField | None,
        _about(
            "How much of the how is decided for the people doing it, by name or by number: explore is 1, prescribed 5.",
            "outcome",
            3,
        ),
    ] = None
    debate: Annotated[DebateField | None, _about("Whether it is up for debate.", "open")] = None
    review_by: Annotated[Date | None, _about("When it must be looked at again.", "2026-12-15")] = None
    status: Annotated[StatusField, _about("Where it stands.", "active")] = m.Status.PROPOSED
    owner: Annotated[OptionalShort, _about("Who answers for it.", "Ana")] = None
    team: Annotated[
        OptionalShort, _about("The team working on it: the team view and the board's lanes.", "onboarding")
    ] = None
    rank: Annotated[
        Rank | None,
        _about("Its place in its column of the board, 1 first; unranked bets come after the ranked ones.", 1),
    ] = None
    tags: Annotated[
        list[Short],
        BeforeValidator(f.listify),
        WithJsonSchema(_one_or_list(_SHORT_SCHEMA)),
        _about("Words to find and filter it by: one or a list.", ["mobile", "q3"], "mobile"),
    ] = []
    links: Annotated[
        list[Url],
        BeforeValidator(f.listify),
        WithJsonSchema(_one_or_list(_URL_SCHEMA)),
        _about("Where more can be read: http or https URLs, one or a list.", ["https://example.org/wiki/onboarding"]),
    ] = []
    metric: Annotated[
        MetricDoc | None,
        _about(
            "What it moves, for goals and outcomes.",
            {"name": "weekly active companies", "unit": "companies", "baseline": 120, "target": 200},
        ),
    ] = None
    verdict: Annotated[OptionalText, _about("Closing the loop in words: how it turned out.", "Setup time halved.")] = (
        None
    )
    learned: Annotated[
        OptionalText, _about("Closing the loop in words: what we learned.", "Nobody reads the guide.")
    ] = None
    resolution: Annotated[
        ResolutionDoc | None,
        _about(
            "Closing the loop as a record: the verdict, what was learned, the certainty committed to and when.",
            {"verdict": "validated", "committed_certainty": 0.6, "resolved_on": "2026-10-30"},
        ),
    ] = None


class AssumptionDoc(_Schema):
    """A belief a bet rests on: Kniberg's data → insight → belief → bet."""

    id: Annotated[Slug, _about("The assumption's id, unique across the graph's bets and assumptions.", "setup-pain")]
    statement: Annotated[
        Title,
        _about('What we believe, in one line: "We believe that …".', "Customers churn because setup takes too long"),
    ]
    certainty: Annotated[
        Certainty | None, _about("How sure we are that it holds: 0 to 1, or a percentage.", 0.3, "30%")
    ] = None
    importance: Annotated[Importance | None, _about("How bad it is if it is wrong, from 1 to 5.", 5)] = None
    category: Annotated[CategoryField | None, _about("What kind of risk it is.", "desirability")] = None
    debate: Annotated[DebateField | None, _about("Whether it is up for debate.", "contested")] = None
    review_by: Annotated[Date | None, _about("When it must be looked at again.", "2026-12-15")] = None
    evidence: Annotated[
        list[EvidenceDoc],
        _about(
            "What makes it more or less likely.",
            [{"kind": "data", "summary": "41% of churned accounts never finished setup", "level": "market-data"}],
        ),
    ] = []
    resolution: Annotated[
        ResolutionDoc | None,
        _about("Closing the loop: whether it held, and what was learned.", {"verdict": "invalidated"}),
    ] = None


_RULE_SCHEMA = {"type": "string", "enum": list(RULES)}


_LINT = m.LintSettings()  # the thresholds a graph that says nothing of them lints with


class LintDoc(_Schema):
    """How this graph is linted: rules switched off, and the thresholds of the rules that take one."""

    disable: Annotated[
        list[Annotated[str, BeforeValidator(f.parse_rule)]],
        BeforeValidator(f.listify),
        WithJsonSchema(_one_or_list(_RULE_SCHEMA)),
        _about("Lint rules not to run on this graph, by name: one or a list.", ["multi-parent"], "stale-review"),
    ] = []
    false_certainty: Annotated[Certainty, _about("false-certainty: a bet claimed at least this sure…", 0.9, "85%")] = (
        _LINT.false_certainty
    )
    false_certainty_chain: Annotated[
        Certainty, _about("false-certainty: …whose chain certainty is below this.", 0.05)
    ] = _LINT.false_certainty_chain
    unsupported_assumption: Annotated[
        Certainty,
        _about("unsupported-assumption: an assumption held at least this sure with no supporting evidence.", 0.6),
    ] = _LINT.unsupported_assumption
    long_horizon: Annotated[
        HorizonField,
        _about("overprescribed-long-horizon: a guided or prescribed bet paying off further out than this.", "18m"),
        Field(json_schema_extra={"default": _LINT.long_horizon.text}),  # as written, not the parsed value
    ] = _LINT.long_horizon


class GraphDoc(_Schema):
    """The graph itself: what it is called, who may read it, and how it is linted."""

    slug: Annotated[
        Slug,
        _about(
            "The graph's id in URLs: lowercase letters, digits and hyphens, starting with a letter or a digit, "
            "at most 63 characters.",
            "acme",
        ),
    ]
    title: Annotated[Title, _about("The graph's name, in one line.", "Acme product map")]
    description: Annotated[Text, _about("What the graph is about, in Markdown.", "Where Acme's product is going.")] = ""
    as_of: Annotated[
        Date | None,
        _about("The date relative horizons and review dates are read against; today when left out.", "2026-11-01"),
    ] = None
    visibility: Annotated[
        VisibilityField,
        _about("Who may read it: private (the default) only those it is shared with, public anyone.", "public"),
    ] = m.Visibility.PRIVATE
    lint: Annotated[
        LintDoc | None, _about("How the graph is linted.", {"disable": ["multi-parent"], "long_horizon": "18m"})
    ] = None


class Document(_Schema):
    """A Betgraph document: a graph of bets and the assumptions they rest on ("bets as code")."""

    betgraph: Annotated[
        int,
        BeforeValidator(f.parse_version),
        WithJsonSchema({"type": "integer", "const": FORMAT_VERSION}),
        _about("The document format's version.", FORMAT_VERSION),
    ]
    graph: Annotated[GraphDoc, _about("The graph itself.", {"slug": "acme", "title": "Acme product map"})]
    bets: Annotated[
        list[BetDoc],
        Field(max_length=MAX_BETS),
        _about(
            "The bets: vision, strategies, goals, outcomes, opportunities, hypotheses and initiatives.",
            [{"id": "vision", "kind": "vision", "title": "Payroll in five minutes", "horizon": "5y"}],
        ),
    ] = []
    assumptions: Annotated[
        list[AssumptionDoc],
        Field(max_length=MAX_ASSUMPTIONS),
        _about(
            "The assumptions the bets rest on.",
            [{"id": "setup-pain", "statement": "Customers churn because setup takes too long", "certainty": 0.3}],
        ),
    ] = []


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
