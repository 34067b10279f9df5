"""Errors as RFC 9457 problem details (`application/problem+json`), from one place."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.formats.problems import Problem as DocumentProblem
from app.services import errors

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("betgraph")


class ProblemError(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        kind: str = "about:blank",
        errors: Iterable[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.errors = list(errors)
        self.headers = headers or {}


def problem_response(problem: ProblemError) -> JSONResponse:
    body: dict[str, Any] = {"type": problem.kind, "title": problem.title, "status": problem.status}
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors:
        body["errors"] = problem.errors
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers)


def document_errors(problems: Iterable[DocumentProblem]) -> list[dict[str, Any]]:
    """Each problem with its JSON pointer, and its YAML line and column when it has them."""
    errors = []
    for problem in problems:
        entry: dict[str, Any] = {"message": problem.message, "pointer": problem.pointer}
        if problem.position is not None:
            entry |= {"line": problem.position.line, "column": problem.position.column}
        errors.append(entry)
    return errors


def invalid_document(problems: Iterable[DocumentProblem], detail: str = "") -> ProblemError:
    errors = document_errors(problems)
    return ProblemError(
        422,
        "The document is not valid",
        detail or "; ".join(e["message"] for e in errors[:3]),
        kind="urn:betgraph:problem:invalid-document",
        errors=errors,
    )


def problem_for(error: errors.ServiceError) -> ProblemError:
    """The one mapping from what a service refused to the API's answer."""
    message = error.message
    match error:
        case errors.NotFoundError():
            return ProblemError(404, "Not found", message)
        case errors.UnauthenticatedError():
            return ProblemError(
                401, "Authentication required", message, headers={"WWW-Authenticate": 'Bearer realm="betgraph"'}
            )
        case errors.ForbiddenError():
            return ProblemError(403, "Forbidden", message)
        case errors.ConflictError():
            return ProblemError(409, "Conflict", message)
        case errors.StaleError():
            return ProblemError(412, "Precondition failed", message)
        case errors.InvalidError():
            return invalid_document(error.problems, message)
        case errors.InvalidParameterError():
            return invalid_parameter(error.name, message)
        case errors.BusyError() | errors.UnavailableError():
            title = "Busy" if isinstance(error, errors.BusyError) else "Service unavailable"
            return ProblemError(503, title, message, headers={"Retry-After": str(error.retry_after)})
    return ProblemError(500, "Internal error", "The error was logged; nothing was changed.")


def invalid_parameter(name: str, message: str, where: str = "query") -> ProblemError:
    return ProblemError(
        422, "The request is not valid", message, errors=[{"message": message, "pointer": f"/{where}/{name}"}]
    )


def http_problem(error: StarletteHTTPException) -> ProblemError:
    """Starlette's and FastAPI's own refusals (404 for no route, 405, a body that did not parse…)."""
    title = HTTPStatus(error.status_code).phrase if error.status_code in _STATUSES else "Error"
    detail = error.detail if isinstance(error.detail, str) and error.detail != title else ""
    return ProblemError(error.status_code, title, detail, headers=dict(error.headers or {}))


_STATUSES = {status.value for status in HTTPStatus}


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error)

    @app.exception_handler(errors.ServiceError)
    async def _refused(_: Request, error: errors.ServiceError) -> JSONResponse:
        return problem_response(problem_for(error))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "message": item.get("msg", "invalid"),
                "pointer": "/" + "/".join(str(part) for part in item.get("loc", ())),
            }
            for item in error.errors()
        ]
        return problem_response(
            ProblemError(422, "The request is not valid", errors[0]["message"] if errors else "", errors=errors)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(http_problem(error))

    # Not under Exception: Starlette answers through that handler and then raises again, so
    # uvicorn closes the connection, and a client's next request on it fails; an outage is an
    # answer like any other, and its connection stays open for the retry it asks for.
    @app.exception_handler(SQLAlchemyError)
    async def _database(_: Request, error: SQLAlchemyError) -> JSONResponse:
        outage = errors.infrastructure_error(error)
        if outage is None:
            raise error  # a bug, not an outage: the handler below logs it and answers 500
        log.warning("database: %s", error.__class__.__name__)
        return problem_response(problem_for(outage))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return problem_response(ProblemError(500, "Internal error", "The error was logged; nothing was changed."))
