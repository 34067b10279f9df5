"""How each field of a "bets as code" document is read as a document writes it: the parsers behind
the schema's models (app.formats.schema) and the reader made from them (app.formats.records), and the
patterns the document's JSON Schema shares with them. Nothing here imports pydantic: a valid document
is read without it (see app.formats.records).

Each parser raises ValueError with a predicate that reads after the field name."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlsplit

from app.domain import model as m
from app.domain.lint import INVALID_ALWAYS, RULES
from app.formats.problems import check_text
from app.formats.source import QUOTED, quote

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
PERCENT_RE = re.compile(f"{SPACE}*([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+){SPACE}*%{SPACE}*")
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
FOLDS = {"k": r"\u212a"}


def any_case(words: Iterable[str]) -> str:
    """A pattern taking each word in any case, with surrounding whitespace, as `.strip().lower()` reads it."""

    def letters(word: str) -> str:
        assert re.fullmatch("[a-z-]+", word), word  # nothing else needs escaping
        return "".join(f"[{ch}{ch.upper()}{FOLDS.get(ch, '')}]" if ch != "-" else ch for ch in word)

    return f"^{SPACE}*(?:{'|'.join(letters(word) for word in words)}){SPACE}*$"


# --- field parsers: each raises ValueError with a predicate that reads after the field name ---

E = TypeVar("E", bound=Enum)


def suggest(value: Any, choices: Iterable[str]) -> str:
    if not isinstance(value, str) or len(value) > QUOTED:  # nothing that long is a typo of a name
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def enum_parser(cls: type[E]) -> Callable[[Any], E]:
    names = [str(member.value) for member in cls]

    def parse_member(value: Any) -> E:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if str(member.value) == key:
                    return member
        raise ValueError(f"must be one of {', '.join(names)}; got {quote(value)}{suggest(value, names)}")

    return parse_member


def parse_certainty(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # compared before float(), which overflows on an integer past 1e308
        if not 0 <= value <= 1:
            raise ValueError(f"must be between 0 and 1, got {quote(value)}")
        return float(value)
    if isinstance(value, str) and (match := PERCENT_RE.fullmatch(value)):
        number = float(match.group(1)) / 100
        if not 0 <= number <= 1:
            raise ValueError(f"must be between 0% and 100%, got {number * 100:g}%")
        return round(number, 6)
    raise ValueError(f"must be a number between 0 and 1 or a percentage such as 70%, got {quote(value)}")


def parse_date(value: Any) -> dt.date:
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


def parse_prescriptiveness(value: Any) -> m.Prescriptiveness:
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


def parse_horizon(value: Any) -> m.Horizon:
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


def parse_slug(value: Any) -> str:
    if isinstance(value, str) and m.SLUG_RE.fullmatch(value):
        return value
    raise ValueError(
        "must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
        f"at most 63 characters; got {quote(value)}"
    )


def parse_url(value: Any) -> str:
    if isinstance(value, str) and (problem := check_text(value)):
        raise ValueError(problem)
    if isinstance(value, str) and len(value) <= MAX_URL and _URL_RE.fullmatch(value):
        urlsplit(value)  # raises ValueError for a host in brackets that is no IPv6 address
        return value
    raise ValueError(f"must be an http or https URL, got {quote(value)}")


# Control characters other than tab and newline; one search instead of a test per character, which
# was a tenth of reading a 2,000-bet document.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def text_parser(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
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

    return parse


def optional_text_parser(limit: int) -> Callable[[Any], str | None]:
    read = text_parser(limit)

    def parse_optional(value: Any) -> str | None:
        # An empty optional field says nothing: it is stored, and dumped, as absent.
        text = read(value)
        return text if text.strip() else None

    return parse_optional


def parse_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, got {quote(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer past 1e308
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {quote(value)}")
    return number


def parse_whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, got {quote(value)}")
    return value


def parse_version(value: Any) -> int:
    if isinstance(value, bool) or value != FORMAT_VERSION:
        raise ValueError(f"must be {FORMAT_VERSION} (the document format version), got {quote(value)}")
    return FORMAT_VERSION


_title_text = text_parser(MAX_TITLE)


def parse_title(value: Any) -> str:
    text = _title_text(value)
    # A title is one line: newlines would break the label grid of a diagram.
    text = " ".join(text.split())
    if not text:
        raise ValueError("must not be empty")
    return text


def listify(value: Any) -> Any:
    # `parents: vision` is read as `parents: [vision]`: the common one-parent case stays short.
    return [value] if isinstance(value, str) else value


def parse_rule(value: Any) -> str:
    if isinstance(value, str) and value in RULES:
        return value
    if isinstance(value, str) and value in INVALID_ALWAYS:
        raise ValueError(f"cannot disable {value!r}: a document with {INVALID_ALWAYS[value]} is never valid")
    raise ValueError(f"names an unknown lint rule {quote(value)}{suggest(value, RULES)}")


# Each field's parser by a name of its own: the models name them, and so does the reader made from
# them (app.formats.records), which can only call what it can import.
SHORT = 200
parse_text = text_parser(MAX_TEXT)
parse_short = text_parser(SHORT)
parse_optional_short = optional_text_parser(SHORT)
parse_optional_text = optional_text_parser(MAX_TEXT)
parse_optional_title_length = optional_text_parser(MAX_TITLE)
parse_kind = enum_parser(m.Kind)
parse_debate = enum_parser(m.Debate)
parse_status = enum_parser(m.Status)
parse_verdict = enum_parser(m.Verdict)
parse_category = enum_parser(m.Category)
parse_evidence_kind = enum_parser(m.EvidenceKind)
parse_evidence_level = enum_parser(m.EvidenceLevel)
parse_direction = enum_parser(m.Direction)
parse_metric_direction = enum_parser(m.MetricDirection)
parse_visibility = enum_parser(m.Visibility)
