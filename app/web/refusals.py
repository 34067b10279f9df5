"""What a service refused, as the viewer says it: an error page with the status it deserves."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.services import errors


class PageError(Exception):
    def __init__(self, status: int, title: str, detail: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.headers = headers or {}


def page_error(error: errors.ServiceError) -> PageError:
    """The one mapping from what a service refused to the viewer's answer."""
    message = error.message
    match error:
        case errors.NotFoundError():
            return PageError(404, "Not found", f"{message[:1].upper()}{message[1:]}, or it is not yours to see.")
        case errors.UnauthenticatedError():
            title = "Sign in to edit" if error.writing else "Sign in to see this graph"
            return PageError(401, title, f"{message[:1].upper()}{message[1:]}.")
        case errors.ForbiddenError():
            return PageError(403, "Not yours to change", f"{message[:1].upper()}{message[1:]}.")
        case errors.ConflictError():
            return PageError(409, "Nothing was saved", message)
        case errors.StaleError():
            return PageError(412, "It changed meanwhile", f"{message}; look again.")
        case errors.InvalidError():
            return PageError(422, "Nothing was saved", "; ".join(problem.describe() for problem in error.problems))
        case errors.InvalidParameterError():
            return PageError(422, "The address is not valid", message)
        case errors.BusyError() | errors.UnavailableError():
            return PageError(503, "Try again in a few seconds", message, {"Retry-After": str(error.retry_after)})
    return PageError(500, "Something went wrong", "The error was logged; nothing was changed.")


class PageRoute(APIRoute):
    """A viewer route: whatever a service refuses, or a database outage, becomes an error page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except errors.ServiceError as error:
                raise page_error(error) from None
            except Exception as error:
                outage = errors.infrastructure_error(error)
                if outage is None:
                    raise
                raise page_error(outage) from None

        return answer
