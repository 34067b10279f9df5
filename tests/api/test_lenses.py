"""/api/graphs/{slug}/lenses/…: the three lenses as JSON, and the lens pictures, through the app on both databases."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Api

ACME = Path("examples/acme.yaml").read_text()
YAML = {"Content-Type": "application/yaml"}


def _load(api: Api, *, private: bool = False) -> dict[str, str]:
    writer = api.token()
    document = ACME.replace("visibility: public", "visibility: private") if private else ACME
    assert api.client.put("/api/graphs/acme", content=document.encode(), headers=YAML | writer).status_code == 201
    return writer


def test_the_board_by_team_with_its_columns_and_text(api: Api) -> None:
    _load(api)
    found = api.client.get("/api/graphs/acme/lenses/board")
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["graph"], body["revision"], body["lens"]) == ("acme", 1, "board")
    assert [lane["label"] for lane in body["lanes"]] == ["growth", "onboarding", "payments", "No team"]
    assert set(body["lanes"][0]["columns"]) == {"now", "next", "later", "done"}
    assert "Now (≤ 6 weeks)" in body["text"]
    alone = api.client.get("/api/graphs/acme/lenses/board", params={"team": "payments"}).json()
    assert [lane["team"] for lane in alone["lanes"]] == ["payments"]


def test_the_leaps_of_faith_are_the_assumptions_to_test_first(api: Api) -> None:
    _load(api)
    body = api.client.get("/api/graphs/acme/lenses/assumptions").json()
    leaps = [a["id"] for a in body["assumptions"] if a["quadrant"] == "test-first"]
    assert leaps[:2] == ["early-pay-is-fair", "payments-margin"]
    assert {q["id"] for q in body["quadrants"]} == {"test-first", "keep-an-eye-on", "defer", "ignore"}


def test_the_portfolio_names_the_regions_lint_warns_about(api: Api) -> None:
    _load(api)
    body = api.client.get("/api/graphs/acme/lenses/portfolio").json()
    assert [r["id"] for r in body["regions"]] == ["overprescribed-long-horizon", "false-certainty"]
    assert all("days" in bet and "regions" in bet for bet in body["bets"])


def test_a_lens_at_an_earlier_moment_reads_that_revision(api: Api) -> None:
    writer = _load(api)
    changed = api.client.patch("/api/graphs/acme/bets/payout-auto-retry", json={"rank": 1}, headers=writer)
    assert changed.status_code == 200, changed.text
    now = api.client.get("/api/graphs/acme/lenses/board", params={"team": "payments"}).json()
    then = api.client.get("/api/graphs/acme/lenses/board", params={"team": "payments", "as_of": "1"}).json()
    assert (now["revision"], then["revision"]) == (2, 1)
    ranked = [card["rank"] for lane in now["lanes"] for cards in lane["columns"].values() for card in cards]
    assert 1 in ranked
    assert all(card["rank"] is None for lane in then["lanes"] for cards in lane["columns"].values() for card in cards)


def test_what_cannot_be_answered_is_said(api: Api) -> None:
    _load(api)
    nobody = api.client.get("/api/graphs/acme/lenses/board", params={"team": "nobody"})
    assert nobody.status_code == 404
    assert "no bet belongs to team 'nobody'" in nobody.json()["detail"]
    assert api.client.get("/api/graphs/acme/lenses/roadmap").status_code == 422
    assert api.client.get("/api/graphs/none/lenses/board").status_code == 404


def test_a_private_graphs_lenses_need_a_reader(api: Api) -> None:
    _load(api, private=True)
    assert api.client.get("/api/graphs/acme/lenses/board").status_code == 401
    assert api.client.get("/graphs/acme/board.svg").status_code == 401
    reader = api.token()
    assert api.client.get("/api/graphs/acme/lenses/board", headers=reader).status_code == 200


def test_the_lens_pictures_answer_at_their_urls(api: Api) -> None:
    _load(api)
    for path, kind in (
        ("/graphs/acme/board.svg", "image/svg+xml; charset=utf-8"),
        ("/graphs/acme/assumptions.dark.png", "image/png"),
        ("/graphs/acme/r/1/portfolio/payments.pdf", "application/pdf"),
        ("/graphs/acme/board.mmd", "text/vnd.mermaid; charset=utf-8"),
    ):
        answer = api.client.get(path)
        assert answer.status_code == 200, (path, answer.text[:200])
        assert answer.headers["content-type"] == kind
    pinned = api.client.get("/graphs/acme/r/1/board.svg")
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert api.client.get("/graphs/acme/board/nobody.svg").status_code == 404
    assert api.client.get("/graphs/acme/roadmap.svg").status_code == 404
