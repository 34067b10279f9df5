"""Bad input on every route: a clear 4xx that changes nothing, never a 5xx or a traceback.

The routes are read from the app itself, so a route added later is covered without editing this
file. Each kind of bad input is one test that walks every route it applies to on one database and
lists every route that answered wrongly, rather than one test per route: the graph is loaded once
per test, and the whole module stays a few seconds long on two cores.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx2 import Response
from starlette.routing import BaseRoute

from app.api.problems import PROBLEM_JSON
from app.storage.tokens import Scope
from tests.api.conftest import Api

ACME = (Path(__file__).resolve().parent.parent.parent / "examples" / "acme.yaml").read_text()
YAML = {"Content-Type": "application/yaml"}
JSON = {"Content-Type": "application/json"}
BET = "self-serve"
METRIC_BET = "time-to-first-payroll"
ASSUMPTION = "owners-prefer-self-serve"
SMALL_ANSWER = 64 << 10  # a refusal says what is wrong in a few lines, never echoes the input
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
# Query parameters some routes require, so that a test can spoil one of the others alone.
# A public address, written as one: the check of a webhook's target needs no name resolved.
WEBHOOK_URL = "https://93.184.215.14/hooks/betgraph"
REQUIRED = {"from": "1", "url": "http://testserver/graphs/acme.svg", "q": "self-serve"}


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # /api/graphs/{slug}/bets/{item_id}, as the app declares it
    query: tuple[str, ...]  # the query parameters its endpoint declares

    @property
    def api(self) -> bool:
        return self.template.startswith("/api/")

    @property
    def writes(self) -> bool:
        return self.method in ("PUT", "POST", "PATCH", "DELETE")


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        yield from _walk(candidates()) if candidates is not None else [route]


def all_routes(app: FastAPI) -> list[Route]:
    """Every method of every route the app answers, static files included (one of them)."""
    found = []
    for entry in _walk(app.routes):
        route: BaseRoute = getattr(entry, "original_route", entry)
        path = str(getattr(entry, "path", None) or getattr(route, "path", ""))
        if path == "/static":
            found.append(Route("GET", "/static/app.css", ()))
            continue
        dependant = getattr(route, "dependant", None)
        query = tuple(p.alias for p in _flat(dependant, "query_params")) if dependant else ()
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                found.append(Route(method, path, query))
    return found


def _flat(dependant: Any, kind: str) -> Iterator[Any]:
    yield from getattr(dependant, kind)
    for sub in dependant.dependencies:
        yield from _flat(sub, kind)


@dataclass
class Scene:
    """The example graph loaded, the tokens that reach it, and how to fill a route's path."""

    api: Api
    writer: dict[str, str]
    embed: str
    cookies: dict[str, str]  # the viewer's, signed in with the writer's token
    csrf: str
    webhook: int  # a subscription to the graph's revisions

    def values(self, template: str) -> dict[str, str]:
        section_item = ASSUMPTION if "/assumptions/" in template else BET
        if template.endswith("/checkins") or template.endswith("/checkin"):
            section_item = METRIC_BET
        picture = {
            "/graphs/{file}": "acme.dot",
            "/r/{file}": "1.dot",
            "/diff/{file}": "1..1.dot",
            "/graphs/{slug}/{file}": "board.dot",
            "/r/{revision}/{file}": "assumptions.dot",
        }
        file = next((value for ending, value in picture.items() if template.endswith(ending)), f"{BET}.dot")
        return {
            "slug": "acme",
            "item_id": section_item,
            "bet_id": BET,
            "node_id": BET,
            "number": "1",
            "revision": "1",
            "kind": "why",
            "file": file,
            "token": self.embed,
            "email": "ana@example.com",
            "token_id": "1",
            "sign_in_id": "1",
            "lens": "board",
            "webhook_id": str(self.webhook),
        }

    def path(self, template: str, change: Callable[[str], str] | None = None, only: str | None = None) -> str:
        values = self.values(template)

        def fill(match: re.Match[str]) -> str:
            value = values[match.group(1)]
            return change(value) if change is not None and only in (None, match.group(1)) else value

        return PARAMETER.sub(fill, template)

    def url(self, route: Route, path: str | None = None, **query: str) -> str:
        """The route's path with the query it requires, and `query` (written as is: already encoded)."""
        pairs = {name: value for name, value in REQUIRED.items() if name in route.query} | query
        path = self.path(route.template) if path is None else path
        return path + ("?" + "&".join(f"{name}={value}" for name, value in pairs.items()) if pairs else "")

    def state(self) -> tuple[str, int]:
        """What must not move: the graph's ETag and the number of revisions it has."""
        graph = self.api.client.get("/api/graphs/acme", headers=self.writer)
        revisions = self.api.client.get("/api/graphs/acme/revisions?limit=100", headers=self.writer).json()
        return graph.headers["etag"], len(revisions["items"])


@pytest.fixture
def scene(api: Api) -> Scene:
    writer = api.token(Scope.ADMIN)
    loaded = api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    assert loaded.status_code == 201, loaded.text
    embed = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    csrf = _csrf(api)
    token = writer["Authorization"].removeprefix("Bearer ")
    signed = api.client.post("/signin", data={"token": token, "csrf": csrf}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    cookies = dict(api.client.cookies.items())
    api.client.cookies.clear()
    hook = {"url": WEBHOOK_URL, "events": ["revision.created"], "graph": "acme"}
    made = api.client.post("/api/webhooks", json=hook, headers=writer)
    assert made.status_code == 201, made.text
    return Scene(api, writer, embed, cookies, csrf, made.json()["id"])


def _csrf(api: Api) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', api.client.get("/signin").text)
    assert found is not None
    return found.group(1)


_routes: dict[int, list[Route]] = {}


def routes_of(scene: Scene) -> list[Route]:
    app = scene.api.client.app
    if id(app) not in _routes:
        _routes.clear()  # one app per test: keep only the current one's
        _routes[id(app)] = all_routes(app)  # type: ignore[arg-type]
    found = _routes[id(app)]
    assert len(found) > 40, "the routes were not found: has FastAPI changed how it keeps them?"
    return found


def wrong(route: Route, answer: Response, *, harmless: tuple[int, ...] = ()) -> str | None:
    """Why this answer breaks the rule, or None: a 4xx (or a status named harmless), a problem for
    the API, a page for the viewer, and a small body."""
    status = answer.status_code
    if route.template == "/oembed" and status == 501:
        return None  # what the oEmbed spec asks for a format it does not serve
    if not (400 <= status < 500 or status in harmless):
        return f"{route.method} {answer.request.url} -> {status}: {answer.text[:200]}"
    if 400 <= status < 500:
        if len(answer.content) > SMALL_ANSWER:
            return f"{route.method} {answer.request.url} -> {len(answer.content):,} bytes"
        content_type = answer.headers.get("content-type", "")
        html = content_type.startswith("text/html")
        if not (content_type.startswith(PROBLEM_JSON) or (html and not route.api)):
            return f"{route.method} {answer.request.url} -> {status} as {content_type!r}"
        if "Traceback" in answer.text:
            return f"{route.method} {answer.request.url} -> a traceback"
    return None


def check(scene: Scene, sent: Callable[[Route], Iterator[tuple[Route, Response]]], **options: Any) -> None:
    before = scene.state()
    problems = [
        problem
        for route in routes_of(scene)
        for target, answer in sent(route)
        if (problem := wrong(target, answer, **options)) is not None
    ]
    assert not problems, "\n".join(problems)
    assert scene.state() == before


def send(scene: Scene, route: Route, url: str, token: bool, **body: Any) -> Response:
    """With `token`, as a writer: the API's header and the viewer's sign-in cookie (the CSRF value
    is the viewer's forms' to send)."""
    client = scene.api.client
    client.cookies.clear()
    if token:
        client.cookies.update(scene.cookies)
    headers = (scene.writer if token else {}) | body.pop("headers", {})
    return client.request(route.method, url, headers=headers, follow_redirects=False, **body)


# --- the URL ---------------------------------------------------------------------------------------


# Routes of single sign-on, which this app (configured without it) answers with 404: tests/web/test_sso.py.
ONLY_WITH_SSO = {"/auth/callback"}


def test_every_route_is_reached_with_its_path_filled(scene: Scene) -> None:
    """The fill above must name things that exist, or the tests below would only see 404s."""
    for route in routes_of(scene):
        if route.method == "GET" and route.template not in ONLY_WITH_SSO:
            answer = send(scene, route, scene.url(route), token=True)
            assert answer.status_code in (200, 307), f"{route.template}: {answer.status_code} {answer.text[:200]}"


@pytest.mark.parametrize("token", [True, False], ids=["token", "anonymous"])
def test_nul_in_any_path_segment(scene: Scene, token: bool) -> None:
    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if not token and not route.writes:
            return  # reading is the same with or without a token: once is enough
        segments = scene.path(route.template).split("/")
        for index in range(1, len(segments)):
            bad = "/".join([*segments[:index], segments[index] + "%00", *segments[index + 1 :]])
            yield route, send(scene, route, scene.url(route, bad), token)

    check(scene, sent)


# Read from request.query_params by the viewer's pages rather than declared by their endpoints.
VIEWER_QUERY = ("min", "as_of", "focus", "view", "band", "team", "kind", "status", "debate", "theme", "next", "parent")


def _query_names(route: Route) -> set[str]:
    names = {*route.query, "reason", "as_of"}
    return names | set(VIEWER_QUERY) if route.template == "/graphs/{slug:slug}" else names


@pytest.mark.parametrize("token", [True, False], ids=["token", "anonymous"])
def test_nul_in_any_query_value(scene: Scene, token: bool) -> None:
    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if not token and not route.writes:
            return
        for name in _query_names(route):
            yield route, send(scene, route, scene.url(route, **{name: "a%00b"}), token)

    check(scene, sent)


def test_a_lone_surrogate_in_a_query_value_reads_as_a_replacement_character(scene: Scene) -> None:
    """%ED%A0%80 (a UTF-8 encoded surrogate) is decoded as U+FFFD: harmless text, never a 500."""

    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if route.writes:
            return  # a write with a harmless reason would be carried out
        for name in _query_names(route):
            yield route, send(scene, route, scene.url(route, **{name: "%ED%A0%80"}), True)

    check(scene, sent, harmless=(200, 307))
    reason = "/api/graphs/acme/bets/self-serve?reason=%ED%A0%80"
    patched = scene.api.client.patch(reason, json={"certainty": 0.42}, headers=scene.writer)
    assert patched.status_code == 200, patched.text
    revisions = scene.api.client.get("/api/graphs/acme/revisions", headers=scene.writer).json()["items"]
    assert set(revisions[0]["reason"]) == {"\ufffd"}  # one for each byte of the surrogate


# Query parameters that read a moment (a revision number, a date or a date-time): `as_of` on every read,
# a diff's `from` and `to`, a digest's `since` and `until`.
MOMENT_PARAMETERS = ("as_of", "from", "to", "since", "until")
MOMENTS = [
    "0000-01-01",
    "0001-01-01T00:00%2B14:00",  # before the first instant a datetime holds, once in UTC
    "9999-12-31T23:59:59.999999-14:00",  # after the last one
    "9999-12-31",
    "2026-13-01",
    "2026-02-30T25:61",
    "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01",  # fullwidth digits: isdigit() but not ASCII
    "9" * 60,
    "-1",
]


def test_moments_no_datetime_holds_are_refused_on_every_route_that_reads_one(scene: Scene) -> None:
    """Each is a 4xx naming the parameter, or (a far date that is a real date) an answer: never a 5xx."""

    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if route.writes:
            return
        for name in sorted(set(MOMENT_PARAMETERS) & _query_names(route)):
            for moment in MOMENTS:
                yield route, send(scene, route, scene.url(route, **{name: moment}), True)

    check(scene, sent, harmless=(200, 307))


@pytest.mark.parametrize("minimum", ["nan", "NaN", "inf", "-inf", "1e999", "-1e999", "%00", "1" * 5000, "50%25"])
def test_the_viewer_ignores_a_minimum_that_is_not_a_number(scene: Scene, minimum: str) -> None:
    answer = scene.api.client.get(f"/graphs/acme?min={minimum}")
    assert answer.status_code in (200, 400), answer.text[:300]
    assert "Traceback" not in answer.text


# --- the body --------------------------------------------------------------------------------------

DEEP = 10_000
# Each route's body as JSON text, with @ where a bad value goes; the rest is a valid request.
JSON_BODIES = {
    ("PUT", "/api/graphs/{slug}"): '{"betgraph": 1, "graph": {"slug": "acme", "title": @}, "bets": []}',
    ("POST", "/api/graphs/{slug}/bets"): '{"id": "x", "kind": "goal", "title": @, "parents": ["self-serve"]}',
    ("PATCH", "/api/graphs/{slug}/bets/{item_id}"): '{"title": @}',
    ("POST", "/api/graphs/{slug}/assumptions"): '{"id": "x", "statement": @}',
    ("PATCH", "/api/graphs/{slug}/assumptions/{item_id}"): '{"statement": @, "certainty": 0.5}',
    ("POST", "/api/graphs/{slug}/bets/{item_id}/resolve"): '{"verdict": "validated", "learned": @}',
    ("POST", "/api/graphs/{slug}/assumptions/{item_id}/resolve"): '{"verdict": "validated", "learned": @}',
    ("POST", "/api/graphs/{slug}/bets/{item_id}/checkins"): '{"value": 3, "note": @}',
    ("PUT", "/api/graphs/{slug}/members/{email}"): '{"role": @}',
    ("POST", "/api/webhooks"): '{"url": "' + WEBHOOK_URL + '", "events": ["revision.created"], "description": @}',
    ("PATCH", "/api/webhooks/{webhook_id}"): '{"description": @}',
}
# Numbers go where a number is read; the text above would refuse them for being numbers.
NUMBER_BODIES = {
    ("PUT", "/api/graphs/{slug}"): '{"betgraph": 1, "graph": {"slug": "acme", "title": "A"}, '
    '"bets": [{"id": "v", "kind": "vision", "title": "V", "certainty": @}]}',
    ("POST", "/api/graphs/{slug}/bets"): '{"id": "x", "kind": "goal", "title": "X", "certainty": @}',
    ("PATCH", "/api/graphs/{slug}/bets/{item_id}"): '{"certainty": @}',
    ("POST", "/api/graphs/{slug}/assumptions"): '{"id": "x", "statement": "S", "importance": @}',
    ("PATCH", "/api/graphs/{slug}/assumptions/{item_id}"): '{"certainty": @}',
    ("POST", "/api/graphs/{slug}/bets/{item_id}/resolve"): '{"verdict": "validated", "committed_certainty": @}',
    ("POST", "/api/graphs/{slug}/assumptions/{item_id}/resolve"): '{"verdict": "validated", "committed_certainty": @}',
    ("POST", "/api/graphs/{slug}/bets/{item_id}/checkins"): '{"value": @}',
}
TEXT_VALUES = {
    "nul": '"a\\u0000b"',
    "surrogate": '"\\ud800"',
    "low-surrogate": '"x\\udfffy"',
    "deep-list": "[" * DEEP + "]" * DEEP,
    "deep-object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "megabyte": '"' + "x" * (1 << 20) + '"',
}
NUMBER_VALUES = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "1e400": "1e400",
    "10**400": "1" + "0" * 400,
    "10**5000": "1" + "0" * 5000,
    "text": '"a\\u0000"',
}


def _body_routes(scene: Scene) -> list[Route]:
    found = [route for route in routes_of(scene) if (route.method, route.template) in JSON_BODIES]
    assert len(found) == len(JSON_BODIES), "a route that takes a body is missing from JSON_BODIES"
    return found


def test_every_api_route_that_takes_a_body_is_covered(scene: Scene) -> None:
    for route in routes_of(scene):
        if route.api and route.method in ("PUT", "POST", "PATCH"):
            assert (route.method, route.template) in JSON_BODIES, route


@pytest.mark.parametrize(
    ("bodies", "value"),
    [(JSON_BODIES, name) for name in TEXT_VALUES] + [(NUMBER_BODIES, name) for name in NUMBER_VALUES],
    ids=[f"text-{name}" for name in TEXT_VALUES] + [f"number-{name}" for name in NUMBER_VALUES],
)
def test_bad_json_bodies_are_refused(scene: Scene, bodies: dict[tuple[str, str], str], value: str) -> None:
    literal = {**TEXT_VALUES, **NUMBER_VALUES}[value]

    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        template = bodies.get((route.method, route.template))
        if template is None:
            return
        body = template.replace("@", literal).encode()
        for token in (True, False):
            yield route, send(scene, route, scene.url(route), token, content=body, headers=JSON)

    check(scene, sent)


@pytest.mark.parametrize("shape", ["deep-list", "deep-object", "nan", "huge-integer"])
def test_a_bad_json_body_as_a_whole_is_refused(scene: Scene, shape: str) -> None:
    body = {
        "deep-list": "[" * DEEP + "]" * DEEP,
        "deep-object": '{"a":' * DEEP + "1" + "}" * DEEP,
        "nan": "NaN",
        "huge-integer": "1" + "0" * 400,
    }[shape].encode()

    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if (route.method, route.template) in JSON_BODIES:
            yield route, send(scene, route, scene.url(route), True, content=body, headers=JSON)

    check(scene, sent)


STRING = "x" * 100_000
YAML_BOMBS = {
    # Each level nine times the one below: 9**9 lists once expanded.
    "billion-laughs": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)),
    # 100 KB once, named 40,000 times: 4 GB of text to anyone who expands it.
    "repeated-string": f"s: &s {STRING}\nbets: [" + ", ".join(["*s"] * 40_000) + "]\n",
    "deep-flow": "betgraph: 1\nbets: " + "[" * DEEP + "]" * DEEP + "\n",
    "deep-block": "betgraph: 1\nbets:\n" + "".join("  " * i + "- \n" for i in range(2000)),
}


@pytest.mark.parametrize("bomb", list(YAML_BOMBS))
def test_yaml_bombs_are_refused_quickly_with_a_small_answer(scene: Scene, bomb: str) -> None:
    body = YAML_BOMBS[bomb].encode()

    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if (route.method, route.template) in JSON_BODIES:
            started = time.monotonic()
            answer = send(scene, route, scene.url(route), True, content=body, headers=YAML)
            assert time.monotonic() - started < 5, f"{route.template} took {time.monotonic() - started:.1f} s"
            yield route, answer

    check(scene, sent)


def test_an_if_match_that_is_not_a_small_number_matches_nothing(scene: Scene) -> None:
    """Item ETags are "b12": a tag whose digits make no revision number must not reach int()."""
    tags = ['"b' + "9" * 5000 + '"', '"a' + "9" * 5000 + '"', '"b' + "9" * 30 + '"', '"a' + "9" * 30 + '"', '"b\u00b2"']

    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        if not route.api or "{item_id}" not in route.template or route.method == "GET":
            return
        body = JSON_BODIES.get((route.method, route.template), "@").replace("@", '"T"').encode()
        for tag in tags:
            headers = JSON | {"If-Match": tag.encode()}
            content = body if route.method != "DELETE" else b""
            yield route, send(scene, route, scene.url(route), True, content=content, headers=headers)

    check(scene, sent)


# --- the viewer's forms ----------------------------------------------------------------------------

# A valid form for each of the viewer's POST routes (the CSRF value is added when sent).
FORMS: dict[str, dict[str, str]] = {
    "/signin": {"token": "bg_nope", "next": "/"},
    "/signout": {},
    "/theme": {"theme": "dark", "next": "/"},
    "/graphs/{slug:slug}/bets/new": {"id": "x", "kind": "goal", "title": "X", "parents": BET, "certainty": "0.5"},
    "/graphs/{slug:slug}/bets/{item_id}/edit": {"title": "X", "kind": "goal", "certainty": "0.5", "version": "1"},
    "/graphs/{slug:slug}/bets/{item_id}/delete": {"version": "1"},
    "/graphs/{slug:slug}/assumptions/new": {"id": "x", "statement": "S", "certainty": "0.5", "importance": "3"},
    "/graphs/{slug:slug}/assumptions/{item_id}/edit": {"statement": "S", "certainty": "0.5", "version": "1"},
    "/graphs/{slug:slug}/assumptions/{item_id}/delete": {"version": "1"},
    "/graphs/{slug:slug}/bets/{item_id}/resolve": {"verdict": "validated", "learned": "L", "committed_certainty": "1"},
    "/graphs/{slug:slug}/assumptions/{item_id}/resolve": {"verdict": "validated", "committed_certainty": "0.5"},
    "/graphs/{slug:slug}/bets/{item_id}/checkin": {"value": "3", "note": "N", "date": "2026-01-01"},
    "/graphs/{slug:slug}/embed-token": {"view": "why", "focus": BET},
    "/graphs/{slug:slug}/visits": {"revision": "1"},
    "/graphs/{slug:slug}/settings": {"title": "T", "description": "D", "visibility": "public"},
    "/graphs/{slug:slug}/members": {"email": "ana@example.com", "role": "viewer"},
    "/graphs/{slug:slug}/members/remove": {"email": "ana@example.com"},
    "/graphs/{slug:slug}/embed-tokens/{token_id:int}/revoke": {},
    "/auth/logout": {},
    "/account/tokens": {"scope": "read", "label": "L"},
    "/account/tokens/{token_id:int}/revoke": {},
    "/account/sign-ins/{sign_in_id:int}/end": {},
    "/graphs/{slug:slug}/webhooks": {
        "url": WEBHOOK_URL,
        "events": "revision.created",
        "format": "slack",
        "description": "D",
    },
    "/graphs/{slug:slug}/webhooks/{webhook_id:int}/enable": {"enabled": "off"},
    "/graphs/{slug:slug}/webhooks/{webhook_id:int}/remove": {},
}
# Fields that read a number: any text there that is not a finite, small number is refused.
NUMBERS = {"certainty", "committed_certainty", "importance", "value", "version", "metric.target"}
NUMBER_TEXT = ["nan", "-inf", "1e999", "9" * 5000, "\u00b2"]


# POST routes that take no form: the MCP server speaks JSON-RPC (its bad input: tests/api/test_mcp.py).
NOT_FORMS = {"/mcp"}


def test_every_viewer_form_is_covered(scene: Scene) -> None:
    posted = {route.template for route in routes_of(scene) if not route.api and route.method == "POST"} - NOT_FORMS
    assert posted == set(FORMS)


def _form(route: Route) -> dict[str, str] | None:
    return FORMS.get(route.template) if route.method == "POST" else None


# Fields whose bad value is ignored: a target off the site is "/", an unknown view the map.
IGNORED = {"next", "view"}


@pytest.mark.parametrize("token", [True, False], ids=["signed-in", "anonymous"])
def test_nul_in_any_form_field_is_refused(scene: Scene, token: bool) -> None:
    def sent(field: str) -> Callable[[Route], Iterator[tuple[Route, Response]]]:
        def each(route: Route) -> Iterator[tuple[Route, Response]]:
            form = _form(route)
            if form is not None and (field in form or field == "csrf"):
                data = {"csrf": scene.csrf} | form | {field: "a\x00b"}
                yield route, send(scene, route, scene.url(route), token, data=data)

        return each

    fields = {field for form in FORMS.values() for field in form} | {"csrf"}
    for field in sorted(fields - IGNORED):
        check(scene, sent(field))
    for field in sorted(IGNORED):
        check(scene, sent(field), harmless=(200, 303))


def test_numbers_a_form_cannot_hold_are_refused(scene: Scene) -> None:
    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        form = _form(route)
        for name in NUMBERS & set(form or ()):
            for text in NUMBER_TEXT:
                data = {"csrf": scene.csrf} | (form or {}) | {name: text}
                yield route, send(scene, route, scene.url(route), True, data=data)

    check(scene, sent)


def test_a_lone_surrogate_in_a_form_field_arrives_as_replacement_characters(scene: Scene) -> None:
    """Form encoding cannot carry a lone surrogate: its UTF-8 bytes decode to U+FFFD, saved as text."""
    body = f"csrf={scene.csrf}&title=%ED%A0%80&kind=goal&version=1".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    route = Route("POST", "/graphs/{slug:slug}/bets/{item_id}/edit", ())
    answer = send(scene, route, scene.path(route.template), True, content=body, headers=headers)
    assert answer.status_code == 303, answer.text[:300]
    title = scene.api.client.get(f"/api/graphs/acme/bets/{BET}", headers=scene.writer).json()["title"]
    assert set(title) == {"\ufffd"}


def test_a_megabyte_form_is_refused(scene: Scene) -> None:
    def sent(route: Route) -> Iterator[tuple[Route, Response]]:
        form = _form(route)
        if form is not None:
            data = {"csrf": scene.csrf} | form | {"title": "x" * (1 << 20)}
            yield route, send(scene, route, scene.url(route), True, data=data)

    check(scene, sent)
