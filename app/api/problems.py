"""Errors as RFC 9457 problem details (`application/problem+json`), from one place."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.document import Problem as DocumentProblem

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


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error)

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
        title = error.detail if isinstance(error.detail, str) else "Error"
        return problem_response(ProblemError(error.status_code, title, headers=dict(error.headers or {})))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return problem_response(ProblemError(500, "Internal error", "The error was logged; nothing was changed."))
