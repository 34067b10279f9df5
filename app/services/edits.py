"""One bet or assumption at a time: create, change, delete, guarded by the item's own revision.

The API, the viewer and the CLI all write through here. An item's version is the revision that
wrote its current state, so two people editing one bet cannot overwrite each other, while edits
to different bets never conflict: each applies to the graph as it is once the writers before it
have committed, since `row` is locked (`app.services.access.write_graph`). These functions never
commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.formats.document import graph_from_data
from app.formats.problems import DocumentError, Problem
from app.services.errors import ConflictError, InvalidError, NotFoundError, StaleError
from app.storage import graphs as storage
from app.storage.graphs import Writer
from app.storage.tables import GraphRow

Section = Literal["bets", "assumptions"]


@dataclass(frozen=True, slots=True)
class Written:
    revision: int  # the graph's head after the write
    version: int | None  # the item's version after the write (None once deleted)
    item: dict[str, Any] | None


def noun(section: Section) -> str:
    return section[:-1]


# No item has fields nested deeper than a few levels; a deeper patch is not one of ours, and
# merging it would recurse as deep as the sender likes.
MAX_PATCH_DEPTH = 16


def merge_patch(target: Any, patch: Any, depth: int = 0) -> Any:
    """RFC 7396 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return patch
    if depth >= MAX_PATCH_DEPTH:
        raise InvalidError([Problem(f"the patch is nested more than {MAX_PATCH_DEPTH} levels deep", ())])
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value, depth + 1)
    return result


def _relative(problems: tuple[Problem, ...], section: Section, index: int) -> list[Problem]:
    out = []
    for problem in problems:
        path = problem.path
        if path[:2] == (section, index):
            out.append(Problem(problem.message, path[2:]))
        else:
            out.append(Problem(f"{problem.message} (at {problem.pointer} in the graph)", ()))
    return out


def _index(data: dict[str, Any], section: Section, item_id: str) -> int:
    for index, item in enumerate(data[section]):
        if item["id"] == item_id:
            return index
    raise NotFoundError(f"no {noun(section)} {item_id!r}")


def _check_version(revisions: dict[str, int], section: Section, item_id: str, expected: int | None) -> None:
    if expected is not None and revisions.get(item_id) != expected:
        raise StaleError(f"{noun(section)} {item_id!r} changed since you read it")


def _write(
    session: Session,
    row: GraphRow,
    by: Writer | None,
    section: Section,
    change: Callable[[dict[str, Any], dict[str, int]], int | None],
    *,
    reason: str | None,
) -> int:
    """Apply `change` to the graph's document and save it as one revision.

    `change` edits the document in place and returns the index of the item it touched (None when
    it removed one); it raises for preconditions that fail.
    """
    data = storage.graph_data(session, row)
    current = graph_from_data(data)  # stored, so valid: it stands for save_graph's own read
    index = change(data, storage.item_revisions(session, row, section))
    try:
        graph = graph_from_data(data)
    except DocumentError as error:
        raise InvalidError(_relative(error.problems, section, -1 if index is None else index)) from None
    try:
        saved = storage.save_graph(session, graph, by=by, reason=reason, expected_head=row.head, current=current)
    except storage.ConflictError as error:  # only if a caller forgot to lock the row
        raise ConflictError(str(error)) from None
    return saved.revision


def read_item(
    session: Session, row: GraphRow, section: Section, item_id: str, revision: int | None = None
) -> tuple[dict[str, Any], int]:
    """The item as document data, and its version, at `revision` (the head by default)."""
    data = storage.graph_data(session, row, revision)
    item: dict[str, Any] = data[section][_index(data, section, item_id)]
    return item, storage.item_revisions(session, row, section, revision)[item_id]


def create_item(
    session: Session,
    row: GraphRow,
    section: Section,
    item: dict[str, Any],
    *,
    by: Writer | None,
    reason: str | None = None,
) -> Written:
    item_id = item.get("id")

    def add(data: dict[str, Any], _: dict[str, int]) -> int:
        if any(existing["id"] == item_id for existing in data["bets"] + data["assumptions"]):
            raise ConflictError(f"id {item_id!r} is already used in graph {row.slug!r}")
        data[section].append(item)
        return len(data[section]) - 1

    revision = _write(session, row, by, section, add, reason=reason)
    return Written(revision, revision, item)


def update_item(
    session: Session,
    row: GraphRow,
    section: Section,
    item_id: str,
    patch: dict[str, Any],
    *,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    """Apply a JSON Merge Patch to one item; `expected` is the version the writer read."""
    if "id" in patch and patch["id"] != item_id:
        raise InvalidError([Problem("id cannot change; create a new item and delete this one", ("id",))])
    return change_item(
        session,
        row,
        section,
        item_id,
        lambda item: merge_patch(item, patch),
        by=by,
        expected=expected,
        reason=reason,
    )


def change_item(
    session: Session,
    row: GraphRow,
    section: Section,
    item_id: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    """Replace one item by `change(item)`, applied to the item as stored when the write happens.

    `change` sees the item as the writers before this one left it (the graph is locked), so an
    edit that depends on what is there (a check-in added to the list) never loses another
    writer's edit; it raises to refuse.
    """
    changed: dict[str, Any] = {}

    def edit(data: dict[str, Any], revisions: dict[str, int]) -> int:
        index = _index(data, section, item_id)
        _check_version(revisions, section, item_id, expected)
        data[section][index] = change(data[section][index])
        changed.update(data[section][index])
        return index

    revision = _write(session, row, by, section, edit, reason=reason)
    version = storage.item_revisions(session, row, section).get(item_id, revision)
    return Written(revision, version, changed)


def delete_item(
    session: Session,
    row: GraphRow,
    section: Section,
    item_id: str,
    *,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    def remove(data: dict[str, Any], revisions: dict[str, int]) -> None:
        index = _index(data, section, item_id)
        _check_version(revisions, section, item_id, expected)
        field = "parents" if section == "bets" else "assumes"
        users = [bet["id"] for bet in data["bets"] if item_id in bet.get(field, [])]
        if users:
            raise ConflictError(f"{', '.join(users)} still name {item_id!r} in {field}")
        del data[section][index]

    return Written(_write(session, row, by, section, remove, reason=reason), None, None)


def change_header(
    session: Session, row: GraphRow, *, title: str, description: str, visibility: str, by: Writer | None
) -> int | None:
    """Set the graph's title, description and visibility (an owner's, `access.write_graph(need=OWNER)`);
    the new revision, or None when nothing changed. Checked as the whole document is."""
    data = storage.graph_data(session, row)
    current = graph_from_data(data)
    data["graph"] = {**data["graph"], "title": title, "description": description, "visibility": visibility}
    if not description:
        data["graph"].pop("description")
    try:
        graph = graph_from_data(data)
    except DocumentError as error:
        raise InvalidError(list(error.problems)) from None
    saved = storage.save_graph(session, graph, by=by, expected_head=row.head, current=current)
    return saved.revision if saved.changed else None
