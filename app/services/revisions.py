"""What a revision changed, in the shape of `app.domain.diff.diff_data`, whenever it was recorded.

Revisions are recorded from the domain's diff, so /revisions, /diff and the viewer say the same.
Revisions recorded before that kept each field's values as [before, after] pairs; they are read
into the same shape here, so readers see one shape.
"""

from __future__ import annotations

from typing import Any


def changes_of(stored: dict[str, Any]) -> dict[str, Any]:
    if "reordered" in stored:  # recorded from the domain's diff
        return {key: value for key, value in stored.items() if key != "created"}
    sections = {section: _legacy_section(stored.get(section, {})) for section in ("bets", "assumptions")}
    graph = {name: {"before": pair[0], "after": pair[1]} for name, pair in stored.get("graph", {}).items()}
    graph.pop("ordering", None)  # the order was stored as a field of the graph then
    empty = not graph and not any(any(section.values()) for section in sections.values())
    return {"empty": empty, "graph": graph, "reordered": [], **sections}


def _legacy_section(stored: dict[str, Any]) -> dict[str, Any]:
    changed = []
    for item, fields in sorted(stored.get("changed", {}).items()):
        pairs = {name: {"before": pair[0], "after": pair[1]} for name, pair in fields.items()}
        lines = [f"{name} {_shown(pair[0])} → {_shown(pair[1])}" for name, pair in fields.items()]
        changed.append({"id": item, "fields": pairs, "lines": lines})
    return {"added": stored.get("added", []), "removed": stored.get("removed", []), "changed": changed}


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)
