"""The grammar of Betgraph's URLs, made and read in this one place: pictures and viewer pages.

    [/e/{token}]/graphs/{slug}[/r/{revision}][/{why|impact|team}/{focus}|/diff/{from}..{to}][.dark|.auto].{fmt}
    [/e/{token}]/graphs/{slug}[/r/{revision}]/{board|assumptions|portfolio}[/{team}][.dark|.auto].{fmt}
    /graphs/{slug}?view=map|why|impact|team|diff&focus=…&as_of=…&band=…&team=…&kind=…&status=…&min=…&debate=1

Every picture URL ends in its format (MediaWiki and Confluence take only such URLs). A focus is
any text (a team may be called "Growth / EMEA"): it is percent-encoded whole, and since servers
decode `%2F` before routing, the routes take the rest of the path as the focus. A diff's focus is
its two moments, `{from}..{to}`; `to` may be left out (the latest). `.dark` draws the dark theme,
`.auto` (SVG only) both, switched by the reader's colour scheme.

A viewer URL is the page a person copies from the address bar (`read_view`); the picture it
shows is `ViewState.picture`, unless its map is filtered, which no picture URL can say.
`read_embed_url` reads either kind for oEmbed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from app.domain.model import Kind
from app.domain.model import Status as BetStatus
from app.rendering.style import ThemeName
from app.rendering.views import BAND_NAMES, LENSES, VIEW_KINDS, Filters, ViewKind
from app.services.errors import InvalidParameterError, NotFoundError

FORMATS = ("svg", "png", "pdf", "dot", "mmd")

# A picture's path as the routes see it (decoded): what the fast path may answer before routing.
PICTURE_PATH = re.compile(
    r"^/(?:e/[^/]+/)?graphs/[a-z0-9][a-z0-9-]{0,62}(?:/r/\d+)?"
    r"(?:/(?:why|impact|team|board|assumptions|portfolio)/.+|/diff/[^/]+|/(?:board|assumptions|portfolio)(?:\.dark|\.auto)?)?"
    rf"\.(?:{'|'.join(FORMATS)})$"
)
# The same, still percent-encoded as a client writes it, read into its parts (oEmbed).
_ENCODED = re.compile(
    r"^(?:/e/(?P<token>[^/]+))?/graphs/(?P<slug>[a-z0-9][a-z0-9-]{0,62})(?:/r/(?P<revision>[0-9]{1,9}))?"
    r"(?:/(?P<kind>why|impact|team|diff|board|assumptions|portfolio)/(?P<focus>.+?)"
    r"|/(?P<lens>board|assumptions|portfolio))?(?:\.(?P<theme>dark|auto))?\.(?P<fmt>[a-z]+)$"
)
# A viewer page, as a person copies it from the address bar.
_VIEWER = re.compile(r"^/graphs/(?P<slug>[a-z0-9][a-z0-9-]{0,62})/?$")


@dataclass(frozen=True, slots=True)
class PicturePath:
    slug: str
    view: str = "map"  # map, why, impact, team, a lens, or diff (never pinned: its focus names both revisions)
    focus: str | None = None
    revision: int | None = None  # pinned to this revision
    theme: ThemeName = "light"
    fmt: str = "svg"
    token: str | None = None  # an embed token

    def path(self) -> str:
        prefix = f"/e/{quote(self.token, safe='')}" if self.token is not None else ""
        pinned = f"/r/{self.revision}" if self.revision is not None else ""
        focused = f"/{self.view}/{quote(self.focus or '', safe='')}" if self.view != "map" else ""
        if self.view in LENSES and not self.focus:  # a lens for every team
            focused = f"/{self.view}"
        return f"{prefix}/graphs/{self.slug}{pinned}{focused}{_suffix(self.theme)}.{self.fmt}"


def viewer_links(base: str) -> Callable[[str, str], str]:
    """How drawn nodes link to the viewer at `base` (a URL, or "/" for the address the reader used):
    each opens its bet's details on the map."""
    root = base.rstrip("/")
    return lambda slug, node_id: root + ViewState(focus=node_id).path(slug)


def _suffix(theme: ThemeName) -> str:
    return "" if theme == "light" else f".{theme}"


def split_file(file: str) -> tuple[str, ThemeName, str] | None:
    """A URL's last segment (`acme.dark.svg`) as its name, its theme and its format; None if it
    ends in no format of ours."""
    stem, dot, fmt = file.rpartition(".")
    if not dot or fmt not in FORMATS:
        return None
    for theme in ("dark", "auto"):
        if stem.endswith(f".{theme}"):
            return stem.removesuffix(f".{theme}"), theme, fmt
    return stem, "light", fmt


def diff_path(slug: str, since: int, until: int, *, theme: ThemeName, fmt: str, token: str | None = None) -> str:
    prefix = f"/e/{quote(token, safe='')}" if token is not None else ""
    return f"{prefix}/graphs/{slug}/diff/{since}..{until}{_suffix(theme)}.{fmt}"


def read_picture_path(path: str) -> PicturePath | None:
    """A picture URL's path, as a client wrote it (percent-encoded), into its parts; None if it is none."""
    match = _ENCODED.match(path)
    if match is None:
        return None
    if match["kind"] == "diff" and (match["revision"] or "/" in match["focus"] or ".." not in match["focus"]):
        return None
    if match["theme"] == "auto" and match["fmt"] != "svg":  # only SVG carries both palettes
        return None
    return PicturePath(
        slug=match["slug"],
        view=match["kind"] or match["lens"] or "map",
        focus=unquote(match["focus"]) if match["focus"] else None,
        revision=int(match["revision"]) if match["revision"] else None,
        theme=cast(ThemeName, match["theme"] or "light"),
        fmt=match["fmt"],
        token=unquote(match["token"]) if match["token"] else None,
    )


def public_base(configured: str, scheme: str, server: tuple[str, int | None] | None) -> str:
    """Where clients reach this service, for URLs that leave it (snippets, oEmbed, links in pictures).

    The configured public URL when there is one; else the address this server listens on, never
    the Host header, which any client (or a poisoned cache in front of us) may set to anything.
    """
    if configured:
        return configured
    if server is None:
        return "http://localhost"
    host, port = server
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


# What a viewer URL may say besides its view: the filters narrow its map.
FILTER_PARAMETERS = ("band", "team", "kind", "status", "min", "debate")
VIEWER_PARAMETERS = ("view", "focus", "as_of", "theme", *FILTER_PARAMETERS)


@dataclass(frozen=True, slots=True)
class ViewState:
    """The viewer's URL as data: what it draws, what is selected, what it is narrowed to."""

    view: ViewKind = "map"
    focus: str = ""
    filters: Filters = field(default_factory=Filters)
    as_of: str = ""  # a revision number or a moment: the graph as it was then (read only)
    theme: str = ""  # "light" or "dark" when the URL chooses one

    @property
    def narrowed(self) -> bool:
        """Whether the page's picture is a filtered map (filters narrow only the map)."""
        return self.view == "map" and self.filters.active

    def query(self, **changes: Any) -> str:
        values: dict[str, Any] = {"view": self.view, "focus": self.focus, "as_of": self.as_of} | changes
        pairs: list[tuple[str, str]] = []
        if values["view"] != "map":
            pairs.append(("view", values["view"]))
        if values["focus"]:
            pairs.append(("focus", values["focus"]))
        if values["as_of"]:
            pairs.append(("as_of", values["as_of"]))
        if changes.get("filters", True):
            f = self.filters
            pairs += [("band", v) for v in sorted(f.bands)] + [("team", v) for v in sorted(f.teams)]
            pairs += [("kind", v) for v in sorted(f.kinds)] + [("status", v) for v in sorted(f.statuses)]
            if f.min_certainty is not None:
                pairs.append(("min", f"{round(f.min_certainty * 100)}"))
            if f.debatable:
                pairs.append(("debate", "1"))
        return "?" + urlencode(pairs) if pairs else "?"

    def path(self, slug: str) -> str:
        """The viewer's address of this state (the page a snippet or a picture links to)."""
        query = self.query()
        return f"/graphs/{slug}" + (query if query != "?" else "")

    def picture(self, slug: str, revision: int | None = None, *, fmt: str = "svg") -> PicturePath | None:
        """The picture URL of what this page shows, pinned to `revision` (what its `as_of` resolved to);
        None when no picture URL can say it: a filtered map, or a view without its focus."""
        if self.narrowed or (self.view not in ("map", *LENSES) and not self.focus):
            return None
        theme: ThemeName = "dark" if self.theme == "dark" else "light"
        if self.view == "diff":  # as the viewer reads it: from the first revision when `from` is left out
            start, _, end = self.focus.partition("..")
            return PicturePath(slug, "diff", f"{start or '1'}..{end}", theme=theme, fmt=fmt)
        focus = (self.focus or None) if self.view != "map" else None  # a map's focus only selects a bet in the page
        return PicturePath(slug, self.view, focus, revision, theme, fmt)


def read_view(params: Iterable[tuple[str, str]]) -> ViewState:
    """A viewer URL's query (its name and value pairs, in order) as the page reads it: a value it does
    not know is left out, as the page's own forms never send one."""
    pairs = list(params)
    single = dict(pairs)  # the last of a repeated name, as Starlette's query_params.get
    several: dict[str, list[str]] = {}
    for name, value in pairs:
        several.setdefault(name, []).append(value)
    view = single.get("view", "map")
    minimum = single.get("min", "").strip().rstrip("%")
    try:
        min_certainty: float | None = min(max(float(minimum) / 100, 0.0), 1.0) if minimum else None
    except ValueError:
        min_certainty = None
    if min_certainty is not None and not math.isfinite(min_certainty):  # `nan` reads as a float
        min_certainty = None
    filters = Filters(
        bands=frozenset(b for b in several.get("band", ()) if b in BAND_NAMES),
        teams=frozenset(t for t in several.get("team", ()) if t),
        kinds=frozenset(k for k in several.get("kind", ()) if k in Kind.__members__.values()),
        statuses=frozenset(s for s in several.get("status", ()) if s in BetStatus.__members__.values()),
        min_certainty=min_certainty,
        debatable=single.get("debate") in ("1", "on", "true"),
    )
    as_of = single.get("as_of", "").strip()[:64]
    kind: ViewKind = view if view in (*VIEW_KINDS, "diff", *LENSES) else "map"
    theme = single.get("theme", "")
    return ViewState(kind, single.get("focus", "")[:200], filters, as_of, theme if theme in ("light", "dark") else "")


class Unembeddable(Exception):  # noqa: N818 - a refusal, named as the answer says it
    """A URL of ours whose picture no picture URL can name (a filtered map), or in no photo format."""


def read_embed_url(url: str, base: str) -> tuple[PicturePath, str | None]:
    """The picture a URL of ours names, for oEmbed: a picture URL, or a viewer page as people copy it.

    Also returns the moment the picture is pinned to, still to be resolved (`as_of`). `url` is
    relative, or on `base`, where clients reach this service: any other host is not ours (404).
    A query is read whole or refused, never dropped: InvalidParameterError("url") for what a URL
    of this kind does not take, Unembeddable for what no picture can show.
    """
    ours = urlsplit(base)
    default = {"http": 80, "https": 443}.get(ours.scheme)
    try:
        url.encode("utf-8")  # a lone surrogate is no text a client can have sent
        if not url.isprintable():  # control characters (NUL, line breaks) are in no URL of ours
            raise InvalidParameterError("url", "url contains control characters")
        parts = urlsplit(url)
        origin = (parts.hostname, parts.port or default) if parts.netloc else None
    except (UnicodeError, ValueError):
        raise InvalidParameterError("url", f"url is not a URL: {url[:60]!r}") from None
    prefix = ours.path.rstrip("/")  # a public URL may put the service under a path
    path = parts.path
    if (origin is not None or parts.scheme) and (
        (parts.scheme or ours.scheme) != ours.scheme
        or origin != (ours.hostname, ours.port or default)
        or not path.startswith(prefix + "/")
    ):
        raise NotFoundError(f"{url[:80]!r} is not on this Betgraph ({base})")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    names = sorted({name for name, _ in pairs})
    if (picture := read_picture_path(path)) is not None:
        unknown = [name for name in names if name != "as_of"]
        if unknown:
            raise InvalidParameterError("url", f"a picture URL takes only as_of; it does not take {', '.join(unknown)}")
        as_of = dict(pairs).get("as_of")
        if as_of is not None and (picture.revision is not None or picture.view == "diff"):
            raise InvalidParameterError("url", "this picture URL names its revision already: leave out as_of")
        return picture, as_of
    if (viewer := _VIEWER.match(path)) is not None:
        unknown = [name for name in names if name not in VIEWER_PARAMETERS]
        if unknown:
            known = ", ".join(VIEWER_PARAMETERS)
            raise InvalidParameterError("url", f"a viewer URL takes {known}; it does not take {', '.join(unknown)}")
        state = read_view(pairs)
        if state.narrowed:
            raise Unembeddable(
                "filters cannot be embedded: no picture URL shows a filtered map; leave out "
                + ", ".join(name for name in FILTER_PARAMETERS if name in names)
            )
        shown = state.picture(viewer["slug"])
        if shown is None:
            raise NotFoundError(f"the {state.view} view needs a focus: this page shows no picture")
        return shown, (state.as_of or None) if state.view != "diff" else None
    raise NotFoundError("not the URL of a Betgraph diagram or viewer page")
