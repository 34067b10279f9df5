"""oEmbed (https://oembed.com): the picture a URL of ours shows, and its size in CSS pixels.

A consumer displays a photo at the width and height it is given, so they must be the picture's
own: read from the very bytes served at the answer's `url` (drawn now if no worker has drawn
them yet), scaled down to fit maxwidth and maxheight keeping the aspect ratio. A URL that names
a moment (`as_of`, a diff by date or up to the latest) is answered with the pinned picture it
resolves to, whose size cannot change under the consumer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import cast

from sqlalchemy.orm import Session

from app.domain.lenses import LensError
from app.rendering.render import Format
from app.rendering.views import View, ViewError, ViewKind
from app.services import access, pictures
from app.services.context import Services
from app.services.errors import NotFoundError
from app.services.moments import check_revision, parse_moment, resolve, resolve_span
from app.services.urls import PicturePath, Unembeddable, read_embed_url

PHOTOS = ("svg", "png")


@dataclass(frozen=True, slots=True)
class Embed:
    url: str  # the picture whose size this is
    width: int
    height: int
    title: str


def embed(
    services: Services,
    session: Session,
    url: str,
    *,
    base: str,
    maxwidth: int | None = None,
    maxheight: int | None = None,
) -> Embed:
    """The photo `url` shows, as oEmbed answers it; it may draw the picture, so it may take seconds.

    Raises what `urls.read_embed_url` and the access rule raise (UnauthenticatedError for a
    private graph asked for without its embed URL), Unembeddable, and BusyError or RenderError
    when the picture cannot be drawn now.
    """
    named, as_of = read_embed_url(url, base)
    if named.fmt not in PHOTOS:
        raise Unembeddable("only .svg and .png diagrams embed as photos")
    row = access.read_graph(session, named.slug, None, embed=named.token).row
    today = dt.date.today()  # relative horizons are read against it, as the picture URL reads them
    since, revision = None, None
    if named.view == "diff":
        start, _, end = (named.focus or "").partition("..")
        since, revision = resolve_span(
            session, row, parse_moment(start, "from"), parse_moment(end, "to") if end else None
        )
        shown = replace(named, focus=f"{since}..{revision}")
    else:
        revision = check_revision(row, named.revision) if named.revision is not None else None
        if as_of is not None:
            revision = resolve(session, row, parse_moment(as_of))
        shown = replace(named, revision=revision)
    theme = named.theme
    options = pictures.served_options(services, theme)
    try:
        prepared = pictures.prepared(
            services,
            session,
            row,
            _view(named, since, revision),
            fmt=cast(Format, named.fmt),
            options=options,
            revision=revision,
            today=today,
            since=since,
        )
    except (ViewError, LensError) as error:
        raise NotFoundError(str(error)) from None
    _, body = pictures.found_or_drawn(services, session, prepared, options, theme)
    width, height = fitted(picture_size(body, named.fmt), maxwidth, maxheight)
    return Embed(base + shown.path(), width, height, prepared.title)


def _view(named: PicturePath, since: int | None, until: int | None) -> View:
    """The view a picture URL draws; a diff's is named by its revisions, as the diff URL's is."""
    if since is not None:
        return View("diff", f"r{since} → r{until}")
    return View(cast(ViewKind, named.view), named.focus or None) if named.view != "map" else View()


def fitted(size: tuple[float, float], maxwidth: int | None, maxheight: int | None) -> tuple[int, int]:
    """`size` in whole pixels, scaled down (never up) to fit the box, keeping the aspect ratio."""
    width, height = size
    scale = min(1.0, (maxwidth or width) / width, (maxheight or height) / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


# CSS pixels per unit: a browser sizes an SVG by its root's width and height.
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_ROOT = re.compile(rb"<svg\b[^>]*>")
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?)\s*(px|pt|pc|in|cm|mm)?\s*")


def picture_size(body: bytes, fmt: str) -> tuple[float, float]:
    """A picture's size in CSS pixels: a PNG's from its header, an SVG's from its root element."""
    if fmt == "png":
        if body[:8] != b"\x89PNG\r\n\x1a\n" or body[12:16] != b"IHDR" or not any(body[16:20]) or not any(body[20:24]):
            raise ValueError("not a PNG")
        return float(int.from_bytes(body[16:20])), float(int.from_bytes(body[20:24]))
    root = _ROOT.search(body, 0, 8192)
    if root is None:
        raise ValueError("no <svg> root element")
    tag = root.group().decode("utf-8", "replace")
    sizes = [_length(tag, name) for name in ("width", "height")]
    width, height = sizes
    if not width or not height:
        raise ValueError("the <svg> root has no width and height")
    return width, height


def _length(tag: str, name: str) -> float | None:
    found = re.search(rf'\s{name}\s*=\s*["\']([^"\']*)["\']', tag)
    if found is None:
        return None
    length = _LENGTH.fullmatch(found.group(1))
    if length is None:
        return None
    return float(length.group(1)) * _UNITS[length.group(2) or ""]
