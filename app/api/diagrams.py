"""Diagrams for wikis: /graphs/{slug}.svg and the focused views, public or through an embed token.

Every URL ends in its format (MediaWiki and Confluence take only such URLs). A picture is
drawn once per distinct input and kept in the database; its ETag is a hash of its bytes, so
it changes exactly when the picture does, and a revalidation is answered without drawing.
URLs with /r/{revision} name one revision of the graph and never change: they are immutable.
So does a diff between two revisions, /diff/{from}..{to}. A URL that names a moment instead
(`?as_of=`, or a diff by date or up to the head) answers 307 with the URL of the revision that
moment resolves to: what a date resolves to can still move (today's date, a date not yet past),
while the pinned picture it points to never does, and every moment in one revision shares it.

A warm request reads the graph's row (its head), and the token if any, and answers from this
process's copy of the picture (`app.services.cache.Pictures`) without building DOT. A cold one builds
the DOT, whose hash is the key of the render cache every worker shares; it ends its read
transaction before it waits for a drawing, so no waiting request holds a database connection.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.api.deps import bearer, get_services, tag_matches
from app.api.problems import ProblemError, invalid_parameter, problem_for
from app.domain.lenses import LensError
from app.rendering.render import MEDIA_TYPES, Format, Prepared, RenderOptions, ThemeError, check_theme
from app.rendering.runner import RenderError
from app.rendering.style import ThemeName
from app.rendering.views import LENSES, View, ViewError, ViewKind
from app.services import access, pictures
from app.services.cache import Picture, PictureKey
from app.services.context import Services
from app.services.errors import ServiceError, infrastructure_error
from app.services.moments import Moment, check_revision, parse_moment, resolve, resolve_span, revision_number
from app.services.urls import FORMATS, PicturePath, diff_path, split_file
from app.storage.db import transaction
from app.storage.renders import revision_time
from app.storage.tables import GraphRow

router = APIRouter(tags=["diagrams"])

# Pictures are never documents: nothing in them may run or load, even opened on their own.
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
# Wikis revalidate the latest picture every minute; CDNs may serve a stale one while they do.
LATEST = "public, max-age=60, stale-while-revalidate=600"
# Behind a secret (an embed token, a signed-in reader) even a pinned picture is asked for again
# every minute: a revoked token must stop showing it, and its ETag makes asking cheap.
PRIVATE = "private, max-age=60"
# A public revision never changes: the same picture for a year, without asking again.
PINNED = "public, max-age=31536000, immutable"


def _split(file: str) -> tuple[str, ThemeName, Format]:
    found = split_file(file)
    if found is None:
        endings = ", ".join("." + known for known in FORMATS)
        raise ProblemError(404, "Not found", f"a diagram URL ends in one of {endings}")
    stem, theme, fmt = found
    try:
        return stem, check_theme(cast(Format, fmt), theme), cast(Format, fmt)
    except ThemeError as error:
        raise ProblemError(404, "Not found", str(error)) from None


def _error_picture(message: str) -> bytes:
    text, line = html.escape(message), html.escape(message[:110])  # cut before escaping: never mid-entity
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="640" height="80" viewBox="0 0 640 80">'
        f"<title>Betgraph could not draw this diagram</title><desc>{text}</desc>"
        '<rect width="640" height="80" fill="#fff4f4" stroke="#c0142b"/>'
        '<text x="16" y="32" font-family="Helvetica,Arial,sans-serif" font-size="14" font-weight="bold" '
        'fill="#1a1a1a">Betgraph could not draw this diagram</text>'
        '<text x="16" y="56" font-family="Helvetica,Arial,sans-serif" font-size="12" fill="#1a1a1a">'
        f"{line}</text>"
        "</svg>"
    ).encode()


def _revision(text: str) -> int:
    number = revision_number(text)
    if number is None:
        raise ProblemError(404, "Not found", f"{text!r} is not a revision number")
    return number


@dataclass(frozen=True, slots=True)
class _Target:
    """What a diagram URL names, once its graph has been read."""

    row: GraphRow
    public: bool
    revision: int | None  # None: the latest
    view: View
    theme: ThemeName
    fmt: Format
    since: int | None = None  # a diff: the earlier revision, drawn against `revision`

    @property
    def at(self) -> int:
        return self.row.head if self.revision is None else self.revision

    def key(self, today: dt.date) -> PictureKey:
        row, view = self.row, self.view
        return (row.id, row.created_at.isoformat(), self.at, view.kind, view.focus, self.fmt, self.theme, today)


def _headers(target: _Target, picture: Picture) -> dict[str, str]:
    cache = PRIVATE if not target.public else LATEST if target.revision is None else PINNED
    headers = {
        "Cache-Control": cache,
        "Last-Modified": picture.modified,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": IMAGE_CSP,
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Vary": "Accept-Encoding",
    }
    if target.public:
        headers["Access-Control-Allow-Origin"] = "*"
    return headers


def _failed(fmt: Format, message: str) -> Response:
    if fmt == "svg":  # an image tag shows a picture, not an error status: say what went wrong in one
        return Response(
            _error_picture(message),
            media_type="image/svg+xml; charset=utf-8",
            headers={
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": IMAGE_CSP,
            },
        )
    raise ProblemError(422, "The diagram cannot be drawn", message)


Kind = Literal["why", "impact", "team", "board", "assumptions", "portfolio"]


def _never_cached(answer: Callable[[], Response]) -> Response:
    """The answer, or what was refused, which no browser or proxy may keep: a refusal (a revoked
    embed token, a revision not yet written, a database outage) must not outlive its cause."""
    try:
        return answer()
    except ServiceError as error:
        problem = problem_for(error)
    except ProblemError as error:
        problem = error
    except SQLAlchemyError as error:
        outage = infrastructure_error(error)
        if outage is None:
            raise
        problem = problem_for(outage)
    problem.headers.setdefault("Cache-Control", "no-store")
    raise problem


@dataclass(frozen=True, slots=True)
class DiagramRequest:
    """What every diagram route reads besides its path, and the one way every one of them answers."""

    request: Request

    @property
    def if_none_match(self) -> str | None:
        return self.request.headers.get("if-none-match")

    @property
    def accept_encoding(self) -> str:
        return self.request.headers.get("accept-encoding", "")

    def answer(self, file: str, **where: Any) -> Response:
        return _never_cached(lambda: self._answer(file, **where))

    def answer_diff(self, file: str, **where: Any) -> Response:
        return _never_cached(lambda: self._answer_diff(file, **where))

    def _answer(
        self,
        file: str,
        *,
        slug: str | None = None,
        kind: Kind | None = None,
        token: str | None = None,
        revision: str | None = None,
        lens: bool = False,
    ) -> Response:
        # The map's file names the graph, a pinned map's the revision, a view's its focus, a
        # lens's its team, or the lens itself when it is for every team (`lens`).
        name, theme, fmt = _split(file)
        if lens:
            kind, name = cast(Kind, name), ""
            if kind not in LENSES:
                raise ProblemError(404, "Not found", f"no lens {kind!r}; lenses are {', '.join(LENSES)}")
        if slug is not None and kind is None:
            revision = name
        view = View(cast(ViewKind, kind), name or None) if kind else View()
        number = _revision(revision) if revision is not None else None
        as_of = self.request.query_params.get("as_of")
        moment = parse_moment(as_of) if as_of is not None else None
        if moment is not None and number is not None:
            raise invalid_parameter("as_of", f"this URL names revision {number} already: leave out as_of")
        return self._serve(slug or name, token, number, view, theme, fmt, moment=moment)

    def _answer_diff(self, file: str, *, slug: str, token: str | None = None) -> Response:
        """`{from}..{to}.{fmt}`: each side a revision number or an ISO date or date-time; `to` may be left out."""
        name, theme, fmt = _split(file)
        start, dots, end = name.partition("..")
        if not dots:
            raise ProblemError(404, "Not found", "a diff URL names two revisions: /graphs/{slug}/diff/{from}..{to}.svg")
        if "as_of" in self.request.query_params:
            raise invalid_parameter("as_of", "a diff names its own revisions ({from}..{to}): leave out as_of")
        span = (parse_moment(start, "from"), parse_moment(end, "to") if end else None)
        return self._serve(slug, token, None, View("diff", name), theme, fmt, span=span)

    def _pinned(self, target: _Target, token: str | None) -> str:
        """The immutable URL of what `target` names: /r/{revision}, or a diff between two numbers."""
        if target.since is not None:
            return diff_path(target.row.slug, target.since, target.at, theme=target.theme, fmt=target.fmt, token=token)
        view = target.view
        focus = view.focus if view.kind != "map" else None
        return PicturePath(target.row.slug, view.kind, focus, target.at, target.theme, target.fmt, token).path()

    def _redirect(self, target: _Target, token: str | None) -> Response:
        # Short-lived, like the latest picture: a moment that has not passed yet may resolve anew.
        cache = LATEST if target.public else PRIVATE
        return Response(status_code=307, headers={"Location": self._pinned(target, token), "Cache-Control": cache})

    def _serve(
        self,
        slug: str,
        token: str | None,
        revision: int | None,
        view: View,
        theme: ThemeName,
        fmt: Format,
        *,
        moment: Moment | None = None,
        span: tuple[Moment, Moment | None] | None = None,
    ) -> Response:
        services = get_services(self.request)
        today = dt.date.today()  # relative horizons are read against it: part of the picture's name
        with transaction(services.sessions, write=False) as session:
            readable = access.read_graph(session, slug, bearer(self.request, session), embed=token)
            row, public = readable.row, readable.public
            if revision is not None:
                check_revision(row, revision)
            if moment is not None:
                found_revision = resolve(session, row, moment)
                return self._redirect(_Target(row, public, found_revision, view, theme, fmt), token)
            since = None
            if span is not None:
                start, end = span
                since, revision = resolve_span(session, row, start, end)
                view = View("diff", f"r{since} → r{revision}")
                if start.number is None or end is None or end.number is None:
                    return self._redirect(_Target(row, public, revision, view, theme, fmt, since), token)
            target = _Target(row, public, revision, view, theme, fmt, since)
            memo = services.pictures.get(target.key(today))
            if memo is not None:
                return self._respond(target, memo)
            found = self._prepare(services, session, target, today)
        if isinstance(found, Response):
            return found
        picture = found if isinstance(found, Picture) else self._draw(services, target, *found)
        if isinstance(picture, Response):
            return picture
        services.pictures.put(target.key(today), picture)
        return self._respond(target, picture)

    def _prepare(
        self, services: Services, session: Session, target: _Target, today: dt.date
    ) -> Picture | Response | tuple[Prepared, RenderOptions, dt.datetime]:
        """The picture if the shared cache has it, else what drawing it takes."""
        fmt = target.fmt
        options = pictures.served_options(services, target.theme)
        try:
            prepared = pictures.prepared(
                services,
                session,
                target.row,
                target.view,
                fmt=fmt,
                options=options,
                revision=target.revision,
                today=today,
                since=target.since,
            )
        except (ViewError, LensError) as error:
            raise ProblemError(404, "Not found", str(error)) from None
        except RenderError as error:
            return _failed(fmt, str(error))
        # The revision's date, whether the URL names it or it is the latest: the picture is the same.
        modified = revision_time(session, target.row.id, target.at) or target.row.updated_at
        cached = pictures.cached(session, prepared, target.theme)
        if cached is not None:
            return pictures.finished(*cached, fmt, modified)
        return prepared, options, modified

    def _draw(
        self, services: Services, target: _Target, prepared: Prepared, options: RenderOptions, modified: dt.datetime
    ) -> Picture | Response:
        try:
            etag, body = pictures.drawn(services, prepared, options, target.theme)
        except RenderError as error:
            return _failed(target.fmt, str(error))
        return pictures.finished(etag, body, target.fmt, modified)

    def _respond(self, target: _Target, picture: Picture) -> Response:
        headers = _headers(target, picture)
        zipped = picture.zipped is not None and "gzip" in self.accept_encoding
        tag = f'"{picture.etag}-gz"' if zipped else f'"{picture.etag}"'
        headers["ETag"] = tag
        if tag_matches(self.if_none_match, tag):
            return Response(status_code=304, headers=headers)
        if zipped:
            headers["Content-Encoding"] = "gzip"
        fmt = target.fmt
        media_type = "image/svg+xml; charset=utf-8" if fmt == "svg" else MEDIA_TYPES[fmt]
        return Response(picture.zipped if zipped else picture.body, media_type=media_type, headers=headers)


@router.get("/graphs/{file}", name="map_diagram")
def map_diagram(file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file)


# Before /graphs/{slug}/{kind}/{file}, which would take "r" for a view and refuse it.
@router.get("/graphs/{slug}/r/{file}", name="pinned_map_diagram")
def pinned_map_diagram(slug: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug)


@router.get("/graphs/{slug}/r/{revision}/{file}", name="pinned_lens_diagram")
def pinned_lens_diagram(slug: str, revision: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, revision=revision, lens=True)


@router.get("/graphs/{slug}/diff/{file}", name="diff_diagram")
def diff_diagram(slug: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer_diff(file, slug=slug)


@router.get("/graphs/{slug}/r/{revision}/{kind}/{file:path}", name="pinned_focused_diagram")
def pinned_focused_diagram(slug: str, revision: str, kind: Kind, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, kind=kind, revision=revision)


# After every /graphs/{slug}/{word}/… route above: `board.svg` is a lens, for every team.
@router.get("/graphs/{slug}/{file}", name="lens_diagram")
def lens_diagram(slug: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, lens=True)


@router.get("/graphs/{slug}/{kind}/{file:path}", name="focused_diagram")
def focused_diagram(slug: str, kind: Kind, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, kind=kind)


@router.get("/e/{token}/graphs/{file}", name="embedded_map_diagram")
def embedded_map_diagram(token: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, token=token)


@router.get("/e/{token}/graphs/{slug}/r/{file}", name="embedded_pinned_map_diagram")
def embedded_pinned_map_diagram(token: str, slug: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, token=token)


@router.get("/e/{token}/graphs/{slug}/r/{revision}/{file}", name="embedded_pinned_lens_diagram")
def embedded_pinned_lens_diagram(token: str, slug: str, revision: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, revision=revision, token=token, lens=True)


@router.get("/e/{token}/graphs/{slug}/diff/{file}", name="embedded_diff_diagram")
def embedded_diff_diagram(token: str, slug: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer_diff(file, slug=slug, token=token)


@router.get("/e/{token}/graphs/{slug}/r/{revision}/{kind}/{file:path}", name="embedded_pinned_focused_diagram")
def embedded_pinned_focused_diagram(
    token: str, slug: str, revision: str, kind: Kind, file: str, request: Request
) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, kind=kind, token=token, revision=revision)


@router.get("/e/{token}/graphs/{slug}/{file}", name="embedded_lens_diagram")
def embedded_lens_diagram(token: str, slug: str, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, token=token, lens=True)


@router.get("/e/{token}/graphs/{slug}/{kind}/{file:path}", name="embedded_focused_diagram")
def embedded_focused_diagram(token: str, slug: str, kind: Kind, file: str, request: Request) -> Response:
    return DiagramRequest(request).answer(file, slug=slug, kind=kind, token=token)
