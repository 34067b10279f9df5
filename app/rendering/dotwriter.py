"""A small DOT writer: statements in order, every value quoted or an HTML-like label.

The `graphviz` package's Digraph quotes each id and attribute through several regular
expressions, which took about 0.4 s of a 2,000-bet map, and it silently treats any string that
starts with `<` and ends with `>` as HTML. Here the rule is explicit: a value is an HTML-like
label only when the caller passes `Html`, and everything else is written as a quoted string
that must already be escaped (see `escape.attribute_text`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Html(str):
    """An HTML-like label built by `dot.py` from escaped text: written as `<…>`."""

    __slots__ = ()


def _value(value: str) -> str:
    if isinstance(value, Html):
        return f"<{value}>"
    if '"' in value or "\n" in value:
        raise ValueError(f"unescaped DOT value {value!r}")  # a bug of ours, never user input
    return f'"{value}"'


def _attributes(attributes: dict[str, str]) -> str:
    return " ".join(f"{key}={_value(value)}" for key, value in attributes.items())


class DotWriter:
    def __init__(self, lines: list[str] | None = None, depth: int = 1) -> None:
        self._lines = lines if lines is not None else []
        self._indent = "\t" * depth
        self._depth = depth

    def attr(self, kind: str = "graph", **attributes: str) -> None:
        """Default attributes for the graph, nodes or edges from here on (`kind`: graph, node, edge)."""
        self._lines.append(f"{self._indent}{kind} [{_attributes(attributes)}]")

    def node(self, name: str, **attributes: str) -> None:
        self._lines.append(f'{self._indent}"{name}" [{_attributes(attributes)}]')

    def edge(self, tail: str, head: str, **attributes: str) -> None:
        self._lines.append(f'{self._indent}"{tail}" -> "{head}" [{_attributes(attributes)}]')

    @contextmanager
    def subgraph(self, name: str) -> Iterator[DotWriter]:
        self._lines.append(f'{self._indent}subgraph "{name}" {{')
        yield DotWriter(self._lines, self._depth + 1)
        self._lines.append(f"{self._indent}}}")

    def source(self, name: str = "betgraph") -> str:
        return f'digraph "{name}" {{\n' + "\n".join(self._lines) + "\n}\n"
