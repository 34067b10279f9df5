"""The grammar of picture URLs, made and read in this one place.

    [/e/{token}]/graphs/{slug}[/r/{revision}][/{why|impact|team}/{focus}|/diff/{from}..{to}][.dark].{fmt}

Every URL ends in its format (MediaWiki and Confluence take only such URLs). A focus is any
text (a team may be called "Growth / EMEA"): it is percent-encoded whole, and since servers
decode `%2F` before routing, the routes take the rest of the path as the focus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

FORMATS = ("svg", "png", "pdf", "dot", "mmd")

# A picture's path as the routes see it (decoded): what the fast path may answer before routing.
PICTURE_PATH = re.compile(
    r"^/(?:e/[^/]+/)?graphs/[a-z0-9][a-z0-9-]{0,62}(?:/r/\d+)?"
    rf"(?:/(?:why|impact|team)/.+|/diff/[^/]+)?\.(?:{'|'.join(FORMATS)})$"
)
# The same, still percent-encoded as a client writes it, read into its parts (oEmbed).
_ENCODED = re.compile(
    r"^(?:/e/(?P<token>[^/]+))?/graphs/(?P<slug>[a-z0-9][a-z0-9-]{0,62})(?:/r/(?P<revision>[0-9]{1,9}))?"
    r"(?:/(?P<kind>why|impact|team)/(?P<focus>.+?))?(?P<dark>\.dark)?\.(?P<fmt>[a-z]+)$"
)


@dataclass(frozen=True, slots=True)
class PicturePath:
    slug: str
    view: str = "map"  # map, why, impact or team
    focus: str | None = None
    revision: int | None = None  # pinned to this revision
    dark: bool = False
    fmt: str = "svg"
    token: str | None = None  # an embed token

    def path(self) -> str:
        prefix = f"/e/{quote(self.token, safe='')}" if self.token is not None else ""
        pinned = f"/r/{self.revision}" if self.revision is not None else ""
        focused = f"/{self.view}/{quote(self.focus or '', safe='')}" if self.view != "map" else ""
        return f"{prefix}/graphs/{self.slug}{pinned}{focused}{'.dark' if self.dark else ''}.{self.fmt}"


def split_file(file: str) -> tuple[str, bool, str] | None:
    """A URL's last segment (`acme.dark.svg`) as its name, whether dark, and its format; None if it
    ends in no format of ours."""
    stem, dot, fmt = file.rpartition(".")
    if not dot or fmt not in FORMATS:
        return None
    return stem.removesuffix(".dark"), stem.endswith(".dark"), fmt


def diff_path(slug: str, since: int, until: int, *, dark: bool, fmt: str, token: str | None = None) -> str:
    prefix = f"/e/{quote(token, safe='')}" if token is not None else ""
    return f"{prefix}/graphs/{slug}/diff/{since}..{until}{'.dark' if dark else ''}.{fmt}"


def read_picture_path(path: str) -> PicturePath | None:
    """A picture URL's path, as a client wrote it (percent-encoded), into its parts; None if it is none."""
    match = _ENCODED.match(path)
    if match is None:
        return None
    return PicturePath(
        slug=match["slug"],
        view=match["kind"] or "map",
        focus=unquote(match["focus"]) if match["focus"] else None,
        revision=int(match["revision"]) if match["revision"] else None,
        dark=bool(match["dark"]),
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
