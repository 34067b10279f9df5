"""docs/document.md, written from the code: the fields from the JSON Schema (the models' descriptions),
the lint rules with an example each, the analysis and the visual grammar, around the hand-written
prose of docs/document.md.j2.

`python -m app.formats.docs` writes it; `--check` only says whether the committed file is current.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import sys
from dataclasses import dataclass
from typing import Any

import jinja2

from app.domain import analysis, lint
from app.domain.model import SLUG_PATTERN, Prescriptiveness
from app.formats import fields
from app.formats.document import load
from app.formats.generated import ROOT, write_or_check
from app.formats.jsonschema import SCHEMA_ID, document_schema
from app.formats.source import reads_as_text
from app.formats.starter import STARTER
from app.rendering import style
from app.words import percent

DOCS = ROOT / "docs"
TARGET = DOCS / "document.md"
TEMPLATE = "document.md.j2"
LINT_EXAMPLES = DOCS / "lint"
# Lint examples are read against this day, though each names its own as_of.
TODAY = dt.date(2026, 11, 1)

# Each model's section, in the order of the page, and the anchor it is linked by.
SECTIONS = {
    "GraphDoc": "graph",
    "LintDoc": "graph.lint",
    "BetDoc": "bets",
    "MetricDoc": "metric",
    "CheckInDoc": "checkins",
    "ResolutionDoc": "resolution",
    "AssumptionDoc": "assumptions",
    "EvidenceDoc": "evidence",
}
# What the patterns the parsers share with the schema take, in words.
_PATTERN_WORDS = {
    f"^{SLUG_PATTERN}$": "an id: a slug",
    fields.PERCENT_PATTERN: "a percentage (`70%`)",
    fields.DURATION_PATTERN: "a duration (`6w`, `3m`, `2q`, `1y`)",
    fields.SPACED_DATE_PATTERN: "",  # a date, said by its `format: date` beside it
    fields.URL_PATTERN: "an http or https URL",
    fields.TEXT_PATTERN: "text",
    fields.TITLE_PATTERN: "one line of text",
}


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    description: str
    takes: str
    examples: str


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    description: str
    fields: list[Field]


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    summary: str
    example: str
    findings: list[str]


def cell(text: str) -> str:
    """Text safe in a Markdown table's cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def flow(value: Any) -> str:
    """A value as a YAML flow scalar, list or mapping, as a document would write it."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    if isinstance(value, str):
        plain = re.fullmatch(r"[A-Za-z0-9][\w./%@' -]*", value) and reads_as_text(value) and ": " not in value
        return value if plain and not value.endswith(" ") else json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def _is_any_case(schema: dict[str, Any]) -> bool:
    # the pattern beside an enum that takes its values in any case (schema.any_case)
    return schema.get("type") == "string" and "pattern" in schema and schema["pattern"] not in _PATTERN_WORDS


def takes(schema: dict[str, Any]) -> str:
    """What a field's schema takes, in words; ValueError for a form this does not know, so a new one is seen."""
    if "$ref" in schema:
        name = SECTIONS[schema["$ref"].rsplit("/", 1)[-1]]
        return f"a mapping: see [{name}](#{name.replace('.', '')})"
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return ", ".join(f"`{value}`" for value in schema["enum"])
    if "anyOf" in schema and "type" not in schema:
        branches = [branch for branch in schema["anyOf"] if branch != {"type": "null"}]
        nullable = " (or null)" if len(branches) < len(schema["anyOf"]) else ""
        array = branches[-1]
        if len(branches) == 2 and array.get("type") == "array" and branches[0] == {**array["items"], "type": "string"}:
            return f"one or a list of: {takes(array['items'])}{nullable}"
        any_case = " (in any case)" if any(_is_any_case(branch) for branch in branches) else ""
        listed = [takes(branch) for branch in branches if not _is_any_case(branch)]
        return " or ".join(listed) + any_case + nullable
    kind = schema.get("type")
    if kind == "array":
        limit = f"; at most {schema['maxItems']:,}" if "maxItems" in schema else ""
        return f"a list of: {takes(schema['items'])}{limit}"
    if kind == "string" and "anyOf" in schema:  # patterns and formats of one string
        return " or ".join(filter(None, (takes({"type": "string", **branch}) for branch in schema["anyOf"])))
    if schema.get("format") == "date":
        return "a date (YYYY-MM-DD)"
    if "pattern" in schema and schema["pattern"] not in _PATTERN_WORDS:
        raise ValueError(f"a pattern with no words: {schema['pattern']}")
    words = _PATTERN_WORDS.get(schema.get("pattern", ""), "text")
    if kind == ["string", "number"]:
        limit = f", at most {schema['maxLength']:,} characters" if "maxLength" in schema else ""
        return f"{words} (a number is read as text){limit}"
    if kind == "string":
        return words
    if kind in ("number", "integer"):
        noun = "a number" if kind == "number" else "a whole number"
        return f"{noun} from {schema['minimum']:,} to {schema['maximum']:,}" if "minimum" in schema else noun
    raise ValueError(f"a schema with no words: {schema}")


def sections() -> list[Section]:
    schema = document_schema()
    found = []
    for model, anchor in SECTIONS.items():
        definition = schema["$defs"][model]
        required = set(definition.get("required", []))
        fields = []
        for name, field in definition["properties"].items():
            text = takes(field)
            if "default" in field and field["default"] not in (None, [], ""):
                text += f"; `{flow(field['default'])}` when left out"
            examples = ", ".join(f"`{flow(example)}`" for example in field["examples"])
            fields.append(Field(name, name in required, field["description"], text, examples))
        found.append(Section(anchor, anchor, definition["description"], fields))
    return found


def rules() -> list[Rule]:
    """Every lint rule with its example document and what lint says of it."""
    found = []
    for name, (severity, _, summary) in lint.RULES.items():
        example = (LINT_EXAMPLES / f"{name}.yaml").read_text()
        graph, _ = load(example)
        findings = [finding.message for finding in lint.lint(graph, TODAY) if finding.rule == name]
        found.append(Rule(name, severity.label, summary, example, findings))
    return found


def _border(border: style.Border) -> str:
    words = [word for word in border.style.split(",") if word != "solid"]
    if border.peripheries > 1:
        words.append("double")
    if border.penwidth > style.BORDERS[Prescriptiveness.OUTCOME].penwidth:
        words.append("bold")
    return " ".join(words) or "solid"


def _chain() -> dict[str, str]:
    graph, _ = load((LINT_EXAMPLES / "false-certainty.yaml").read_text())
    chain = analysis.why_chain(graph, "self-serve")
    return {
        "certainty": percent(chain.certainty),
        "path": " → ".join(f"`{node}`" for node in chain.path),
        "weakest": chain.weakest or "",
    }


def render() -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(DOCS),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - Markdown, not HTML; table cells go through `cell`
    )
    environment.filters["cell"] = cell
    return environment.get_template(TEMPLATE).render(
        sections=sections(),
        rules=rules(),
        invalid_always=lint.INVALID_ALWAYS,
        schema_id=SCHEMA_ID,
        modeline=STARTER.splitlines()[0],
        chain=_chain(),
        support_doc=inspect.getdoc(analysis.support),
        weakest_doc=inspect.getdoc(analysis.weakest_link),
        bands=[band.label for band in style.BANDS],
        unattached=style.UNATTACHED.label,
        ramp=style.CERTAINTY_RAMP,
        unknown_fill=style.UNKNOWN_FILL,
        shapes=[(str(kind), style.shape_words(kind)) for kind in style.SHAPES],
        borders=[(p.value, p.label, _border(border)) for p, border in style.BORDERS.items()],
        unstated=f"{_border(style.UNSTATED_BORDER)}, thinner",
        debate=list(style.DEBATE_MARKERS.values()),
        lint_colour=style.LINT,
        weakest_colour=style.WEAKEST,
        max_problems=50,
        limits={"bets": fields.MAX_BETS, "assumptions": fields.MAX_ASSUMPTIONS, "checkins": fields.MAX_CHECKINS},
    )


def main(argv: list[str]) -> int:
    return write_or_check(argv, TARGET, render, "app.formats.docs")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
