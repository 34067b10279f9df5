"""What a revision changed, in the shape of `app.domain.diff.diff_data`, whenever it was recorded;
and who wrote it, as far as a caller may know.

Revisions are recorded from the domain's diff, so /revisions, /diff and the viewer say the same.
Revisions recorded before that kept each field's values as [before, after] pairs; they are read
into the same shape here, so readers see one shape.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from app.services.access import Caller
from app.storage.history import Author


def shown_author(author: Author | None, caller: Caller | None) -> Author | None:
    """Who wrote a revision, as `caller` may read it. A token's label often names a person or a
    machine: only callers with a token (or a sign-in) read it, or the person's name and address,
    never every anonymous reader of a public graph."""
    if author is None or caller is not None:
        return author
    return dataclasses.replace(author, label="", person=None)


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
