"""A graph as a document again: plain data, YAML and JSON, reading like a written one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

import yaml

from app.domain import model as m
from app.formats.schema import FORMAT_VERSION
from app.formats.source import (
    reads_as_text,
)

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
