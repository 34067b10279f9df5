"""oEmbed: the picture a copied URL shows, at its own size, or a refusal in words.

The sizes are checked against the picture itself, fetched at the answer's `url` and measured here
(a PNG's header; an SVG's root width and height, in pt, × 4/3 CSS pixels), on both databases
through the app, and against a real `betgraph serve` through micawber, an oEmbed consumer.
"""

from __future__ import annotations

import dataclasses
import os
import re
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from lxml import etree
from micawber import Provider, ProviderRegistry
from micawber.exceptions import ProviderHTTPException

from app.rendering.runner import graphviz_version
from app.services.renderer import Renderer
from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE
from tests.servers import ROOT, betgraph, serving

YAML = {"Content-Type": "application/yaml"}
PUBLIC = DESIGN_EXAMPLE.replace("as_of: 2026-11-01}", "as_of: 2026-11-01, visibility: public}")
SVG_PX_PER_PT = 4 / 3


def measure(body: bytes) -> tuple[float, float]:
    """A picture's size in CSS pixels, as a browser sizes it."""
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", body[16:24])
        return float(width), float(height)
    root = etree.fromstring(body)
    sizes = []
    for name in ("width", "height"):
        value = root.get(name)
        assert value is not None
        assert value.endswith("pt"), value
        sizes.append(float(value.removesuffix("pt")) * SVG_PX_PER_PT)
    return sizes[0], sizes[1]


def assert_announced(answer: dict[str, Any], size: tuple[float, float], box: tuple[int | None, int | None]) -> None:
    """The announced size is the picture's, scaled down to the box keeping its aspect ratio."""
    width, height = size
    maxwidth, maxheight = box
    scale = min(1.0, (maxwidth or width) / width, (maxheight or height) / height)
    assert abs(answer["width"] - width * scale) <= 0.5 + 1e-9, (answer, size, box)
    assert abs(answer["height"] - height * scale) <= 0.5 + 1e-9, (answer, size, box)
    if maxwidth is not None:
        assert answer["width"] <= maxwidth
    if maxheight is not None:
        assert answer["height"] <= maxheight


def two_revisions(api: Api, document: str = PUBLIC) -> dict[str, str]:
    writer = api.token()
    assert api.client.put("/api/graphs/acme", content=document.encode(), headers=YAML | writer).status_code == 201
    renamed = api.client.patch("/api/graphs/acme/bets/wizard", json={"title": "Setup assistant"}, headers=writer)
    assert renamed.status_code == 200
    return writer


def oembed(api: Api, url: str, **params: Any) -> httpx2.Response:
    given = {name: value for name, value in params.items() if value is not None}
    return api.client.get("/oembed", params={"url": url, **given})


def check(api: Api, url: str, expected: str, box: tuple[int | None, int | None] = (None, None)) -> dict[str, Any]:
    answer = oembed(api, url, maxwidth=box[0], maxheight=box[1])
    assert answer.status_code == 200, (url, answer.text)
    body: dict[str, Any] = answer.json()
    assert (body["type"], body["version"], body["provider_url"]) == ("photo", "1.0", "http://testserver")
    assert body["url"] == "http://testserver" + expected, url
    picture = api.client.get(expected, follow_redirects=False)
    assert picture.status_code == 200, (expected, picture.text)
    assert_announced(body, measure(picture.content), box)
    return body


@pytest.mark.parametrize(
    ("url", "expected", "title"),
    [
        ("/graphs/acme", "/graphs/acme.svg", "Acme product map"),
        ("http://testserver/graphs/acme?focus=wizard", "/graphs/acme.svg", "Acme product map"),
        ("/graphs/acme?view=why&focus=wizard", "/graphs/acme/why/wizard.svg", "Setup assistant"),
        ("/graphs/acme?view=why&focus=wizard&as_of=1", "/graphs/acme/r/1/why/wizard.svg", "Setup wizard"),
        ("/graphs/acme?view=impact&focus=setup-pain", "/graphs/acme/impact/setup-pain.svg", "setup"),
        ("/graphs/acme?view=team&focus=onboarding", "/graphs/acme/team/onboarding.svg", "onboarding"),
        ("/graphs/acme?as_of=1", "/graphs/acme/r/1.svg", "Acme product map"),
        ("/graphs/acme?as_of=2999-01-01", "/graphs/acme/r/2.svg", "Acme product map"),
        ("/graphs/acme?theme=dark&view=why&focus=wizard", "/graphs/acme/why/wizard.dark.svg", "Setup assistant"),
        ("/graphs/acme?view=diff&focus=1..2", "/graphs/acme/diff/1..2.svg", "r1 → r2"),
        ("/graphs/acme?view=diff&focus=1..", "/graphs/acme/diff/1..2.svg", "r1 → r2"),  # pinned: the latest moves
    ],
)
def test_a_viewer_url_embeds_the_picture_it_shows(api: Api, url: str, expected: str, title: str) -> None:
    two_revisions(api)
    assert title.lower() in check(api, url, expected)["title"].lower()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/graphs/acme.svg", "/graphs/acme.svg"),
        ("/graphs/acme.dark.png", "/graphs/acme.dark.png"),
        ("/graphs/acme.svg?as_of=1", "/graphs/acme/r/1.svg"),
        ("/graphs/acme/why/wizard.png?as_of=1", "/graphs/acme/r/1/why/wizard.png"),
        ("/graphs/acme/r/1/impact/setup-pain.svg", "/graphs/acme/r/1/impact/setup-pain.svg"),
        ("/graphs/acme/diff/1..2.dark.svg", "/graphs/acme/diff/1..2.dark.svg"),
        ("/graphs/acme/diff/1...png", "/graphs/acme/diff/1..2.png"),
        ("/graphs/acme/diff/1..2999-01-01.svg", "/graphs/acme/diff/1..2.svg"),
    ],
)
def test_a_picture_url_embeds_itself_or_the_pinned_picture_it_resolves_to(api: Api, url: str, expected: str) -> None:
    two_revisions(api)
    check(api, url, expected)


def test_maxwidth_and_maxheight_scale_down_keeping_the_aspect_ratio(api: Api) -> None:
    two_revisions(api)
    for box in ((300, None), (None, 120), (300, 120), (100_000, 100_000), (1, 1)):
        check(api, "/graphs/acme.png", "/graphs/acme.png", box)
        check(api, "/graphs/acme?view=why&focus=wizard", "/graphs/acme/why/wizard.svg", box)


def test_only_this_services_address_or_a_path_is_read(api: Api) -> None:
    two_revisions(api)
    for foreign in (
        "http://evil.example/graphs/acme.svg",
        "http://testserver:8080/graphs/acme.svg",
        "https://testserver/graphs/acme.svg",
        "//evil.example/graphs/acme",
    ):
        answer = oembed(api, foreign)
        assert answer.status_code == 404, foreign
        assert answer.headers["content-type"] == "application/problem+json"
    assert oembed(api, "http://TESTSERVER:80/graphs/acme").status_code == 200


def test_the_configured_public_url_is_this_services_address(api: Api) -> None:
    two_revisions(api)
    services = api.client.app.state.services  # type: ignore[attr-defined]
    public = dataclasses.replace(services.settings, public_url="https://bets.example.com/betgraph")
    api.client.app.state.services = dataclasses.replace(services, settings=public)  # type: ignore[attr-defined]
    answer = oembed(api, "https://bets.example.com/betgraph/graphs/acme?view=why&focus=wizard")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["url"] == "https://bets.example.com/betgraph/graphs/acme/why/wizard.svg"
    assert body["provider_url"] == "https://bets.example.com/betgraph"
    # The picture the routes serve is drawn with the same public URL: the same bytes, the same size.
    assert_announced(body, measure(api.client.get("/graphs/acme/why/wizard.svg").content), (None, None))
    assert oembed(api, "http://testserver/graphs/acme.svg").status_code == 404


@pytest.mark.parametrize(
    ("url", "params", "status", "words"),
    [
        ("/graphs/acme?band=6w", {}, 501, "filters cannot be embedded"),
        ("/graphs/acme?view=map&min=50&debate=1", {}, 501, "leave out min, debate"),
        ("/graphs/acme?zoom=2", {}, 422, "does not take zoom"),
        ("/graphs/acme.svg?theme=dark", {}, 422, "takes only as_of"),
        ("/graphs/acme/r/1.svg?as_of=2", {}, 422, "leave out as_of"),
        ("/graphs/acme?as_of=yesterday", {}, 422, "as_of must be"),
        ("/graphs/acme?as_of=3", {}, 404, "revisions 1 to 2"),
        ("/graphs/acme?as_of=1999-01-01", {}, 404, "did not exist yet"),
        ("/graphs/acme?view=why&focus=nope", {}, 404, "nope"),
        ("/graphs/acme?view=why", {}, 404, "needs a focus"),
        ("/graphs/acme/diff/2..1.svg", {}, 422, "swap them"),
        ("/graphs/acme/diff/x..2.svg", {}, 422, "from must be"),
        ("/graphs/acme.dot", {}, 501, "only .svg and .png"),
        ("/graphs/acme", {"format": "xml"}, 501, "only the json format"),
        ("/graphs/nope", {}, 404, "nope"),
        ("/graphs/acme\x00.svg", {}, 400, "NUL"),  # refused before any route
        ("/graphs/acme%00.svg", {}, 404, ""),
        ("/graphs/acme\u0085.svg", {}, 422, "control characters"),
        ("x" * 2001, {}, 422, ""),
        ("", {}, 404, ""),
        ("nonsense", {}, 404, ""),
        ("::::", {}, 404, ""),
        ("http://[::1/graphs/acme.svg", {}, 422, "not a URL"),
        ("http://testserver:0x50/graphs/acme.svg", {}, 422, "not a URL"),
        ("/graphs/acme", {"maxwidth": 0}, 422, ""),
    ],
)
def test_what_cannot_be_embedded_is_refused_in_words(
    api: Api, url: str, params: dict[str, Any], status: int, words: str
) -> None:
    two_revisions(api)
    answer = oembed(api, url, **params)
    assert answer.status_code == status, (url, answer.text)
    assert answer.headers["content-type"] == "application/problem+json"
    assert words in answer.json().get("detail", ""), answer.text


def test_a_lone_surrogate_is_refused_in_words(api: Api) -> None:
    two_revisions(api)
    # Percent-encoded UTF-8 of a lone surrogate, as a client can send it.
    answer = api.client.get("/oembed?url=/graphs/acme%ED%A0%80.svg")
    assert answer.status_code in (404, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_private_graph_embeds_only_through_its_embed_url(api: Api) -> None:
    two_revisions(api, DESIGN_EXAMPLE)
    for url in ("/graphs/acme", "/graphs/acme.svg", "/graphs/acme/r/1.svg", "/graphs/acme/diff/1..2.svg"):
        answer = oembed(api, url)
        assert answer.status_code == 401, url
        assert "embed URL" in answer.json()["detail"]
    token = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    check(api, f"/e/{token}/graphs/acme.svg", f"/e/{token}/graphs/acme.svg")
    check(api, f"/e/{token}/graphs/acme/r/1/why/wizard.png", f"/e/{token}/graphs/acme/r/1/why/wizard.png")
    check(api, f"/e/{token}/graphs/acme/diff/1...svg", f"/e/{token}/graphs/acme/diff/1..2.svg")
    check(api, f"/e/{token}/graphs/acme.svg?as_of=1", f"/e/{token}/graphs/acme/r/1.svg")
    assert oembed(api, "/e/bg_nope/graphs/acme.svg").status_code == 404


def test_a_focus_whose_slash_a_client_left_unencoded(api: Api) -> None:
    team = PUBLIC.replace("team: onboarding", 'team: "Growth / EMEA"')
    writer = api.token()
    api.client.put("/api/graphs/acme", content=team.encode(), headers=YAML | writer)
    expected = "/graphs/acme/team/Growth%20%2F%20EMEA.svg"
    check(api, "/graphs/acme/team/Growth%20/%20EMEA.svg", expected)
    check(api, "/graphs/acme?view=team&focus=Growth+/+EMEA", expected)


def test_a_picture_that_cannot_be_drawn_is_a_problem(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    two_revisions(api)
    graphviz_version()  # asked once per process, before Graphviz breaks
    wrapper = tmp_path / "bin" / "dot"
    wrapper.parent.mkdir()
    wrapper.write_text("#!/bin/sh\ncat > /dev/null\nkill -KILL $$\n")  # as if killed for its memory
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    answer = oembed(api, "/graphs/acme?view=why&focus=vision")
    assert answer.status_code == 422, answer.text
    assert answer.json()["title"] == "The diagram cannot be drawn"


def test_a_busy_renderer_is_a_problem_to_retry_not_a_wait(api: Api) -> None:
    two_revisions(api)
    services = api.client.app.state.services  # type: ignore[attr-defined]
    renderer = Renderer(slots=1, wait=0.1)
    api.client.app.state.services = dataclasses.replace(services, renderer=renderer)  # type: ignore[attr-defined]
    drawing, release = threading.Event(), threading.Event()

    def hold_the_slot() -> bytes:
        drawing.set()
        release.wait(10)
        return b"x"

    holder = threading.Thread(target=lambda: renderer.draw("someone else's", hold_the_slot))
    holder.start()
    try:
        assert drawing.wait(5)
        answer = oembed(api, "/graphs/acme?view=why&focus=self-serve")
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
    finally:
        release.set()
        holder.join()
    assert oembed(api, "/graphs/acme?view=why&focus=self-serve").status_code == 200


# A real server and a real consumer.


@dataclass
class Served:
    base: str
    admin: str
    token: str  # an embed token of the private graph


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("oembed")
    env = os.environ | {"BETGRAPH_DATA": str(data), "DATABASE_URL": ""}
    (data / "private.yaml").write_text(DESIGN_EXAMPLE.replace("slug: acme", "slug: private"))
    betgraph(env, "db", "upgrade")
    betgraph(env, "import", str(ROOT / "examples" / "acme.yaml"))
    betgraph(env, "import", str(data / "private.yaml"))
    admin = betgraph(env, "token", "create", "--scope", "admin", "--label", "oembed tests").stdout.strip()
    token = betgraph(env, "token", "create", "--scope", "read", "--graph", "private", "--label", "embed").stdout.strip()
    with serving(env) as base:
        changed = httpx2.patch(
            f"{base}/api/graphs/acme/bets/employee-invite-flow",
            json={"title": "Invite employees by link"},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=30,
        )
        assert changed.status_code == 200, changed.text
        yield Served(base, admin, token)


def consumer(served: Served) -> ProviderRegistry:
    """micawber set up as a site that embeds Betgraph does: our URLs, our endpoint."""
    registry = ProviderRegistry()
    # Drawing a picture nobody asked for yet may take seconds: a consumer waits for it.
    registry.register(re.escape(served.base) + r"/.+", Provider(f"{served.base}/oembed", timeout=120))
    return registry


def refusal(registry: ProviderRegistry, url: str) -> int:
    """The status the consumer was refused with."""
    with pytest.raises(ProviderHTTPException) as refused:
        registry.request(url)
    refused.value.__cause__.close()  # urllib's HTTPError holds the connection open
    status: int = refused.value.status
    return status


def fetched(url: str) -> bytes:
    picture = httpx2.get(url, timeout=120)  # no redirect followed: the url is the picture itself
    assert picture.status_code == 200, (url, picture.text)
    return picture.content


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/graphs/acme", "/graphs/acme.svg"),
        ("/graphs/acme.svg", "/graphs/acme.svg"),
        ("/graphs/acme.png", "/graphs/acme.png"),
        ("/graphs/acme.dark.svg", "/graphs/acme.dark.svg"),
        ("/graphs/acme/r/1/why/employee-invite-flow.png", "/graphs/acme/r/1/why/employee-invite-flow.png"),
        ("/graphs/acme/diff/1..2.svg", "/graphs/acme/diff/1..2.svg"),
        ("/graphs/acme?view=why&focus=employee-invite-flow", "/graphs/acme/why/employee-invite-flow.svg"),
        ("/graphs/acme?view=why&focus=employee-invite-flow&as_of=1", "/graphs/acme/r/1/why/employee-invite-flow.svg"),
        ("/graphs/acme?as_of=1", "/graphs/acme/r/1.svg"),
        ("/graphs/acme?view=diff&focus=1..", "/graphs/acme/diff/1..2.svg"),
    ],
)
def test_an_oembed_consumer_gets_the_pictures_own_size(served: Served, path: str, expected: str) -> None:
    registry = consumer(served)
    answer = registry.request(served.base + path)
    assert answer["type"] == "photo"
    assert answer["url"] == served.base + expected
    size = measure(fetched(answer["url"]))
    assert_announced(answer, size, (None, None))
    for box in ((300, 200), (400, None), (None, 100_000)):
        # micawber sends maxheight = maxwidth × 16/9 when only maxwidth is given, as many consumers do.
        sent = (box[0], box[1] or (box[0] * 16 // 9 if box[0] else None))
        asked = {name: value for name, value in zip(("maxwidth", "maxheight"), box, strict=True) if value}
        scaled = registry.request(served.base + path, **asked)
        assert scaled["url"] == answer["url"]
        assert_announced(scaled, size, sent)


def test_an_oembed_consumer_embeds_a_private_graph_only_through_its_embed_url(served: Served) -> None:
    registry = consumer(served)
    assert refusal(registry, f"{served.base}/graphs/private.svg") == 401
    url = f"{served.base}/e/{served.token}/graphs/private.png"
    answer = registry.request(url)
    assert answer["url"] == url
    assert_announced(answer, measure(fetched(url)), (None, None))


def test_an_oembed_consumer_is_told_why_a_url_does_not_embed(served: Served) -> None:
    registry = consumer(served)
    for path, status in (("/graphs/acme?band=6w", 501), ("/graphs/acme?zoom=2", 422), ("/graphs/nope", 404)):
        assert refusal(registry, served.base + path) == status, path


def test_an_oembed_consumer_turns_a_pasted_viewer_url_into_the_pinned_picture(served: Served) -> None:
    registry = consumer(served)
    # A URL on a line of its own becomes the picture; within a sentence, a link to it.
    html = registry.parse_text(f"Where we were:\n{served.base}/graphs/acme?as_of=1\n")
    assert f'<img alt="Acme product map" src="{served.base}/graphs/acme/r/1.svg"' in html
