"""Ready-made embeds of a view for wikis: the picture URLs and the markup to paste, each named for
the place it suits.

Every snippet shows the picture and links it to the viewer's page of the same view. Renderers differ
in what they keep: plain Markdown survives every Markdown renderer (cmark-gfm's safe mode drops raw
HTML, so a `<picture>` vanishes there), GitHub keeps `<picture>` and follows the reader's dark mode,
MediaWiki shows an external picture only when its URL ends in .png/.gif/.jpg and the wiki's admin
allows it, and only a client-side image map makes the bets themselves clickable in an `<img>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from sqlalchemy.orm import Session

from app.domain.lenses import LensError
from app.rendering.escape import URL_SAFE, markdown_text, markdown_url
from app.rendering.imagemap import ImageMapError, image_map, to_html
from app.rendering.render import Prepared, RenderOptions, prepare_view
from app.rendering.runner import RenderError
from app.rendering.views import View, ViewError, ViewKind
from app.services import access, pictures
from app.services.access import Caller
from app.services.context import Services
from app.services.errors import InvalidParameterError, NotFoundError
from app.services.moments import Moment, revision_for
from app.services.urls import PicturePath, ViewState
from app.storage.db import release

# Each snippet: its label and what it suits, in the order the share panel offers them.
KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "markdown",
        "Markdown",
        "Every Markdown renderer (GitLab, Gitea, Obsidian, cmark): linked to the viewer.",
    ),
    ("markdown_github", "Markdown for GitHub", "GitHub and renderers that keep HTML: follows the reader's dark mode."),
    ("html", "HTML", "Pages and wikis that take HTML: the picture, linked to the viewer."),
    (
        "html_clickable",
        "Clickable HTML",
        "Wikis that take HTML: each bet opens in the viewer. Keep the picture at its own size.",
    ),
    ("confluence", "Confluence", "Confluence wiki markup (insert it as markup)."),
    ("mediawiki", "MediaWiki", "MediaWiki whose admin allows our pictures ($wgAllowExternalImagesFrom)."),
    ("url", "Image URL", "Anything that takes an image address (Notion, Slack, oEmbed)."),
    (
        "auto_url",
        "Image URL, light or dark by itself",
        "A page without a theme of its own: the SVG follows the reader's colour scheme. Where the page "
        "has a dark mode switch of its own, use the light and dark URLs instead.",
    ),
)
HINTS = {name: hint for name, _, hint in KINDS}


@dataclass(frozen=True, slots=True)
class Snippets:
    alt: str
    url: str
    dark_url: str
    auto_url: str  # one SVG in both palettes, switched by the reader's colour scheme
    pinned_url: str  # this revision's picture, which never changes (for a page that must not either)
    png_url: str
    viewer_url: str  # the viewer's page of this view, where every snippet links
    markdown: str  # plain Markdown: shown by every renderer
    markdown_github: str  # a <picture> with its dark variant, for renderers that keep HTML
    html: str
    html_clickable: str | None  # None until the picture is drawn (or when it cannot be)
    confluence: str
    mediawiki: str
    hints: dict[str, str] = field(default_factory=lambda: dict(HINTS))

    @property
    def offered(self) -> list[tuple[str, str, str, str | None]]:
        """Each snippet as a share panel offers it: name, label, hint, text."""
        return [(name, label, hint, getattr(self, name)) for name, label, hint in KINDS]


def wiki_url(url: str) -> str:
    """A URL MediaWiki reads whole inside `[…]`: it ends at a space or `]`."""
    return quote(url, safe=URL_SAFE)


def viewer_path(slug: str, view: ViewKind, focus: str | None, revision: int | None) -> str:
    focused = (focus or "") if view != "map" else ""
    return ViewState(view=view, focus=focused, as_of="" if revision is None else str(revision)).path(slug)


def snippets(
    services: Services,
    session: Session,
    *,
    base: str,
    slug: str,
    who: Caller | None,
    view: ViewKind = "map",
    focus: str | None = None,
    token: str | None = None,
    as_of: Moment | None = None,
    draw: bool = False,
) -> Snippets:
    """Embeds of a view; with `token` (an embed token) through it, with `as_of` pinned to that revision.

    The clickable HTML needs the picture's layout: with `draw`, the picture is drawn if no worker
    has drawn it yet, which ends `session`'s read (`release`), so it comes last and only a reading
    request may ask for it. Without `draw` the clickable HTML is there only if the picture is.
    """
    row = access.read_graph(session, slug, who).row
    if token is not None and not access.embeds(session, token, row):
        raise InvalidParameterError("token", "token is not an embed token for this graph")
    revision = revision_for(session, row, as_of)
    # Drawn as the viewer draws its light picture (nodes link to the viewer), so either finds the
    # other's in the render cache; links alone do not move anything in Graphviz's layout, so the
    # clickable HTML's areas fit the PNG the diagram URL serves.
    options = pictures.options(services.settings.public_url or "/", "light")
    try:
        graph = services.graphs.get(session, row, revision).graph
        prepared = prepare_view(graph, View(view, focus or None), "svg", dt.date.today(), options)
    except (ViewError, LensError, RenderError) as error:
        raise NotFoundError(str(error)) from None
    focus = focus if view != "map" else None
    shown = PicturePath(slug, view, focus, token=token)
    pinned = base + replace(shown, revision=row.head if revision is None else revision).path()
    url = base + shown.path() if revision is None else pinned
    at = replace(shown, revision=revision)
    dark, png = base + replace(at, theme="dark").path(), base + replace(at, fmt="png").path()
    auto = base + replace(at, theme="auto").path()
    viewer = base + viewer_path(slug, view, focus, revision)
    alt = prepared.description
    e = html.escape
    linked = f'<a href="{e(viewer)}">'
    picture = (
        f'{linked}<picture><source media="(prefers-color-scheme: dark)" srcset="{e(dark)}">'
        f'<img src="{e(url)}" alt="{e(alt)}"></picture></a>'
    )
    name = "betgraph-" + hashlib.sha256(png.encode()).hexdigest()[:12]
    return Snippets(
        alt=alt,
        url=url,
        dark_url=dark,
        auto_url=auto,
        pinned_url=pinned,
        png_url=png,
        viewer_url=viewer,
        markdown=f"[![{markdown_text(alt)}]({markdown_url(url)})]({markdown_url(viewer)})",
        markdown_github=picture,
        html=f'{linked}<img src="{e(url)}" alt="{e(alt)}" loading="lazy"></a>',
        html_clickable=_clickable(services, session, prepared, options, base, src=png, alt=alt, name=name, draw=draw),
        confluence=f'!{url}|alt="{alt.replace("|", "/").replace("!", "")}"!',
        # An image URL as a link's text is shown as the picture, linked (MediaWiki takes no SVG).
        mediawiki=f"[{wiki_url(viewer)} {wiki_url(png)}]",
    )


def _clickable(
    services: Services,
    session: Session,
    prepared: Prepared,
    options: RenderOptions,
    base: str,
    *,
    src: str,
    alt: str,
    name: str,
    draw: bool,
) -> str | None:
    try:
        found = pictures.cached(session, prepared, "light")
        if found is None and draw:
            release(session)
            found = pictures.drawn(services, prepared, options, "light")
        if found is None:
            return None
        return to_html(image_map(found[1], base), src=src, alt=alt, name=name)
    except (RenderError, ImageMapError):
        return None
