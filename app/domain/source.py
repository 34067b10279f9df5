"""Reading YAML (and so JSON, its subset) into plain data while remembering where each value was.

PyYAML's composer gives every node its line and column; we build the Python values ourselves
from that node tree so that each value keeps its place, and so that scalars follow the YAML 1.2
core schema: `no`, `on` and `2026-11-01` stay text unless a field asks for something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

# A document of 10,000 bets has about 300,000 nodes; far more can only come from alias bombs.
MAX_NODES = 2_000_000

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# The tags PyYAML's resolver gives plain scalars; we re-read those by the YAML 1.2 core schema.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))

try:  # The C parser is several times faster on large documents; both give the same nodes.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml is absent on some platforms
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based, as editors count
    column: int  # 1-based


@dataclass(frozen=True, slots=True)
class SourceError(Exception):
    message: str
    position: Position | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class SourceMap:
    """Where each value of the document stands: its path -> the position of its value and key."""

    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def value(self, path: Path) -> Position | None:
        """The value at `path`, or failing that the nearest enclosing value that exists."""
        for cut in range(len(path), -1, -1):
            found = self.values.get(path[:cut])
            if found is not None:
                return found
        return None

    def key(self, path: Path) -> Position | None:
        return self.keys.get(path) or self.value(path)


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    text: str = node.value
    # Plain scalars have no style (None from the Python parser, "" from libyaml).
    if node.style or node.tag == _STR_TAG:
        return text
    if node.tag not in _PLAIN_TAGS:
        raise SourceError(f"unsupported YAML tag {node.tag}", _position(node))
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


class _Builder:
    def __init__(self, source_map: SourceMap) -> None:
        self.map = source_map
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise SourceError("the document is too large (or expands too far through aliases)", _position(node))
        self.map.values.setdefault(path, _position(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if id(node) in self.active:
            raise SourceError("a YAML alias refers to itself", _position(node))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ_TAG:
                    raise SourceError(f"unsupported YAML tag {node.tag}", _position(node))
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != _MAP_TAG:
                    raise SourceError(f"unsupported YAML tag {node.tag}", _position(node))
                return dict(self._pairs(node, path))
            raise SourceError("unsupported YAML node", _position(node))  # pragma: no cover
        finally:
            self.active.discard(id(node))

    def _pairs(self, node: yaml.MappingNode, path: Path) -> Iterator[tuple[str, Any]]:
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError("mapping keys must be plain names", _position(key_node))
            if key_node.value == "<<" and not key_node.style:
                raise SourceError("YAML merge keys (<<) are not supported; write the fields out", _position(key_node))
            key = str(key_node.value)
            if key in seen:
                raise SourceError(f"duplicate key {key!r}", _position(key_node))
            seen.add(key)
            self.map.keys[(*path, key)] = _position(key_node)
            yield key, self.build(value_node, (*path, key))


def parse(text: str) -> tuple[Any, SourceMap]:
    """Parse YAML or JSON text into plain values and the position of each of them."""
    source_map = SourceMap()
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise SourceError(f"YAML syntax error: {problem}", position) from None
    except yaml.YAMLError as error:
        raise SourceError(f"YAML syntax error: {error}") from None
    if node is None:
        return None, source_map
    return _Builder(source_map).build(node, ()), source_map
