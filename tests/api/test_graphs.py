from __future__ import annotations

from pathlib import Path

import pytest
from httpx2 import Response

from app.formats.document import load
from app.formats.writing import dump_json
from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE

YAML = {"Content-Type": "application/yaml"}
ACME = Path("examples/acme.yaml").read_text()


def put(api: Api, slug: str, body: str, headers: dict[str, str], **extra: str) -> Response:
    return api.client.put(f"/api/graphs/{slug}", content=body.encode(), headers=YAML | headers | extra)


def test_healthz(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}


def test_put_then_get_round_trips(api: Api) -> None:
    writer = api.token()
    created = api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    assert created.status_code == 201
    assert created.headers["etag"] == '"r1"'
    assert created.json() == {"slug": "acme", "revision": 1, "created": True, "changed": True}
    as_json = api.client.get("/api/graphs/acme")  # public: no token needed
    assert as_json.status_code == 200
    assert load(as_json.text)[0] == load(ACME)[0]
    as_yaml = api.client.get("/api/graphs/acme", headers={"Accept": "application/yaml"})
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert load(as_yaml.text)[0] == load(ACME)[0]
    again = api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    assert again.status_code == 200
    assert again.json()["changed"] is False
    unchanged = api.client.get("/api/graphs/acme", headers={"If-None-Match": '"r1"'})
    assert unchanged.status_code == 304


def test_json_body(api: Api) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    answer = api.client.put("/api/graphs/acme", content=dump_json(graph).encode(),
                            headers={"Content-Type": "application/json"} | api.token())  # fmt: skip
    assert answer.status_code == 201


def test_an_invalid_document_changes_nothing(api: Api) -> None:
    writer = api.token()
    put(api, "acme", ACME, writer)
    before = api.client.get("/api/graphs/acme").content
    broken = ACME.replace("certainty: 70%", "certainty: 1.7", 1)
    answer = put(api, "acme", broken, writer)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:betgraph:problem:invalid-document"
    error = problem["errors"][0]
    assert error["message"] == "certainty must be between 0 and 1, got 1.7"
    lines = broken.splitlines()
    assert error["line"] == lines.index(next(line for line in lines if "1.7" in line)) + 1
    assert error["pointer"].endswith("/certainty")
    assert api.client.get("/api/graphs/acme").content == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("bets: [\n", "YAML syntax error"),
        ("betgraph: 1\ngraph: {slug: acme, title: A}\nbets:\n  - {id: a, kind: goal, title: A, parents: [a]}", "cycle"),
        ("betgraph: 1\ngraph: {slug: other, title: A}\n", "graph.slug is 'other' but the URL names 'acme'"),
    ],
)
def test_bad_documents(api: Api, body: str, message: str) -> None:
    answer = put(api, "acme", body, api.token())
    assert answer.status_code == 422
    assert message in answer.text


def test_if_match(api: Api) -> None:
    writer = api.token()
    put(api, "acme", ACME, writer)
    stale = put(api, "acme", ACME.replace("Acme product map", "Renamed"), writer, **{"If-Match": '"r0"'})
    assert stale.status_code == 412
    fresh = put(api, "acme", ACME.replace("Acme product map", "Renamed"), writer, **{"If-Match": '"r1"'})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"r2"'
    # YAML and JSON are two representations with tags of their own; either names the revision.
    as_yaml = api.client.get("/api/graphs/acme", headers={"Accept": "application/yaml"} | writer)
    as_json = api.client.get("/api/graphs/acme", headers=writer)
    assert (as_yaml.headers["etag"], as_json.headers["etag"]) == ('"r2-yaml"', '"r2"')
    again = api.client.get("/api/graphs/acme", headers={"If-None-Match": '"r2"'} | writer)
    assert again.status_code == 304
    assert put(api, "acme", ACME, writer, **{"If-Match": '"r2-yaml"'}).status_code == 200


def test_tokens_and_visibility(api: Api) -> None:
    private = DESIGN_EXAMPLE  # no visibility: private
    writer = api.token()
    assert put(api, "acme", private, {}).status_code == 401
    assert put(api, "acme", private, {"Authorization": "Bearer nonsense"}).status_code == 401
    assert put(api, "acme", private, api.token(Scope.READ)).status_code == 403
    assert put(api, "acme", private, writer).status_code == 201
    assert api.client.get("/api/graphs/acme").status_code == 401
    assert api.client.get("/api/graphs/acme", headers=api.token(Scope.READ)).status_code == 200
    put(api, "other", DESIGN_EXAMPLE.replace("slug: acme", "slug: other"), writer)
    scoped = api.token(Scope.WRITE, graph="other")
    assert api.client.get("/api/graphs/acme", headers=scoped).status_code == 404
    assert api.client.get("/api/graphs/other", headers=scoped).status_code == 200
    assert put(api, "acme", private, scoped).status_code == 404
    assert [g["slug"] for g in api.client.get("/api/graphs").json()["items"]] == []
    assert [g["slug"] for g in api.client.get("/api/graphs", headers=scoped).json()["items"]] == ["other"]
    assert [g["slug"] for g in api.client.get("/api/graphs", headers=writer).json()["items"]] == ["acme", "other"]


def test_pagination(api: Api) -> None:
    writer = api.token()
    for slug in ("a", "b", "c"):
        put(api, slug, DESIGN_EXAMPLE.replace("slug: acme", f"slug: {slug}"), writer)
    first = api.client.get("/api/graphs?limit=2", headers=writer).json()
    assert [g["slug"] for g in first["items"]] == ["a", "b"]
    assert first["next"] == "b"
    second = api.client.get(f"/api/graphs?limit=2&after={first['next']}", headers=writer).json()
    assert [g["slug"] for g in second["items"]] == ["c"]
    assert second["next"] is None


def test_lint_and_why(api: Api) -> None:
    writer = api.token()
    put(api, "acme", DESIGN_EXAMPLE, writer)
    findings = api.client.get("/api/graphs/acme/lint", headers=writer).json()["findings"]
    assert [f["rule"] for f in findings] == ["false-certainty"]
    why = api.client.get("/api/graphs/acme/why/wizard", headers=writer).json()
    assert why["path"] == ["wizard", "self-serve", "vision"]
    assert why["weakest"] == "setup-pain"
    assert round(why["chain_certainty"], 3) == 0.072
    assert api.client.get("/api/graphs/acme/why/nope", headers=writer).status_code == 404


def test_delete(api: Api) -> None:
    writer = api.token()
    put(api, "acme", ACME, writer)
    assert api.client.delete("/api/graphs/acme", headers=api.token(Scope.READ)).status_code == 403
    assert api.client.delete("/api/graphs/acme", headers=writer).status_code == 204
    assert api.client.get("/api/graphs/acme").status_code == 404


def test_body_limit(api: Api) -> None:
    answer = api.client.put("/api/graphs/acme", content=b"x" * (2 << 20), headers=YAML | api.token())
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


def test_openapi(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "/api/graphs/{slug}" in spec["paths"]
    assert api.client.get("/docs").status_code == 200


def test_reads_after_a_write_see_the_write(api: Api) -> None:
    writer = api.token()
    put(api, "acme", DESIGN_EXAMPLE, writer)
    assert api.client.get("/api/graphs/acme/why/wizard", headers=writer).json()["weakest"] == "setup-pain"
    put(api, "acme", DESIGN_EXAMPLE.replace("certainty: 0.3", "certainty: 0.9"), writer)
    assert api.client.get("/api/graphs/acme/why/wizard", headers=writer).json()["weakest"] == "self-serve"
    api.client.delete("/api/graphs/acme", headers=writer)
    put(api, "acme", DESIGN_EXAMPLE.replace("Setup wizard", "Wizard again"), writer)
    assert "Wizard again" in api.client.get("/api/graphs/acme", headers=writer).text


def test_more_bets_than_the_limit(api: Api) -> None:
    rows = "".join(f"  - {{id: b{i}, kind: goal, title: T}}\n" for i in range(10_001))
    answer = put(api, "acme", f"betgraph: 1\ngraph: {{slug: acme, title: A}}\nbets:\n{rows}", api.token())
    assert answer.status_code == 422
    assert "at most 10000 are allowed" in answer.text
