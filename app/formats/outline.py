"""Bets as a Markdown outline: an opportunity solution tree in headings (and, deeper, bullets).

    # Acme onboarding
    ## Outcome: Trial accounts reach their first payroll
    ### Opportunity: I don't know which plan fits me
    #### Solution: Plan quiz {#plan-quiz team=growth certainty=60%}
    - Assumption test: Owners answer five questions before they sign up

Nesting is the heading level (or, under a heading, the bullet indentation). A label before a
colon gives the kind (see `tree.LABELS`: solutions are initiatives, assumption tests are
assumptions of the bet above); without one, a bet is what usually sits under its parent in an
opportunity solution tree (`CHILD_KIND`). The first `#` heading without a label is the graph's
title, front matter may give its slug, title, as_of and the rest of its header, and prose under
a heading or bullet is that bet's description. A trailing `{#id key=value …}` (the attribute
syntax of Pandoc, kramdown and Python-Markdown) gives an id or fields.

The format carries the tree, ids, descriptions, the fields above and which bets rest on which
assumptions; not metrics, evidence or second parents.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.domain import model as m
from app.formats.problems import DocumentError, Problem
from app.formats.source import Position, SourceError, SourceMap, parse, reads_as_text
from app.formats.tree import (
    ASSUMPTION,
    ASSUMPTION_FIELDS,
    BET_FIELDS,
    LABELS,
    Node,
    PlacedMap,
    TreeBuilder,
    assumption_fields,
    bet_fields,
    field_name,
    field_value,
    graph_header,
    ids_to_write,
    label_key,
    one_line,
    primary_tree,
    slugify,
)
from app.formats.writing import header_to_data
from app.words import plural

# What an unlabelled heading or bullet is, by what it sits under: the opportunity solution tree
# (outcome → opportunity → solution → assumption test), below the levels above an outcome.
CHILD_KIND: dict[str | None, str] = {
    None: m.Kind.OUTCOME,
    m.Kind.VISION: m.Kind.STRATEGY,
    m.Kind.STRATEGY: m.Kind.GOAL,
    m.Kind.GOAL: m.Kind.OUTCOME,
    m.Kind.OUTCOME: m.Kind.OPPORTUNITY,
    m.Kind.OPPORTUNITY: m.Kind.INITIATIVE,
    m.Kind.HYPOTHESIS: m.Kind.INITIATIVE,
    m.Kind.INITIATIVE: ASSUMPTION,
}
WRITTEN_LABEL = {kind.value: kind.value.capitalize() for kind in m.Kind} | {ASSUMPTION: "Assumption"}

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)(.*)")
_BULLET = re.compile(r"([ \t]*)[-*+]([ \t]+|$)(.*)")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_CLOSING = re.compile(r"[ \t]+#+[ \t]*$")
_LABEL = re.compile(r"([^:]{1,30}):[ \t]*")
_VALUE = r'(?:"(?:[^"\\\n]|\\.)*"|[^\s"{}]+)'
_TOKEN = rf"(?:#[^\s\"{{}}=]+|\.[^\s\"{{}}=]+|[A-Za-z][\w-]*={_VALUE})"
_ATTRIBUTES = re.compile(rf"[ \t]*\{{((?:[ \t]*{_TOKEN})*)[ \t]*\}}[ \t]*$")
_ATTRIBUTE = re.compile(
    rf"[ \t]*(?:#(?P<id>[^\s\"{{}}=]+)|\.[^\s\"{{}}=]+|(?P<key>[A-Za-z][\w-]*)=(?P<value>{_VALUE}))"
)
# Lines of a description that a reader would take for structure get a backslash in front.
_ESCAPE = re.compile(r"#|[-*+](?:[ \t]|$)|```|~~~|\\")


@dataclass
class _Item:
    kind: str | None
    title: str
    column: int  # where the title starts
    explicit_id: str | None = None
    id_column: int = 0
    fields: list[tuple[str, str, int]] = field(default_factory=list)  # name, text, column


def _attributes(text: str, offset: int) -> tuple[str, _Item]:
    """Split `{#id key=value}` off the end of a heading or bullet's text."""
    item = _Item(None, "", 0)
    found = _ATTRIBUTES.search(text)
    if found is None:
        return text, item
    inner_start = found.start(1)
    for token in _ATTRIBUTE.finditer(found.group(1)):
        column = offset + inner_start + token.start() + len(token.group(0)) - len(token.group(0).lstrip()) + 1
        if token.group("id"):
            item.explicit_id, item.id_column = token.group("id"), column
        elif token.group("key"):
            value = token.group("value")
            if value.startswith('"'):
                value = re.sub(
                    r"\\(.)", lambda escape: "\n" if escape.group(1) == "n" else escape.group(1), value[1:-1]
                )
            item.fields.append((field_name(token.group("key")), value, column))
    return text[: found.start()], item


def _item(text: str, offset: int, *, heading: bool) -> _Item:
    text, item = _attributes(text, offset)
    if heading:
        text = _CLOSING.sub("", text)
    column = offset + 1
    label = _LABEL.match(text)
    if label and label_key(label.group(1)) in LABELS:
        item.kind = LABELS[label_key(label.group(1))]
        column += label.end()
        text = text[label.end() :]
    item.title = one_line(text)
    item.column = column + len(text) - len(text.lstrip())
    return item


def _indent(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


def _unescape(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("\\") and _ESCAPE.match(stripped[1:]):
        return line[: len(line) - len(stripped)] + stripped[1:]
    return line


def _block(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(_unescape(line) for line in lines)


@dataclass
class _Open:
    """A heading or bullet whose children and description are still being read."""

    depth: int  # heading level, or bullet indentation (under the heading above)
    node: Node | None  # None: the graph's title
    description: list[str] = field(default_factory=list)
    first_line: int = 0
    strip: int = 0  # spaces of indentation that belong to the bullet, not to its description


class _Reader:
    def __init__(self, builder: TreeBuilder) -> None:
        self.builder = builder
        self.headings: list[_Open] = []
        self.bullets: list[_Open] = []
        self.graph = _Open(0, None)
        self.title: tuple[str, Position] | None = None
        self.seen_heading = False
        self.previous_blank = False

    def current(self) -> _Open:
        return self.bullets[-1] if self.bullets else self.headings[-1] if self.headings else self.graph

    def close(self, opened: _Open) -> None:
        if opened.node is None:
            return
        text = _block([line[min(opened.strip, len(line) - len(line.lstrip(" "))) :] for line in opened.description])
        if text:
            self.builder.set_field(opened.node, "description", text, Position(opened.first_line, 1))

    def add(self, parent: Node | None, item: _Item, line: int) -> Node | None:
        kind = item.kind
        parent_kind = parent.kind if parent is not None else None
        if parent_kind == ASSUMPTION:
            self.builder.problem(
                "an assumption holds no bets or assumptions: nothing may sit under it", Position(line, 1)
            )
            return None
        if kind is None:
            kind = CHILD_KIND.get(parent_kind, m.Kind.INITIATIVE)
        if not item.title:
            self.builder.problem("this heading or item has no title", Position(line, item.column))
            return None
        place = Position(line, item.column)
        id_place = Position(line, item.id_column) if item.explicit_id else None
        if kind == ASSUMPTION:
            node = self.builder.assumption(parent, item.title, place, explicit_id=item.explicit_id, id_place=id_place)
            allowed: tuple[str, ...] = ASSUMPTION_FIELDS
        else:
            node = self.builder.bet(
                parent, m.Kind(kind), item.title, place, explicit_id=item.explicit_id, id_place=id_place
            )
            allowed = tuple(name for name in BET_FIELDS if name != "description")
        for name, text, column in item.fields:
            if name in allowed:
                self.builder.set_field(node, name, field_value(name, text), Position(line, column))
                continue
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            what = "an assumption" if kind == ASSUMPTION else "a bet"
            self.builder.problem(
                f"unknown attribute {name!r}{hint}; {what} takes {', '.join(allowed)}", Position(line, column)
            )
        return node

    def heading(self, level: int, text: str, line: int, offset: int) -> None:
        while self.bullets:
            self.close(self.bullets.pop())
        while self.headings and self.headings[-1].depth >= level:
            self.close(self.headings.pop())
        item = _item(text, offset, heading=True)
        first = not self.seen_heading
        self.seen_heading = True
        if first and level == 1 and item.kind is None and not item.explicit_id and not item.fields:
            self.title = (item.title, Position(line, item.column))
            return
        parent = self.headings[-1].node if self.headings else None
        node = self.add(parent, item, line)
        self.headings.append(_Open(level, node, first_line=line + 1))

    def bullet(self, indent: int, text: str, line: int, offset: int) -> None:
        while self.bullets and self.bullets[-1].depth >= indent:
            self.close(self.bullets.pop())
        parent = self.bullets[-1].node if self.bullets else self.headings[-1].node if self.headings else None
        item = _item(text, offset, heading=False)
        node = self.add(parent, item, line)
        self.bullets.append(_Open(indent, node, first_line=line + 1, strip=offset))

    def text(self, line_text: str, line: int) -> None:
        # After a blank line, prose no deeper than a bullet ends that bullet: it is about what is above.
        if self.previous_blank and line_text.strip():
            while self.bullets and _indent(line_text) <= self.bullets[-1].depth:
                self.close(self.bullets.pop())
        opened = self.current()
        if not opened.description:
            opened.first_line = line
        opened.description.append(line_text)

    def finish(self) -> None:
        for opened in (*self.bullets[::-1], *self.headings[::-1]):
            self.close(opened)


def _front_matter(lines: list[str], places: PlacedMap) -> tuple[dict[str, Any], int]:
    """The header from front matter, and the index of the first line after it."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    end = next((index for index in range(1, len(lines)) if lines[index].strip() in ("---", "...")), None)
    if end is None:
        raise DocumentError([Problem("the front matter that starts here is never closed by ---", (), Position(1, 1))])
    try:
        data, source_map = parse("\n".join(lines[1:end]))
    except SourceError as error:
        where = Position(error.position.line + 1, error.position.column) if error.position else Position(1, 1)
        raise DocumentError([Problem(f"front matter: {error.message}", (), where)]) from None
    if data is None:
        return {}, end + 1
    if not isinstance(data, dict):
        message = "front matter must be a mapping of graph fields (slug, title, as_of, …)"
        raise DocumentError([Problem(message, (), Position(2, 1))])
    for path, node in source_map.value_nodes.items():
        places.places[("graph", *path)] = Position(node.start_mark.line + 2, node.start_mark.column + 1)
    for path, node in source_map.key_nodes.items():
        places.key_places[("graph", *path)] = Position(node.start_mark.line + 2, node.start_mark.column + 1)
    return data, end + 1


def read_markdown(
    text: str, name: str = "", *, slug: str | None = None, title: str | None = None
) -> tuple[m.Graph, SourceMap]:
    """Read an outline into a graph, or raise `DocumentError` with each problem's line and column.

    `slug` and `title` win over the front matter and the title heading; `name`, the file's name,
    gives them when nothing else does.
    """
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    builder = TreeBuilder()
    places = PlacedMap()
    front, start = _front_matter(lines, places)
    reader = _Reader(builder)
    fence: str | None = None
    for index in range(start, len(lines)):
        line_text, line = lines[index], index + 1
        if fence is not None:
            reader.text(line_text, line)
            if line_text.strip().startswith(fence):
                fence = None
            continue
        heading = _HEADING.fullmatch(line_text)
        bullet = _BULLET.fullmatch(line_text)
        if heading:
            reader.heading(len(heading.group(1)), heading.group(2), line, heading.start(2))
        elif bullet:
            reader.bullet(_indent(bullet.group(1)), bullet.group(3), line, bullet.start(3))
        else:
            opening = _FENCE.match(line_text)
            fence = opening.group(1) if opening else None
            reader.text(line_text, line)
        reader.previous_blank = not line_text.strip()
    reader.finish()
    header = graph_header(name) | front
    description = _block(reader.graph.description)
    if description:
        if "description" in front:
            builder.problem("the graph's description is given twice: in the front matter and here", None)
        header["description"] = description
        places.places[("graph", "description")] = Position(reader.graph.first_line, 1)
    if reader.title and "title" not in front:
        header["title"] = reader.title[0]
        places.places[("graph", "title")] = reader.title[1]
    header |= {key: value for key, value in (("slug", slug), ("title", title)) if value}
    return builder.graph(header, places)


# --- writing ------------------------------------------------------------------------------------


class _FrontMatterDumper(yaml.SafeDumper):
    pass


def _front_matter_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML quotes what YAML 1.1 would misread; the front matter is read by the YAML 1.2 core
    # schema, which would take `1e3` or `~` for a number or null unless they are quoted too.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if reads_as_text(value) else "'")


_FrontMatterDumper.add_representer(str, _front_matter_str)


def _quote(value: str) -> str:
    if value and re.fullmatch(r'[^\s"{}\\]+', value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _line(label: str, title: str, explicit_id: str | None, fields: dict[str, str], *, heading: bool) -> str:
    text = f"{label}: {title}"
    if heading and _CLOSING.search(text):
        text += " #"  # the reader takes one closing sequence of #s off; this is that one
    attributes = ([f"#{explicit_id}"] if explicit_id else []) + [f"{k}={_quote(v)}" for k, v in fields.items()]
    if attributes or _ATTRIBUTES.search(text):
        text += " {" + " ".join(attributes) + "}"
    return text


def _escaped(description: str, indent: str) -> list[str]:
    lines: list[str] = []
    for line in description.split("\n"):
        stripped = line.lstrip()
        escaped = line[: len(line) - len(stripped)] + "\\" + stripped if _ESCAPE.match(stripped) else line
        lines.append(indent + escaped if escaped.strip() else "")
    return lines


MAX_HEADING_DEPTH = 5  # `##` to `######`; deeper bets are bullets


def _ids_to_write(graph: m.Graph, order: list[tuple[m.Bet, int]]) -> set[str]:
    # The order a reader meets things in: each bet, then the assumptions it is the first to rest
    # on; assumptions no bet rests on come last.
    met: list[tuple[str, str]] = []
    mentioned: set[str] = set()
    for bet, _ in order:
        met.append((bet.id, slugify(bet.title, bet.kind.value)))
        for assumption_id in bet.assumes:
            if assumption_id in graph.assumption_by_id and assumption_id not in mentioned:
                mentioned.add(assumption_id)
                met.append((assumption_id, slugify(graph.assumption_by_id[assumption_id].statement, ASSUMPTION)))
    met += [(a.id, slugify(a.statement, ASSUMPTION)) for a in graph.assumptions if a.id not in mentioned]
    explicit = ids_to_write(met)
    # A bet is found by its parent, kind and title, an assumption by its statement: where two
    # share those, only their ids tell them apart.
    seen: dict[tuple[str, str, str], str] = {}
    for bet, _ in order:
        key = (graph.parents[bet.id][0] if graph.parents[bet.id] else "", bet.kind.value, bet.title)
        if key in seen:
            explicit |= {seen[key], bet.id}
        seen.setdefault(key, bet.id)
    for assumption in graph.assumptions:
        key = ("", ASSUMPTION, assumption.statement)
        if key in seen:
            explicit |= {seen[key], assumption.id}
        seen.setdefault(key, assumption.id)
    return explicit


def _head(graph: m.Graph) -> list[str]:
    """Front matter with the header, then the title as the `#` heading when it reads back as one."""
    label = _LABEL.match(graph.title)
    title_heading = not (
        (label and label_key(label.group(1)) in LABELS)
        or _ATTRIBUTES.search(graph.title)
        or _CLOSING.search(graph.title)
    )
    front = {
        key: value
        for key, value in header_to_data(graph).items()
        if key != "description" and (key != "title" or not title_heading)
    }
    dumped = yaml.dump(front, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=1000)
    lines = ["---", dumped.rstrip("\n"), "---", ""]
    if title_heading:
        lines += [f"# {graph.title}", ""]
    if graph.description.strip():
        lines += [*_escaped(graph.description.strip("\n"), ""), ""]
    return lines


def write_markdown(graph: m.Graph) -> str:
    """An outline `read_markdown` reads back into the same tree, ids, descriptions and fields."""
    order = primary_tree(graph)
    explicit = _ids_to_write(graph, order)
    written: set[str] = set()

    def assumption_line(assumption: m.Assumption, prefix: str) -> str:
        fields = assumption_fields(assumption) if assumption.id not in written else {}
        written.add(assumption.id)
        explicit_id = assumption.id if assumption.id in explicit else None
        return prefix + _line("Assumption", assumption.statement, explicit_id, fields, heading=prefix.startswith("#"))

    out = _head(graph)
    for bet, depth in order:
        fields = {name: value for name, value in bet_fields(bet).items() if name != "description"}
        line = _line(
            WRITTEN_LABEL[bet.kind.value], bet.title, bet.id if bet.id in explicit else None, fields, heading=True
        )
        assumptions = [graph.assumption_by_id[a] for a in bet.assumes if a in graph.assumption_by_id]
        description = bet.description.strip("\n") if bet.description.strip() else ""
        if depth < MAX_HEADING_DEPTH:
            out += ["#" * (depth + 2) + " " + line, ""]
            out += [*_escaped(description, ""), ""] if description else []
            out += [*(assumption_line(a, "- ") for a in assumptions), ""] if assumptions else []
        else:
            indent = "  " * (depth - MAX_HEADING_DEPTH)
            out.append(
                indent
                + "- "
                + _line(
                    WRITTEN_LABEL[bet.kind.value],
                    bet.title,
                    bet.id if bet.id in explicit else None,
                    fields,
                    heading=False,
                )
            )
            out += _escaped(description, indent + "  ") if description else []
            out += [assumption_line(a, indent + "  - ") for a in assumptions]
    out += [assumption_line(a, "## ") for a in graph.assumptions if a.id not in written]
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def left_out(graph: m.Graph) -> list[str]:
    """What of `graph` an outline cannot hold, in words, so that a conversion can say so."""
    metrics = sum(1 for bet in graph.bets if bet.metric is not None)
    evidence = sum(len(assumption.evidence) for assumption in graph.assumptions)
    second = sum(len(parents[1:]) for parents in graph.parents.values())
    items: list[m.Bet | m.Assumption] = [*graph.bets, *graph.assumptions]
    resolved = sum(1 for item in items if item.resolution is not None)
    counts = (
        (metrics, "metric", None),
        (evidence, "piece of evidence", "pieces of evidence"),
        (second, "second parent", None),
        (resolved, "resolution", None),
    )
    return [plural(count, noun, many) for count, noun, many in counts if count]
