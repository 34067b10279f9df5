"""History over HTTP: revisions, `?as_of=` on every read and diagram, and diffs, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.formats.document import load
from app.server import create_app
from app.storage.tokens import Scope, create_token
from tests.api.conftest import Api, problem_of, spread_revisions

YAML = {"Content-Type": "application/yaml"}
ROOT = Path(__file__).resolve().parent.parent.parent
ACME = (ROOT / "examples" / "acme.yaml").read_text()
T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def _history(api: Api) -> dict[str, str]:
    """acme at revision 1 (T0), 2 (a day later: certainty and a new bet) and 3 (two days later: a removal)."""
    writer = api.token()
    api.client.put("/api/graphs/acme?reason=first", content=ACME.encode(), headers=YAML | writer)
    api.client.patch("/api/graphs/acme/bets/instant-pay-pilot?reason=pilot data", json={"certainty": 0.2},
                     headers=writer)  # fmt: skip
    new = {"id": "new-bet", "kind": "initiative", "title": "New bet", "parents": ["paid-on-time"]}
    api.client.post("/api/graphs/acme/bets", json=new, headers=writer)
    api.client.delete("/api/graphs/acme/bets/new-bet?reason=not needed", headers=writer)
    # revisions 1..4; spread them a day apart so that dates resolve to them
    spread_revisions(api, "acme", T0)
    return writer


def test_revisions_are_listed_newest_first_with_who_why_and_what(api: Api) -> None:
    _history(api)
    with api.sessions() as session:
        labelled, secret = create_token(session, Scope.WRITE, label="review bot")
        session.commit()
    api.client.patch("/api/graphs/acme/bets/instant-pay-pilot?reason=review", json={"certainty": 0.3},
                     headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    anonymous = api.client.get("/api/graphs/acme/revisions").json()  # acme is public
    assert anonymous["items"][0]["who"] == {"token_id": labelled.id, "label": "", "person": None}  # labels name people
    listed = api.client.get("/api/graphs/acme/revisions", headers=api.token(Scope.READ))
    assert listed.status_code == 200
    body = listed.json()
    assert body["head"] == 5
    assert [r["number"] for r in body["items"]] == [5, 4, 3, 2, 1]
    assert [r["reason"] for r in body["items"]] == ["review", "not needed", None, "pilot data", "first"]
    latest = body["items"][0]
    assert latest["who"] == {"token_id": labelled.id, "label": "review bot", "person": None}
    assert secret not in listed.text
    [changed] = latest["changes"]["bets"]["changed"]
    assert changed["id"] == "instant-pay-pilot"
    assert changed["fields"] == {"certainty": {"before": 0.2, "after": 0.3}}
    assert body["items"][2]["changes"]["bets"]["added"] == ["new-bet"]
    assert body["items"][1]["changes"]["bets"]["removed"] == ["new-bet"]
    assert body["items"][-1]["created"] is True
    assert body["items"][-1]["who"]["token_id"] is not None
    assert body["next"] is None

    first_page = api.client.get("/api/graphs/acme/revisions?limit=2").json()
    assert [r["number"] for r in first_page["items"]] == [5, 4]
    assert first_page["next"] == 4
    second = api.client.get(f"/api/graphs/acme/revisions?limit=2&before={first_page['next']}").json()
    assert [r["number"] for r in second["items"]] == [3, 2]
    one = api.client.get("/api/graphs/acme/revisions/2").json()
    assert one["reason"] == "pilot data"
    assert one["created_at"].startswith("2026-01-02T12:00:00")
    assert "unknown" not in problem_of(api.client.get("/api/graphs/acme/revisions/99"), 404)["detail"]
    problem_of(api.client.get("/api/graphs/acme/revisions?limit=0"), 422)


def test_a_private_graph_keeps_its_history_private(api: Api) -> None:
    writer = api.token()
    private = ACME.replace("visibility: public", "visibility: private")
    api.client.put("/api/graphs/acme", content=private.encode(), headers=YAML | writer)
    assert api.client.get("/api/graphs/acme/revisions").status_code == 401
    assert api.client.get("/api/graphs/acme/diff?from=1").status_code == 401
    other = api.token(Scope.READ, graph="acme")
    assert api.client.get("/api/graphs/acme/revisions", headers=other).status_code == 200


def test_every_read_takes_as_of(api: Api) -> None:
    _history(api)
    old = api.client.get("/api/graphs/acme?as_of=1")
    assert old.status_code == 200
    assert old.headers["etag"] == '"r1"'
    assert load(old.text)[0] == load(ACME)[0]
    by_date = api.client.get("/api/graphs/acme?as_of=2026-01-02", headers={"Accept": "application/yaml"})
    assert load(by_date.text)[0].bet_by_id["instant-pay-pilot"].certainty == 0.2
    assert api.client.get("/api/graphs/acme?as_of=2026-01-03T11:59").json()["bets"][-1]["id"] != "new-bet"
    assert any(b["id"] == "new-bet" for b in api.client.get("/api/graphs/acme?as_of=2026-01-03T12:00Z").json()["bets"])

    listed = api.client.get("/api/graphs/acme/bets?as_of=3&limit=500").json()["items"]
    assert "new-bet" in [b["id"] for b in listed]
    assert "new-bet" not in [b["id"] for b in api.client.get("/api/graphs/acme/bets?limit=500").json()["items"]]
    item = api.client.get("/api/graphs/acme/bets/instant-pay-pilot?as_of=1")
    assert item.headers["etag"] == '"b1"'
    assert item.json()["certainty"] != 0.2
    assert api.client.get("/api/graphs/acme/bets/instant-pay-pilot?as_of=2").headers["etag"] == '"b2"'
    assert api.client.get("/api/graphs/acme/bets/new-bet?as_of=3").status_code == 200
    assert api.client.get("/api/graphs/acme/bets/new-bet").status_code == 404
    assert api.client.get("/api/graphs/acme/assumptions?as_of=1").status_code == 200

    assert api.client.get("/api/graphs/acme/lint?as_of=3").json()["revision"] == 3
    why = api.client.get("/api/graphs/acme/why/new-bet?as_of=2026-01-03")
    assert why.status_code == 200
    assert "paid-on-time" in why.json()["bets"]
    assert api.client.get("/api/graphs/acme/why/new-bet").status_code == 404
    snippets = api.client.get("/api/graphs/acme/snippets?as_of=2").json()
    assert snippets["url"].endswith("/graphs/acme/r/2.svg")
    assert snippets["pinned_url"] == snippets["url"]
    assert api.client.get("/api/graphs/acme/calibration?as_of=1").json()["revision"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/graphs/acme?as_of={}",
        "/api/graphs/acme/bets?as_of={}",
        "/api/graphs/acme/bets/instant-pay-pilot?as_of={}",
        "/api/graphs/acme/lint?as_of={}",
        "/api/graphs/acme/why/instant-pay-pilot?as_of={}",
        "/api/graphs/acme/calibration?as_of={}",
        "/api/graphs/acme/snippets?as_of={}",
        "/graphs/acme.svg?as_of={}",
        "/graphs/acme/why/instant-pay-pilot.png?as_of={}",
    ],
)
def test_bad_as_of_is_a_clearproblem_of(api: Api, url: str) -> None:
    _history(api)
    garbage = problem_of(api.client.get(url.format("yesterday")), 422)
    assert garbage["errors"][0]["pointer"] == "/query/as_of"
    assert "as_of must be a revision number or an ISO date" in garbage["detail"]
    problem_of(api.client.get(url.format("2026-02-30")), 422)
    early = problem_of(api.client.get(url.format("2025-12-31")), 404)
    assert "did not exist yet at as_of=2025-12-31" in early["detail"]
    assert "first revision was written at 2026-01-01T12:00:00" in early["detail"]
    assert "revisions 1 to 4" in problem_of(api.client.get(url.format("9")), 404)["detail"]
    assert "revisions 1 to 4" in problem_of(api.client.get(url.format("0")), 404)["detail"]


def test_a_moment_with_a_zone_and_a_future_date(api: Api) -> None:
    _history(api)
    # 2026-01-02T13:30+02:00 is 11:30 UTC, before revision 2 was written at 12:00 UTC
    zoned = api.client.get("/api/graphs/acme", params={"as_of": "2026-01-02T13:30+02:00"})
    assert zoned.headers["etag"] == '"r1"'
    unencoded = api.client.get("/api/graphs/acme?as_of=2026-01-02T14:30:00+02:00")  # `+` arrives as a space
    assert unencoded.headers["etag"] == '"r2"'
    assert api.client.get("/api/graphs/acme?as_of=2999-01-01").headers["etag"] == '"r4"'


def test_diagrams_as_of_redirect_to_the_pinned_picture(api: Api) -> None:
    _history(api)
    moved = api.client.get("/graphs/acme.svg?as_of=2026-01-02", follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == "/graphs/acme/r/2.svg"
    assert moved.headers["cache-control"].startswith("public, max-age=60")
    focused = api.client.get("/graphs/acme/why/instant-pay-pilot.dark.png?as_of=1", follow_redirects=False)
    assert focused.headers["location"] == "/graphs/acme/r/1/why/instant-pay-pilot.dark.png"
    followed = api.client.get("/graphs/acme/team/payments.svg?as_of=3")
    assert followed.status_code == 200
    assert followed.headers["cache-control"] == "public, max-age=31536000, immutable"
    pinned = problem_of(api.client.get("/graphs/acme/r/2.svg?as_of=1"), 422)
    assert pinned["errors"][0]["pointer"] == "/query/as_of"


def test_an_embed_url_as_of_keeps_its_token(api: Api) -> None:
    writer = api.token()
    private = ACME.replace("visibility: public", "visibility: private")
    api.client.put("/api/graphs/acme", content=private.encode(), headers=YAML | writer)
    token = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    moved = api.client.get(f"/e/{token}/graphs/acme.svg?as_of=1", follow_redirects=False)
    assert moved.headers["location"] == f"/e/{token}/graphs/acme/r/1.svg"
    assert moved.headers["cache-control"] == "private, max-age=60"
    assert api.client.get("/graphs/acme.svg?as_of=1").status_code == 401


def test_diff_as_json(api: Api) -> None:
    _history(api)
    found = api.client.get("/api/graphs/acme/diff?from=1&to=3")
    assert found.status_code == 200
    body = found.json()
    assert (body["from"], body["to"]) == (1, 3)
    assert body["bets"]["added"] == ["new-bet"]
    (changed,) = body["bets"]["changed"]
    assert changed["id"] == "instant-pay-pilot"
    assert changed["fields"]["certainty"]["after"] == 0.2
    assert changed["lines"] == ["certainty 40% → 20%"]
    to_head = api.client.get("/api/graphs/acme/diff?from=2026-01-03").json()
    assert (to_head["from"], to_head["to"]) == (3, 4)
    assert to_head["bets"]["removed"] == ["new-bet"]
    assert api.client.get("/api/graphs/acme/diff?from=2&to=2").json()["empty"] is True


def test_bad_diffs_are_clear_problems_and_change_nothing(api: Api) -> None:
    _history(api)
    before = api.client.get("/api/graphs/acme/revisions").json()
    swapped = problem_of(api.client.get("/api/graphs/acme/diff?from=3&to=1"), 422)
    assert swapped["errors"][0]["pointer"] == "/query/from"
    assert "swap" in swapped["detail"]
    garbage = problem_of(api.client.get("/api/graphs/acme/diff?from=1&to=soon"), 422)
    assert garbage["errors"][0]["pointer"] == "/query/to"
    problem_of(api.client.get("/api/graphs/acme/diff"), 422)  # from is required
    assert "revisions 1 to 4" in problem_of(api.client.get("/api/graphs/acme/diff?from=1&to=7"), 404)["detail"]
    problem_of(api.client.get("/api/graphs/nope/diff?from=1"), 404)
    problem_of(api.client.get("/graphs/acme/diff/3..1.svg"), 422)
    problem_of(api.client.get("/graphs/acme/diff/1..later.svg"), 422)
    problem_of(api.client.get("/graphs/acme/diff/1..9.svg"), 404)
    problem_of(api.client.get("/graphs/acme/diff/1-3.svg"), 404)
    assert (
        problem_of(api.client.get("/graphs/acme/diff/1..3.svg?as_of=2"), 422)["errors"][0]["pointer"] == "/query/as_of"
    )
    assert api.client.get("/api/graphs/acme/revisions").json() == before


def test_diff_diagrams_are_drawn_and_immutable(api: Api) -> None:
    _history(api)
    svg = api.client.get("/graphs/acme/diff/1..3.svg")
    assert svg.status_code == 200, svg.text
    assert svg.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert b"+ added" in svg.content
    assert "△ certainty 40% → 20%".encode() in svg.content
    assert b"changes r1 \xe2\x86\x92 r3" in svg.content
    removed = api.client.get("/graphs/acme/diff/3..4.svg")
    assert "− removed".encode() in removed.content
    for fmt, start in {"png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph", "mmd": b"---"}.items():
        answer = api.client.get(f"/graphs/acme/diff/1..3.{fmt}")
        assert answer.status_code == 200, answer.text
        assert answer.content.startswith(start)
    assert b"+ added" in api.client.get("/graphs/acme/diff/1..3.mmd").content
    renderer = api.client.app.state.services.renderer  # type: ignore[attr-defined]
    drawn = renderer.drawn
    again = api.client.get("/graphs/acme/diff/1..3.svg", headers={"If-None-Match": svg.headers["etag"]})
    assert again.status_code == 304
    api.client.app.state.services.pictures.clear()  # type: ignore[attr-defined]
    assert api.client.get("/graphs/acme/diff/1..3.svg").content == svg.content  # from the shared cache
    assert renderer.drawn == drawn


def test_diff_diagrams_by_date_or_up_to_the_head_redirect_to_numbers(api: Api) -> None:
    _history(api)
    by_date = api.client.get("/graphs/acme/diff/2026-01-01..2026-01-03.dark.svg", follow_redirects=False)
    assert by_date.status_code == 307
    assert by_date.headers["location"] == "/graphs/acme/diff/1..3.dark.svg"
    to_head = api.client.get("/graphs/acme/diff/2...png", follow_redirects=False)
    assert to_head.headers["location"] == "/graphs/acme/diff/2..4.png"


def test_an_import_from_the_command_line_is_a_revision_with_its_reason(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "import", "examples/acme.yaml", "--reason", "quarterly review"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    app = create_app(Settings(database_url=env["DATABASE_URL"]))
    with TestClient(app) as client:
        (revision,) = client.get("/api/graphs/acme/revisions").json()["items"]
    app.state.services.engine.dispose()
    assert revision["reason"] == "quarterly review"
    assert revision["who"] is None  # no token: the command line
    assert revision["created"] is True


def test_revision_numbers_past_any_database_integer_are_refused(api: Api) -> None:
    _history(api)
    huge = "99999999999999999999"
    assert api.client.get(f"/api/graphs/acme/revisions/{huge}").status_code == 422
    assert api.client.get(f"/api/graphs/acme/revisions?before={huge}").status_code == 422
