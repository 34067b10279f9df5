"""Reading YAML (and so JSON, its subset) into plain data while remembering where each value was.

PyYAML's composer gives every node its line and column; we build the Python values ourselves
from that node tree so that each value keeps its place, and so that scalars follow the YAML 1.2
core schema: `no`, `on` and `2026-11-01` stay text unless a field asks for something else.
"""

from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

# A document of 10,000 bets has about 300,000 nodes. Aliases may repeat a node, but an alias
# bomb repeats it exponentially: past this many repeated nodes the document is refused.
MAX_NODES = 1_000_000
MAX_REPEATS = 100_000
# Each use of an alias builds its value again, so a small document that repeats a large string
# thousands of times builds gigabytes. This caps what aliases add: characters of the keys and
# scalars they reach, plus one per node. A fixed cap rather than a multiple of the document's
# size: the document itself is bounded where it is read, sharing a team name or an evidence
# block needs kilobytes, and every copy is copied again by validation, so a multiple would let
# the largest documents cost the most.
MAX_EXPANSION = 4_000_000
# A document means at most six levels (bets, a bet, its metric, check-ins, a check-in, a value);
# building (ours, and PyYAML's pure-Python composer) recurses once per level.
MAX_DEPTH = 64
# An integer this long can only be a mistake, and Python refuses to read one past 4,300 digits
# (reading takes quadratic time).
MAX_DIGITS = 1_000
# Messages quote what was written cut to this many characters: an answer about a 100 KB value
# must not be 100 KB itself.
QUOTED = 80

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema).
_INT = re.compile(r"[-+]?[0-9]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_OCT = re.compile(r"0o[0-7]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_NULL = {"", "~", "null", "Null", "NULL"}
_NUMBER_START = frozenset("+-.0123456789")  # what every one of the patterns above starts with
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# Plain (unquoted, untagged) scalars get this tag from our resolver and are read by the core
# schema; PyYAML's own YAML 1.1 rules would make `no` a bool and leave `1e3` text.
_PLAIN_TAG = "tag:betgraph.dev,2026:plain"

# JSON writes characters outside the Basic Multilingual Plane as two escaped surrogates, which
# YAML (and libyaml) refuse; joined into one character first, they read as JSON means them.
_SURROGATES = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is much faster


# What PyYAML's resolver gives every other untagged node, with no path resolvers (we add none);
# asking it took a fifth of composing a document, for these three answers.
_DEFAULT_TAGS: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: _STR_TAG,
    yaml.SequenceNode: _SEQ_TAG,
    yaml.MappingNode: _MAP_TAG,
}


class _Loader(_Base):  # type: ignore[valid-type,misc]
    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN_TAG
        return _DEFAULT_TAGS[kind]


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based, as editors count
    column: int  # 1-based


class _Brief(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.fillvalue = "…"
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 4
        self.maxother = QUOTED

    def repr_str(self, x: str, level: int) -> str:
        # The start of a value, not reprlib's start...end: the start is what its author recognises.
        return repr(x[:QUOTED]) + ("…" if len(x) > QUOTED else "")

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() <= 200:
            return repr(x)
        # repr() of a long integer takes quadratic time, and past 4,300 digits raises
        return f"a whole number of about {int(x.bit_length() * math.log10(2)) + 1} digits"


_BRIEF = _Brief()


def quote(value: Any) -> str:
    """`value` as a message shows it: repr() of its first characters, a few hundred at most in all.

    repr() escapes what a message must not carry as it is (NUL bytes, lone surrogates).
    """
    shown = _BRIEF.repr(value)
    return shown if len(shown) <= 4 * QUOTED else shown[: 4 * QUOTED] + "…"


class SourceError(Exception):
    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class SourceSyntaxError(SourceError):
    """The text is not YAML (nor JSON, its subset) at all."""


@dataclass
class SourceMap:
    """Where each value of the document stands: its path -> the YAML node of its value and key.

    Positions are read from the nodes only when asked for, which is when something is wrong.
    """

    value_nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    key_nodes: dict[Path, yaml.Node] = field(default_factory=dict)

    def value(self, path: Path) -> Position | None:
        """The value at `path`, or failing that the nearest enclosing value that exists."""
        for cut in range(len(path), -1, -1):
            found = self.value_nodes.get(path[:cut])
            if found is not None:
                return _position(found)
        return None

    def key(self, path: Path) -> Position | None:
        found = self.key_nodes.get(path)
        return _position(found) if found is not None else self.value(path)


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def core_value(text: str) -> Any:
    """A plain scalar's value by the YAML 1.2 core schema.

    Raises `ValueError` for an integer of more than `MAX_DIGITS` digits.
    """
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text[0] not in _NUMBER_START:  # most scalars are words: no pattern below can match them
        return text
    if len(text) > MAX_DIGITS and (_INT.fullmatch(text) or _HEX.fullmatch(text) or _OCT.fullmatch(text)):
        raise ValueError(f"a whole number of more than {MAX_DIGITS:,} digits")
    if _INT.fullmatch(text):
        return int(text)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def reads_as_text(text: str) -> bool:
    """Whether `text`, written as a plain scalar, would be read back as the same text."""
    try:
        return isinstance(core_value(text), str)
    except ValueError:  # a number too long to read is still a number
        return False


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == _PLAIN_TAG:
        try:
            return core_value(node.value)
        except ValueError as error:
            raise SourceError(f"{error} cannot be read", _position(node)) from None
    if node.tag == _STR_TAG:  # quoted, block, or tagged !!str
        return node.value
    raise _unsupported_tag(node)


def _unsupported_tag(node: yaml.Node) -> SourceError:
    return SourceError(f"unsupported YAML tag {quote(node.tag)}", _position(node))


def _too_deep(node: yaml.Node) -> SourceError:
    return SourceError(f"the document is nested too deeply (more than {MAX_DEPTH} levels)", _position(node))


class _Builder:
    """Plain values from the node tree; with a source map, the node behind every path too."""

    def __init__(self, source_map: SourceMap | None) -> None:
        self.map = source_map
        self.count = 0
        self.repeats = 0
        self.built: set[int] = set()
        self.active: set[int] = set()
        self.depth = 0
        self.aliased = 0  # how many of the nodes being built were reached through an alias
        self.expansion = 0  # what aliases have added so far, in MAX_EXPANSION's units

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        repeated = id(node) in self.built
        if repeated:
            self.repeats += 1
        self.built.add(id(node))
        if self.count > MAX_NODES or self.repeats > MAX_REPEATS:
            raise SourceError("the document is too large (or expands too far through aliases)", _position(node))
        if repeated or self.aliased:
            self._expand(node, 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0))
        if self.map is not None:
            self.map.value_nodes.setdefault(path, node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if id(node) in self.active:
            raise SourceError("a YAML alias refers to itself", _position(node))
        if self.depth == MAX_DEPTH:
            raise _too_deep(node)
        self.active.add(id(node))
        self.depth += 1
        self.aliased += repeated
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ_TAG:
                    raise _unsupported_tag(node)
                if self.map is None:
                    return [self.build(item, path) for item in node.value]
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != _MAP_TAG:
                    raise _unsupported_tag(node)
                return self._mapping(node, path)
            raise SourceError("unsupported YAML node", _position(node))  # pragma: no cover
        finally:
            self.active.discard(id(node))
            self.depth -= 1
            self.aliased -= repeated

    def _expand(self, node: yaml.Node, amount: int) -> None:
        self.expansion += amount
        if self.expansion > MAX_EXPANSION:
            # The position is the anchored value: every use of an alias is that node again.
            raise SourceError(
                f"YAML aliases repeat this value too often (their copies pass {MAX_EXPANSION:,} characters)",
                _position(node),
            )

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError("mapping keys must be plain names", _position(key_node))
            key = str(key_node.value)
            if self.aliased:
                self._expand(key_node, len(key))
            if key == "<<" and not key_node.style:
                raise SourceError("YAML merge keys (<<) are not supported; write the fields out", _position(key_node))
            if key in out:
                raise SourceError(f"duplicate key {quote(key)}", _position(key_node))
            if self.map is None:
                out[key] = self.build(value_node, path)
            else:
                child = (*path, key)
                self.map.key_nodes[child] = key_node
                out[key] = self.build(value_node, child)
        return out


def _offset(text: str, index: int) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return Position(text.count("\n", 0, index) + 1, index - line_start + 1)


def _join_surrogates(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    return match.group(1) + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def parse(text: str, *, positions: bool = True) -> tuple[Any, SourceMap]:
    """Parse YAML or JSON text into plain values and, with `positions`, where each of them stands.

    Without positions the source map stays empty and parsing takes about half the time.
    """
    source_map = SourceMap()
    if "\\u" in text:
        text = _SURROGATES.sub(_join_surrogates, text)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else None
        problem = error.problem or error.context or "invalid YAML"
        if problem == "exceeded maximum nesting depth":  # libyaml's own limit, past a thousand levels
            raise SourceError(f"the document is nested too deeply (more than {MAX_DEPTH} levels)", position) from None
        raise SourceSyntaxError(f"YAML syntax error: {problem}", position) from None
    except yaml.YAMLError as error:
        raise SourceSyntaxError(f"YAML syntax error: {error}") from None
    except UnicodeEncodeError as error:
        # libyaml reads UTF-8, which has no lone surrogates ('\ud800'); only a caller's own
        # decoding (errors="surrogateescape") can put one in the text
        raise SourceError(
            "the text holds a lone surrogate, which is not a character", _offset(text, error.start)
        ) from None
    except RecursionError:  # PyYAML's pure-Python composer, without libyaml
        raise SourceError(f"the document is nested too deeply (more than {MAX_DEPTH} levels)") from None
    if node is None:
        return None, source_map
    return _Builder(source_map if positions else None).build(node, ()), source_map
