"""Signing in, CSRF and who may see or change what, through the app on the test databases."""

from __future__ import annotations

import html
import re
from pathlib import Path

from app.storage.tokens import Scope
from tests.api.conftest import Api

YAML = {"Content-Type": "application/yaml"}
ACME = Path("examples/acme.yaml").read_text()


def _csrf(api: Api, path: str = "/signin") -> str:
    page = api.client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    assert api.client.cookies.get("betgraph_csrf") == found.group(1)
    return found.group(1)


def _signed_in(api: Api, scope: Scope = Scope.WRITE, graph: str | None = None) -> str:
    token = api.token(scope, graph)["Authorization"].removeprefix("Bearer ")
    answer = api.client.post("/signin", data={"token": token, "csrf": _csrf(api), "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303
    assert "httponly" in answer.headers["set-cookie"].lower()
    assert "samesite=strict" in answer.headers["set-cookie"].lower()
    return _csrf(api)


def _acme(api: Api, private: bool = False) -> None:
    document = ACME.replace("visibility: public", "visibility: private") if private else ACME
    api.client.put("/api/graphs/acme", content=document.encode(), headers=YAML | api.token())


def test_a_form_without_its_csrf_value_changes_nothing(api: Api) -> None:
    _acme(api)
    _signed_in(api)
    before = api.client.get("/api/graphs/acme").headers["etag"]
    answer = api.client.post("/graphs/acme/bets/new", data={"id": "x", "title": "X", "kind": "goal", "csrf": "guess"})
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    assert api.client.get("/api/graphs/acme").headers["etag"] == before


def test_a_form_from_another_origin_is_refused(api: Api) -> None:
    _acme(api)
    csrf = _signed_in(api)
    answer = api.client.post(
        "/graphs/acme/bets/new",
        data={"id": "x", "title": "X", "kind": "goal", "csrf": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403


def test_an_unknown_token_does_not_sign_in(api: Api) -> None:
    answer = api.client.post("/signin", data={"token": "bg_nope", "csrf": _csrf(api)})
    assert answer.status_code == 401
    assert "unknown or revoked" in answer.text
    assert "betgraph_token" not in answer.headers.get("set-cookie", "")


def test_sign_in_only_redirects_within_the_site(api: Api) -> None:
    token = api.token(Scope.READ)["Authorization"].removeprefix("Bearer ")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = api.client.post(
            "/signin", data={"token": token, "csrf": _csrf(api), "next": target}, follow_redirects=False
        )
        assert answer.headers["location"] == "/"


def test_a_form_creates_a_bet_and_a_bad_one_names_its_field(api: Api) -> None:
    _acme(api)
    csrf = _signed_in(api)
    bad = api.client.post(
        "/graphs/acme/bets/new",
        data={"id": "payroll-app", "title": "Payroll app", "kind": "goal", "certainty": "2", "csrf": csrf},
    )
    assert bad.status_code == 422
    assert 'id="certainty-error"' in bad.text
    assert api.client.get("/api/graphs/acme/bets/payroll-app").status_code == 404
    good = api.client.post(
        "/graphs/acme/bets/new",
        data={
            "id": "payroll-app",
            "title": "Payroll app",
            "kind": "goal",
            "parents": "payroll-in-minutes",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert good.headers["location"] == "/graphs/acme?focus=payroll-app"
    assert api.client.get("/api/graphs/acme/bets/payroll-app").json()["parents"] == ["payroll-in-minutes"]


def test_a_read_token_may_look_but_not_edit(api: Api) -> None:
    _acme(api, private=True)
    _signed_in(api, Scope.READ)
    assert api.client.get("/graphs/acme").status_code == 200
    assert api.client.get("/graphs/acme/bets/new").status_code == 403


def test_a_token_for_another_graph_sees_nothing(api: Api) -> None:
    _acme(api, private=True)
    other = ACME.replace("slug: acme", "slug: other")
    api.client.put("/api/graphs/other", content=other.encode(), headers=YAML | api.token())
    _signed_in(api, Scope.ADMIN, graph="other")
    assert api.client.get("/graphs/acme").status_code == 404
    assert "acme" not in api.client.get("/").text.split("<main", 1)[1]


def test_pages_are_locked_down_and_escape_what_people_wrote(api: Api) -> None:
    hostile = ACME.replace("title: Acme product map", 'title: "<script>alert(1)</script> map"')
    api.client.put("/api/graphs/acme", content=hostile.encode(), headers=YAML | api.token())
    page = api.client.get("/graphs/acme?focus=employee-invite-flow")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; map" in page.text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) == []  # no inline script at all
    # /graphs/acme is the page and /graphs/acme.svg the picture, side by side
    assert api.client.get("/graphs/acme.svg").headers["content-type"].startswith("image/svg+xml")


def test_pages_name_their_picture_for_oembed(api: Api) -> None:
    _acme(api)
    page = api.client.get("/graphs/acme?view=why&focus=employee-invite-flow")
    found = re.search(r'type="application/json\+oembed"[^>]*href="([^"]+)"', page.text, re.S)
    assert found is not None
    answer = api.client.get(html.unescape(found.group(1)))
    assert answer.status_code == 200
    assert answer.json()["url"].endswith("/graphs/acme/why/employee-invite-flow.svg")


def test_filters_and_views_come_from_the_url(api: Api) -> None:
    _acme(api)
    page = api.client.get("/graphs/acme?band=6w&team=onboarding&min=50&debate=0")
    assert page.status_code == 200
    assert "match the filters" in page.text
    assert api.client.get("/graphs/acme?view=why&focus=nope").status_code == 200  # the page says why, in words
    assert "no bet with id" in api.client.get("/graphs/acme?view=why&focus=nope").text
    assert api.client.get("/graphs/acme?min=abc&band=zz&kind=zz").status_code == 200


def test_resolving_and_checking_in_from_the_viewer(api: Api) -> None:
    _acme(api)
    csrf = _signed_in(api)
    bad = api.client.post("/graphs/acme/bets/tax-id-helper/resolve", data={"verdict": "won", "csrf": csrf})
    assert bad.status_code == 422
    assert "Nothing was saved" in bad.text
    assert "resolution" not in api.client.get("/api/graphs/acme/bets/tax-id-helper").json()
    done = api.client.post(
        "/graphs/acme/bets/tax-id-helper/resolve",
        data={"verdict": "invalidated", "learned": "Owners *knew* their IDs", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    item = api.client.get("/api/graphs/acme/bets/tax-id-helper").json()
    assert item["resolution"]["verdict"] == "invalidated"
    assert item["status"] == "invalidated"
    page = api.client.get("/graphs/acme?focus=tax-id-helper")
    assert "<strong>invalidated</strong>" in page.text
    assert "Owners <em>knew</em> their IDs" in page.text

    no_metric = api.client.post("/graphs/acme/bets/tax-id-helper/checkin", data={"value": "3", "csrf": csrf})
    assert no_metric.status_code == 409, no_metric.text[-1500:]
    checked = api.client.post(
        "/graphs/acme/bets/self-serve-activation/checkin",
        data={"value": "37", "date": "2026-11-20", "note": "after the wizard", "csrf": csrf},
        follow_redirects=False,
    )
    assert checked.status_code == 303
    metric = api.client.get("/api/graphs/acme/bets/self-serve-activation").json()["metric"]
    assert metric["current"] == 37
    assert "after the wizard" in api.client.get("/graphs/acme?focus=self-serve-activation").text
