"""/api/graphs/{slug}/bets and /assumptions: one item at a time, with ETag and If-Match.

An item's ETag is the revision that wrote its current version, so two clients editing the
same bet cannot overwrite each other (412), while edits to different bets of one graph never
conflict: a write that loses the race for the graph's head is simply applied again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Response
from sqlalchemy.orm import Session

from app.api.deps import Principal, PrincipalDep, SessionDep, require_writer, tag_matches
from app.api.graphs import readable
from app.api.problems import ProblemError, invalid_document
from app.domain.document import AssumptionDoc, BetDoc, DocumentError, Problem, graph_from_data
from app.storage import graphs as storage
from app.storage.tables import GraphRow

Section = Literal["bets", "assumptions"]
ATTEMPTS = 5  # writes to other items of the same graph may move its head meanwhile


def _item_tag(prefix: str, revision: int) -> str:
    return f'"{prefix}{revision}"'


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def _relative(problems: tuple[Problem, ...], section: Section, index: int) -> list[Problem]:
    """Pointers into the item itself where a problem is about it; into the graph otherwise."""
    out = []
    for problem in problems:
        path = problem.path
        if path[:2] == (section, index):
            out.append(Problem(problem.message, path[2:]))
        else:
            out.append(Problem(f"{problem.message} (at {problem.pointer} in the graph)", ()))
    return out


def _write(
    session: Session,
    row: GraphRow,
    writer: Principal,
    section: Section,
    change: Callable[[dict[str, Any], dict[str, int]], int | None],
) -> int:
    """Apply `change` to the graph's document and save it; retried when another write moved the head.

    `change` edits the document in place and returns the index of the item it touched (None when
    it removed one); it raises ProblemError for preconditions that fail.
    """
    for _ in range(ATTEMPTS):
        session.refresh(row)
        data = storage.graph_data(session, row)
        current = graph_from_data(data)  # stored, so valid: it stands for save_graph's own read
        index = change(data, storage.item_revisions(session, row, section))
        try:
            graph = graph_from_data(data)
        except DocumentError as error:
            raise invalid_document(_relative(error.problems, section, -1 if index is None else index)) from None
        try:
            with session.begin_nested():
                saved = storage.save_graph(
                    session, graph, token_id=writer.token_id, expected_head=row.head, current=current
                )
        except storage.ConflictError:
            continue
        return saved.revision
    raise ProblemError(409, "Conflict", "the graph kept changing; try again")


def _router(  # noqa: PLR0915 - one route per verb, closed over the section
    section: Section, schema: type[BetDoc] | type[AssumptionDoc], prefix: str
) -> APIRouter:
    router = APIRouter(prefix=f"/api/graphs/{{slug}}/{section}", tags=[section])
    noun = section[:-1]

    def find(data: dict[str, Any], item_id: str) -> int:
        for index, item in enumerate(data[section]):
            if item["id"] == item_id:
                return index
        raise ProblemError(404, "Not found", f"no {noun} {item_id!r}")

    @router.get("", name=f"list_{section}")
    def list_items(
        slug: str,
        session: SessionDep,
        principal: PrincipalDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        after: Annotated[str, Query(max_length=63)] = "",
    ) -> dict[str, Any]:
        row = readable(session, slug, principal)
        items = sorted(storage.graph_data(session, row)[section], key=lambda item: item["id"])
        page = [item for item in items if item["id"] > after][: limit + 1]
        return {"items": page[:limit], "next": page[limit - 1]["id"] if len(page) > limit else None}

    @router.get("/{item_id}", name=f"get_{noun}")
    def get_item(
        slug: str, item_id: str, session: SessionDep, principal: PrincipalDep, response: Response
    ) -> dict[str, Any]:
        row = readable(session, slug, principal)
        data = storage.graph_data(session, row)
        item: dict[str, Any] = data[section][find(data, item_id)]
        response.headers["ETag"] = _item_tag(prefix, storage.item_revisions(session, row, section)[item_id])
        return item

    body = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema.__name__}"}}},
        }
    }

    @router.post("", status_code=201, name=f"create_{noun}", openapi_extra=body)
    def create_item(
        slug: str,
        item: Annotated[dict[str, Any], Body()],
        session: SessionDep,
        principal: PrincipalDep,
        response: Response,
    ) -> dict[str, Any]:
        row = readable(session, slug, principal)
        writer = require_writer(principal, slug, row)
        item_id = item.get("id")

        def add(data: dict[str, Any], _: dict[str, int]) -> int:
            if any(existing["id"] == item_id for existing in data["bets"] + data["assumptions"]):
                raise ProblemError(409, "Conflict", f"id {item_id!r} is already used in graph {slug!r}")
            data[section].append(item)
            return len(data[section]) - 1

        revision = _write(session, row, writer, section, add)
        response.headers["ETag"] = _item_tag(prefix, revision)
        response.headers["Location"] = f"/api/graphs/{slug}/{section}/{item_id}"
        return item

    @router.patch("/{item_id}", name=f"update_{noun}")
    def update_item(
        slug: str,
        item_id: str,
        patch: Annotated[dict[str, Any], Body(description="a JSON Merge Patch (RFC 7396) of the item")],
        session: SessionDep,
        principal: PrincipalDep,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        row = readable(session, slug, principal)
        writer = require_writer(principal, slug, row)
        if "id" in patch and patch["id"] != item_id:
            raise invalid_document([Problem("id cannot change; create a new item and delete this one", ("id",))])
        changed: dict[str, Any] = {}

        def edit(data: dict[str, Any], revisions: dict[str, int]) -> int:
            index = find(data, item_id)
            if if_match is not None and not tag_matches(if_match, _item_tag(prefix, revisions[item_id])):
                raise ProblemError(412, "Precondition failed", f"{noun} {item_id!r} changed since you read it")
            data[section][index] = _merge_patch(data[section][index], patch)
            changed.update(data[section][index])
            return index

        revision = _write(session, row, writer, section, edit)
        current = storage.item_revisions(session, row, section).get(item_id, revision)
        response.headers["ETag"] = _item_tag(prefix, current)
        return changed

    @router.delete("/{item_id}", status_code=204, name=f"delete_{noun}")
    def delete_item(
        slug: str,
        item_id: str,
        session: SessionDep,
        principal: PrincipalDep,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        row = readable(session, slug, principal)
        writer = require_writer(principal, slug, row)

        def remove(data: dict[str, Any], revisions: dict[str, int]) -> None:
            index = find(data, item_id)
            if if_match is not None and not tag_matches(if_match, _item_tag(prefix, revisions[item_id])):
                raise ProblemError(412, "Precondition failed", f"{noun} {item_id!r} changed since you read it")
            field = "parents" if section == "bets" else "assumes"
            users = [bet["id"] for bet in data["bets"] if item_id in bet.get(field, [])]
            if users:
                raise ProblemError(409, "Conflict", f"{', '.join(users)} still name {item_id!r} in {field}")
            del data[section][index]

        _write(session, row, writer, section, remove)
        return Response(status_code=204)

    return router


bets = _router("bets", BetDoc, "b")
assumptions = _router("assumptions", AssumptionDoc, "a")
