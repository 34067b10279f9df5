"""What a service refuses, in its own words. Each entrypoint maps these once: the API to
problem+json (`app.api.problems`), the viewer to a page (`app.web.refusals`), the CLI to a message and an exit code."""

from __future__ import annotations

from app.formats.problems import Problem


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(ServiceError):
    """Missing, or hidden from this caller: the two read the same, so nothing can be probed."""


class UnauthenticatedError(ServiceError):
    """The caller must say who they are (a token, a sign-in) to do this."""

    def __init__(self, message: str, *, writing: bool = False) -> None:
        super().__init__(message)
        self.writing = writing  # else reading: a private graph


class ForbiddenError(ServiceError):
    """The caller is known and may see the graph, but not do this to it."""


class ConflictError(ServiceError):
    """The request clashes with the graph's state: an id taken, an item still referenced."""


class StaleError(ServiceError):
    """The caller's copy is older than what is stored (If-Match, a form's version)."""


class InvalidError(ServiceError):
    """The change would make an invalid graph; pointers are relative to what was sent."""

    def __init__(self, problems: list[Problem], message: str = "") -> None:
        super().__init__(message or "; ".join(problem.describe() for problem in problems[:3]))
        self.problems = problems


class InvalidParameterError(ServiceError):
    """A parameter (`as_of`, `from`, …) that names nothing this service understands."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class BusyError(ServiceError):
    """A shared resource (render slots, another worker's drawing) stayed busy: try again soon."""

    retry_after = 5


class UnavailableError(ServiceError):
    """The database did not answer in time, or refused: nothing was changed; try again soon."""

    retry_after = 5


def infrastructure_error(error: BaseException) -> ServiceError | None:
    """A database that refused, timed out or went away, in the services' words (None: not that).

    The one place that knows which storage failures are an outage rather than a bug.
    """
    # Imported here: the exceptions above are raised where no database is (the URL grammar, the
    # CLI's file commands), and SQLAlchemy costs them a fifth of a second to import.
    from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError  # noqa: PLC0415
    from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError  # noqa: PLC0415

    if isinstance(error, SQLAlchemyTimeoutError):  # no pooled connection freed in time
        return UnavailableError("the database is busy; nothing was changed")
    if isinstance(error, DBAPIError) and (error.connection_invalidated or isinstance(error, OperationalError)):
        if _LOCK_TIMEOUTS & {getattr(error.orig, "sqlstate", None)}:
            return BusyError("the graph stayed busy with other writes; nothing was changed")
        return UnavailableError("the database did not answer; nothing was changed")
    if isinstance(error, DisconnectionError):
        return UnavailableError("the database did not answer; nothing was changed")
    return None


# PostgreSQL's statement_timeout (57014) and lock_timeout (55P03): the database answered, busy.
_LOCK_TIMEOUTS = {"57014", "55P03"}
