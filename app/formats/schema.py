"""The "bets as code" document's schema: Pydantic models whose validators read each field as a
document writes it, and the words in which their errors are told."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
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

# --- patterns: what the parsers below take, written once for them and for the JSON Schema --------
# JSON Schema patterns are ECMAScript regular expressions; these read the same in Python's `re`.

# What str.strip() and str.split() take away (str.isspace), spelled out: ECMAScript's `\s` differs.
SPACE_CHARS = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SPACE = f"[{SPACE_CHARS}]"
# Control characters a text may not hold (a tab and a newline it may).
CONTROL_CHARS = r"\x00-\x08\x0b-\x1f\x7f"
TEXT_PATTERN = f"^[^{CONTROL_CHARS}]*$"
# A title is one line once its runs of whitespace are one space each, and holds something else.
TITLE_PATTERN = f"^[^{CONTROL_CHARS}]*[^{CONTROL_CHARS}{SPACE_CHARS}][^{CONTROL_CHARS}]*$"
_PERCENT_RE = re.compile(f"{SPACE}*([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+){SPACE}*%{SPACE}*")
# The same percentages, 0% to 100%, as a pattern (a range is for the parser to check, or for this).
PERCENT_PATTERN = f"^{SPACE}*0*(?:100(?:\\.0*)?|[0-9]{{1,2}}(?:\\.[0-9]*)?|\\.[0-9]+){SPACE}*%{SPACE}*$"
DURATION_PATTERN = f"^{SPACE}*{m.HORIZON_PATTERN}{SPACE}*$"
# A date with spaces around it: only its shape can be checked, `format: date` takes no spaces.
SPACED_DATE_PATTERN = f"^(?:{SPACE}+{m.DATE_PATTERN}{SPACE}*|{SPACE}*{m.DATE_PATTERN}{SPACE}+)$"
# urlsplit reads the scheme in any case; the host is what comes before the first / ? or #.
_URL_CHARS = f"{CONTROL_CHARS}{SPACE_CHARS}<>\"'`"
URL_PATTERN = f"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#{_URL_CHARS}][^{_URL_CHARS}]*$"
_URL_RE = re.compile(URL_PATTERN)
MAX_URL = 2048
# The one character outside ASCII that str.lower() turns into an ASCII letter (KELVIN SIGN -> k).
_FOLDS = {"k": r"\u212a"}


def any_case(words: Iterable[str]) -> str:
    """A pattern taking each word in any case, with surrounding whitespace, as `.strip().lower()` reads it."""

    def letters(word: str) -> str:
        assert re.fullmatch("[a-z-]+", word), word  # nothing else needs escaping
        return "".join(f"[{ch}{ch.upper()}{_FOLDS.get(ch, '')}]" if ch != "-" else ch for ch in word)

    return f"^{SPACE}*(?:{'|'.join(letters(word) for word in words)}){SPACE}*$"


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
    if isinstance(value, str) and (match := _PERCENT_RE.fullmatch(value)):
        number = float(match.group(1)) / 100
        if not 0 <= number <= 1:
            raise ValueError(f"must be between 0% and 100%, got {number * 100:g}%")
        return round(number, 6)
    raise ValueError(f"must be a number between 0 and 1 or a percentage such as 70%, got {quote(value)}")


def _date(value: Any) -> dt.date:
    # A date object comes from storage; text is read in one form only (no timestamps, no week dates).
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and m.DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:  # no such day
            pass
    raise ValueError(f"must be an ISO date (YYYY-MM-DD), got {quote(value)}")


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
    if isinstance(value, str) and len(value) <= MAX_URL and _URL_RE.fullmatch(value):
        urlsplit(value)  # raises ValueError for a host in brackets that is no IPv6 address
        return value
    raise ValueError(f"must be an http or https URL, got {quote(value)}")


# Control characters other than tab and newline; one search instead of a test per character, which
# was a tenth of reading a 2,000-bet document.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


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
        if _CONTROL.search(text):
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


# WithJsonSchema: what each field takes as a document writes it, in the friendly forms the parsers
# read too; the document's JSON Schema (app.formats.jsonschema) and the OpenAPI document use it.
def _text_schema(limit: int, pattern: str = TEXT_PATTERN) -> dict[str, Any]:
    # A number is text too (`title: 2026`), as the parsers read it.
    return {"type": ["string", "number"], "maxLength": limit, "pattern": pattern}


def _choice_schema(values: list[str]) -> dict[str, Any]:
    # Listed as written for editors to offer, and in any case with spaces around, as _enum reads them.
    return {"anyOf": [{"type": "string", "enum": values}, {"type": "string", "pattern": any_case(values)}]}


def _one_or_list(item: dict[str, Any]) -> dict[str, Any]:
    # One text is read as a list of one (_listify): `parents: vision`; one number is not.
    return {"anyOf": [{**item, "type": "string"}, {"type": "array", "items": item}]}


_SLUG_SCHEMA = {"type": "string", "pattern": f"^{m.SLUG_PATTERN}$"}
_URL_SCHEMA = {"type": "string", "maxLength": MAX_URL, "pattern": URL_PATTERN}
_SHORT_SCHEMA = _text_schema(200)

Slug = Annotated[str, BeforeValidator(_slug), WithJsonSchema(_SLUG_SCHEMA)]
Certainty = Annotated[
    float,
    BeforeValidator(_certainty),
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
    BeforeValidator(_horizon),
    WithJsonSchema(
        {
            "type": "string",
            "anyOf": [{"pattern": DURATION_PATTERN}, {"format": "date"}, {"pattern": SPACED_DATE_PATTERN}],
        }
    ),
]
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]
Title = Annotated[str, BeforeValidator(_title), WithJsonSchema(_text_schema(MAX_TITLE, TITLE_PATTERN))]
Text = Annotated[str, BeforeValidator(_text(MAX_TEXT)), WithJsonSchema(_text_schema(MAX_TEXT))]
Short = Annotated[str, BeforeValidator(_text(200)), WithJsonSchema(_SHORT_SCHEMA)]
# An empty optional text is left out; null is not text (`owner:` alone is refused).
OptionalShort = Annotated[str | None, BeforeValidator(_optional_text(200)), WithJsonSchema(_text_schema(200))]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text(MAX_TEXT)), WithJsonSchema(_text_schema(MAX_TEXT))]
OptionalTitleLength = Annotated[
    str | None, BeforeValidator(_optional_text(MAX_TITLE)), WithJsonSchema(_text_schema(MAX_TITLE))
]
Number = Annotated[float, BeforeValidator(_number), WithJsonSchema({"type": "number"})]
Url = Annotated[str, BeforeValidator(_url), WithJsonSchema(_URL_SCHEMA)]
SlugList = Annotated[list[Slug], BeforeValidator(_listify), WithJsonSchema(_one_or_list(_SLUG_SCHEMA))]
Importance = Annotated[
    int, BeforeValidator(_whole), Field(ge=1, le=5), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 5})
]
MAX_RANK = 1_000_000  # a place in a column, 1 first: more than any column holds
Rank = Annotated[
    int,
    BeforeValidator(_whole),
    Field(ge=1, le=MAX_RANK),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_RANK}),
]


def _choice(cls: type[E]) -> tuple[BeforeValidator, WithJsonSchema]:
    return BeforeValidator(_enum(cls)), WithJsonSchema(_choice_schema([str(member.value) for member in cls]))


KindField = Annotated[m.Kind, *_choice(m.Kind)]
DebateField = Annotated[m.Debate, *_choice(m.Debate)]
StatusField = Annotated[m.Status, *_choice(m.Status)]
VerdictField = Annotated[m.Verdict, *_choice(m.Verdict)]
CategoryField = Annotated[m.Category, *_choice(m.Category)]
EvidenceKindField = Annotated[m.EvidenceKind, *_choice(m.EvidenceKind)]
EvidenceLevelField = Annotated[m.EvidenceLevel, *_choice(m.EvidenceLevel)]
DirectionField = Annotated[m.Direction, *_choice(m.Direction)]
MetricDirectionField = Annotated[m.MetricDirection, *_choice(m.MetricDirection)]
VisibilityField = Annotated[m.Visibility, *_choice(m.Visibility)]
_PRESCRIPTIVENESS_LABELS = [member.label for member in m.Prescriptiveness]
PrescriptivenessField = Annotated[
    m.Prescriptiveness,
    BeforeValidator(_prescriptiveness),
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
        BeforeValidator(_listify),
        WithJsonSchema(_one_or_list(_SHORT_SCHEMA)),
        _about("Words to find and filter it by: one or a list.", ["mobile", "q3"], "mobile"),
    ] = []
    links: Annotated[
        list[Url],
        BeforeValidator(_listify),
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


def _rule(value: Any) -> str:
    if isinstance(value, str) and value in RULES:
        return value
    if isinstance(value, str) and value in INVALID_ALWAYS:
        raise ValueError(f"cannot disable {value!r}: a document with {INVALID_ALWAYS[value]} is never valid")
    raise ValueError(f"names an unknown lint rule {quote(value)}{suggest(value, RULES)}")


_RULE_SCHEMA = {"type": "string", "enum": list(RULES)}


_LINT = m.LintSettings()  # the thresholds a graph that says nothing of them lints with


class LintDoc(_Schema):
    """How this graph is linted: rules switched off, and the thresholds of the rules that take one."""

    disable: Annotated[
        list[Annotated[str, BeforeValidator(_rule)]],
        BeforeValidator(_listify),
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
        BeforeValidator(_version),
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
