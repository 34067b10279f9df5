from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.api import diagrams
from app.rendering.render import Prepared, prepare
from app.rendering.runner import graphviz_version
from app.services import pictures
from app.services.errors import BusyError
from app.services.renderer import Renderer
from app.storage.tokens import Scope, find_token, revoke_token
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE

YAML = {"Content-Type": "application/yaml"}
ACME = Path("examples/acme.yaml").read_text()


def _public(api: Api) -> dict[str, str]:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    return writer


def test_a_public_svg_with_its_headers(api: Api) -> None:
    _public(api)
    answer = api.client.get("/graphs/acme.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert answer.content.startswith(b"<svg")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cross-origin-resource-policy"] == "cross-origin"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["cache-control"].startswith("public, max-age=")
    assert answer.headers["etag"].startswith('"')
    assert "GMT" in answer.headers["last-modified"]


def test_revalidation_answers_304_without_drawing(api: Api) -> None:
    _public(api)
    renderer: Renderer = api.client.app.state.services.renderer  # type: ignore[attr-defined]
    first = api.client.get("/graphs/acme.svg")
    drawn = renderer.drawn
    again = api.client.get("/graphs/acme.svg", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert renderer.drawn == drawn
    assert api.client.get("/graphs/acme.svg").content == first.content  # from the cache, not redrawn
    assert renderer.drawn == drawn


def test_a_write_changes_the_picture_and_only_then_the_etag(api: Api) -> None:
    writer = _public(api)
    why_before = api.client.get("/graphs/acme/why/employee-invite-flow.svg").headers["etag"]
    map_before = api.client.get("/graphs/acme.svg").headers["etag"]
    # a bet outside the why-chain changes: the map changes, the why picture does not
    api.client.patch("/api/graphs/acme/bets/instant-pay-pilot", json={"certainty": 0.05}, headers=writer)
    assert api.client.get("/graphs/acme.svg").headers["etag"] != map_before
    assert api.client.get("/graphs/acme/why/employee-invite-flow.svg").headers["etag"] == why_before


def test_formats_themes_and_gzip(api: Api) -> None:
    _public(api)
    magic = {"png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph", "mmd": b"---"}
    for fmt, start in magic.items():
        answer = api.client.get(f"/graphs/acme/team/payments.{fmt}")
        assert answer.status_code == 200, answer.text
        assert answer.content.startswith(start)
    light = api.client.get("/graphs/acme.svg").content
    dark = api.client.get("/graphs/acme.dark.svg").content
    assert dark != light
    assert b"#0d1117" in dark
    zipped = api.client.get("/graphs/acme.svg", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"].endswith('-gz"')
    assert zipped.content == light  # the client has unzipped it


def test_private_graphs_through_embed_tokens(api: Api) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers=YAML | writer)
    assert api.client.get("/graphs/acme.svg").status_code == 401
    token = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    embedded = api.client.get(f"/e/{token}/graphs/acme/why/wizard.svg")
    assert embedded.status_code == 200
    assert embedded.headers["cache-control"].startswith("private")
    assert "access-control-allow-origin" not in embedded.headers
    unknown = api.client.get("/e/bg_nonsense/graphs/acme.svg")
    assert unknown.status_code == 404
    assert unknown.headers["cache-control"] == "no-store"


def test_unknown_views_and_formats(api: Api) -> None:
    _public(api)
    assert api.client.get("/graphs/acme.gif").status_code == 404
    assert api.client.get("/graphs/acme/why/nope.svg").status_code == 404
    assert api.client.get("/graphs/nope.svg").status_code == 404


def test_fifty_requests_for_one_picture_draw_it_once() -> None:
    renderer = Renderer(slots=2)
    calls = []
    asked = 0
    everyone_asked = threading.Condition()

    def slow() -> bytes:
        calls.append(1)
        # The drawing lasts until all fifty have asked, so that none comes after it and draws again.
        with everyone_asked:
            everyone_asked.wait_for(lambda: asked == 50, timeout=10)
        return b"picture"

    def ask() -> None:
        nonlocal asked
        with everyone_asked:
            asked += 1
            everyone_asked.notify_all()
        results.append(renderer.draw("key", slow))

    results: list[bytes] = []
    threads = [threading.Thread(target=ask) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"picture"] * 50
    assert len(calls) == 1
    assert renderer.drawn == 1


def test_a_full_pool_answers_busy_instead_of_hanging() -> None:
    renderer = Renderer(slots=1, wait=0.1)
    drawing, release = threading.Event(), threading.Event()

    def hold_the_slot() -> bytes:
        drawing.set()
        release.wait(5)
        return b"x"

    holder = threading.Thread(target=lambda: renderer.draw("slow", hold_the_slot))
    holder.start()
    assert drawing.wait(5)
    with pytest.raises(BusyError):
        renderer.draw("other", lambda: b"y")
    release.set()
    holder.join()


def test_pinned_urls_keep_their_revision_forever(api: Api) -> None:
    writer = _public(api)
    first = api.client.get("/graphs/acme.svg")
    api.client.patch("/api/graphs/acme/bets/instant-pay-pilot", json={"certainty": 0.05}, headers=writer)
    pinned = api.client.get("/graphs/acme/r/1.svg")
    assert pinned.status_code == 200
    assert pinned.content == first.content
    assert pinned.headers["etag"] == first.headers["etag"]
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert pinned.headers["access-control-allow-origin"] == "*"
    assert api.client.get("/graphs/acme/r/2.svg").content == api.client.get("/graphs/acme.svg").content
    assert api.client.get("/graphs/acme/r/2.svg").content != first.content
    # the revision's own date, which a later write does not move
    later = api.client.patch("/api/graphs/acme/bets/instant-pay-pilot", json={"certainty": 0.1}, headers=writer)
    assert later.status_code == 200
    assert api.client.get("/graphs/acme/r/1.svg").headers["last-modified"] == pinned.headers["last-modified"]
    focused = api.client.get("/graphs/acme/r/1/why/employee-invite-flow.dark.svg")
    assert focused.status_code == 200
    assert b"#0d1117" in focused.content
    assert focused.headers["cache-control"].endswith("immutable")
    assert api.client.get("/graphs/acme/r/1/team/payments.png").content.startswith(b"\x89PNG")


def test_pinned_urls_outside_the_history_are_not_found(api: Api) -> None:
    _public(api)
    for path in ("/graphs/acme/r/2.svg", "/graphs/acme/r/0.svg", "/graphs/acme/r/x.svg", "/graphs/acme/r/2/why/x.svg"):
        answer = api.client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.client.get("/graphs/acme/r/1/why/nope.svg").status_code == 404
    assert api.client.get("/graphs/acme/r/-1.svg").status_code == 404


def test_pinned_embeds_are_revalidated_and_stop_when_the_token_is_revoked(api: Api) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers=YAML | writer)
    token = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    assert api.client.get("/graphs/acme/r/1.svg").status_code == 401
    tags = {}
    for path in (f"/e/{token}/graphs/acme/r/1.svg", f"/e/{token}/graphs/acme/r/1/why/wizard.svg"):
        answer = api.client.get(path)
        assert answer.status_code == 200, path
        # Never immutable behind a secret: a browser asks again within a minute, cheaply.
        assert answer.headers["cache-control"] == "private, max-age=60"
        assert "access-control-allow-origin" not in answer.headers
        tags[path] = answer.headers["etag"]
        assert api.client.get(path, headers={"If-None-Match": tags[path]}).status_code == 304
    assert api.client.get(f"/e/{token}/graphs/acme/r/9.svg").status_code == 404
    assert api.client.get("/e/bg_nonsense/graphs/acme/r/1.svg").headers["cache-control"] == "no-store"
    with api.sessions() as session:
        found = find_token(session, token)
        assert found is not None
        revoke_token(session, found.id)
        session.commit()
    for path, tag in tags.items():
        again = api.client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 404, path
        assert again.headers["cache-control"] == "no-store"


def test_a_warm_picture_builds_no_dot(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = _public(api)
    built: list[Prepared] = []

    def counted(*args: Any) -> Prepared:
        built.append(prepare(*args))
        return built[-1]

    monkeypatch.setattr(pictures, "prepare", counted)
    first = api.client.get("/graphs/acme.svg")
    assert len(built) == 1
    assert api.client.get("/graphs/acme.svg").content == first.content
    zipped = api.client.get("/graphs/acme.svg", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == first.content  # the client has unzipped it
    assert api.client.get("/graphs/acme.svg", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert api.client.get("/graphs/acme/r/1.svg").content == first.content
    assert len(built) == 1
    # a write moves the head: the next request names a new picture
    api.client.patch("/api/graphs/acme/bets/instant-pay-pilot", json={"certainty": 0.05}, headers=writer)
    assert api.client.get("/graphs/acme.svg").content != first.content
    assert len(built) == 2
    # relative horizons are read against today: a new day names a new picture too
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(diagrams, "dt", SimpleNamespace(date=SimpleNamespace(today=lambda: tomorrow)))
    api.client.get("/graphs/acme.svg")
    assert len(built) == 3


def test_an_error_picture_is_well_formed_whatever_the_message() -> None:
    from lxml import etree  # noqa: PLC0415 - only this test parses

    from app.api.diagrams import _error_picture  # noqa: PLC0415

    for message in ("&" * 200, "<" * 109 + "&amp;", "ünïcode " * 40):
        etree.fromstring(_error_picture(message))


def test_a_picture_that_could_not_be_drawn_is_not_tried_again_at_once(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drawing that fails for good (here a Graphviz killed as if out of memory) is remembered for
    its input: the next requests for it are answered at once, without taking a render slot."""
    graphviz_version()  # asked once per process, before Graphviz breaks
    calls = tmp_path / "calls"
    wrapper = tmp_path / "bin" / "dot"
    wrapper.parent.mkdir()
    wrapper.write_text(f"#!/bin/sh\necho run >> {calls}\ncat > /dev/null\nkill -KILL $$\n")
    wrapper.chmod(0o755)
    _public(api)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    for _ in range(3):
        failed = api.client.get("/graphs/acme.svg")
        assert failed.status_code == 200  # an image tag shows a picture: the error is drawn in one
        assert b"could not draw" in failed.content
        assert failed.headers["cache-control"] == "no-store"
    assert calls.read_text().count("run") == 1
    api.client.get("/graphs/acme.dark.svg")  # another input is tried
    assert calls.read_text().count("run") == 2


def test_no_refusal_of_a_picture_is_kept_by_caches(api: Api) -> None:
    writer = _public(api)
    for url in ("/graphs/nope.svg", "/graphs/acme/r/99.svg", "/graphs/acme.gif", "/graphs/acme.svg?as_of=x"):
        answer = api.client.get(url)
        assert answer.status_code in (404, 422), url
        assert answer.headers["cache-control"] == "no-store", url
    private = api.client.get("/e/bg_nope/graphs/acme.svg")
    assert (private.status_code, private.headers["cache-control"]) == (404, "no-store")
    assert api.client.get("/graphs/acme.svg", headers=writer).headers["cache-control"] != "no-store"


def test_auto_pictures_follow_the_colour_scheme_and_are_svg_only(api: Api) -> None:
    _public(api)
    light, dark = api.client.get("/graphs/acme.svg"), api.client.get("/graphs/acme.dark.svg")
    for path in ("/graphs/acme.auto.svg", "/graphs/acme/r/1.auto.svg", "/graphs/acme/team/payments.auto.svg"):
        auto = api.client.get(path)
        assert auto.status_code == 200, path
        assert b"@media (prefers-color-scheme: dark)" in auto.content
        assert auto.headers["etag"] not in (light.headers["etag"], dark.headers["etag"])
        assert api.client.get(path, headers={"If-None-Match": auto.headers["etag"]}).status_code == 304
    for path in ("/graphs/acme.auto.png", "/graphs/acme.auto.pdf", "/graphs/acme/r/1.auto.dot"):
        refused = api.client.get(path)
        assert refused.status_code == 404, path
        assert refused.headers["content-type"] == "application/problem+json"
        assert "only SVG can carry both" in refused.json()["detail"]
    assert api.client.get("/graphs/acme.auto.mmd").status_code == 200  # Mermaid ignores the theme


def test_head_answers_like_get_without_a_body(api: Api) -> None:
    _public(api)
    for path in ("/graphs/acme.svg", "/graphs/acme/r/1.png", "/graphs/acme/team/payments.dark.svg"):
        got = api.client.get(path)
        head = api.client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        for name in ("etag", "cache-control", "content-type"):
            assert head.headers[name] == got.headers[name], (path, name)
    assert api.client.head("/graphs/nope.svg").status_code == 404
