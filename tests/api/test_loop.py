"""Resolving, checking in and calibration over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE

METRIC = {"name": "activation", "unit": "%", "baseline": 10, "target": 40}


def _graph(api: Api) -> dict[str, str]:
    writer = api.token()
    api.client.put(
        "/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers={"Content-Type": "application/yaml"} | writer
    )
    return writer


def _document(api: Api, writer: dict[str, str]) -> bytes:
    return api.client.get("/api/graphs/acme", headers=writer).content


def test_resolving_a_bet_takes_the_committed_certainty_from_history(api: Api) -> None:
    writer = _graph(api)
    # the wizard was stored active at 80%; a later change of heart is not what was bet
    api.client.patch("/api/graphs/acme/bets/wizard", json={"certainty": 0.95}, headers=writer)
    tag = api.client.get("/api/graphs/acme/bets/wizard", headers=writer).headers["etag"]
    answer = api.client.post(
        "/api/graphs/acme/bets/wizard/resolve",
        json={"verdict": "validated", "learned": "Setup took a day", "resolved_on": "2026-11-20"},
        headers=writer | {"If-Match": tag},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "validated"
    assert answer.json()["resolution"] == {
        "verdict": "validated",
        "learned": "Setup took a day",
        "committed_certainty": 0.8,
        "resolved_on": "2026-11-20",
    }
    assert answer.headers["etag"] != tag
    again = api.client.get("/api/graphs/acme/bets/wizard", headers=writer)
    assert again.headers["etag"] == answer.headers["etag"]
    assert again.json()["resolution"]["committed_certainty"] == 0.8
    stale = api.client.post(
        "/api/graphs/acme/bets/wizard/resolve", json={"verdict": "invalidated"}, headers=writer | {"If-Match": tag}
    )
    assert stale.status_code == 412


def test_resolving_an_assumption_with_a_given_certainty_and_today_by_default(api: Api) -> None:
    writer = _graph(api)
    answer = api.client.post(
        "/api/graphs/acme/assumptions/setup-pain/resolve",
        json={"verdict": "inconclusive", "committed_certainty": "45%"},
        headers=writer,
    )
    assert answer.status_code == 200, answer.text
    resolution = answer.json()["resolution"]
    assert resolution["committed_certainty"] == 0.45
    assert dt.date.fromisoformat(resolution["resolved_on"]) >= dt.date(2026, 11, 1)
    assert answer.headers["etag"].startswith('"a')
    inconclusive = api.client.post(
        "/api/graphs/acme/bets/self-serve/resolve", json={"verdict": "inconclusive"}, headers=writer
    )
    assert inconclusive.json()["status"] == "done"


def test_bad_resolutions_point_at_the_field_and_change_nothing(api: Api) -> None:
    writer = _graph(api)
    before = _document(api, writer)
    bad = api.client.post(
        "/api/graphs/acme/bets/wizard/resolve",
        json={"verdict": "validatd", "committed_certainty": 2, "lerned": "x"},
        headers=writer,
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"] == [
        {
            "message": "verdict must be one of validated, invalidated, inconclusive; got 'validatd' "
            "(did you mean 'validated'?)",
            "pointer": "/verdict",
        },
        {"message": "committed_certainty must be between 0 and 1, got 2", "pointer": "/committed_certainty"},
        {"message": "unknown field 'lerned' (did you mean 'learned'?)", "pointer": "/lerned"},
    ]
    missing = api.client.post("/api/graphs/acme/bets/wizard/resolve", json={}, headers=writer)
    assert missing.json()["errors"] == [{"message": "missing required field 'verdict'", "pointer": "/verdict"}]
    not_a_mapping = api.client.post("/api/graphs/acme/bets/wizard/resolve", json=["validated"], headers=writer)
    assert not_a_mapping.status_code == 422
    assert "must be a mapping" in not_a_mapping.json()["detail"]
    unknown = api.client.post("/api/graphs/acme/bets/nope/resolve", json={"verdict": "validated"}, headers=writer)
    assert unknown.status_code == 404
    # an assumption is not a bet
    wrong = api.client.post("/api/graphs/acme/bets/setup-pain/resolve", json={"verdict": "validated"}, headers=writer)
    assert wrong.status_code == 404
    assert _document(api, writer) == before


def test_writing_needs_a_write_token(api: Api) -> None:
    writer = _graph(api)
    reader = api.token(Scope.READ)
    body: dict[str, Any] = {"verdict": "validated"}
    assert api.client.post("/api/graphs/acme/bets/wizard/resolve", json=body).status_code == 401
    assert api.client.post("/api/graphs/acme/bets/wizard/resolve", json=body, headers=reader).status_code == 403
    checkin = api.client.post("/api/graphs/acme/bets/self-serve/checkins", json={"value": 1}, headers=reader)
    assert checkin.status_code == 403
    other = api.token(Scope.WRITE, graph="acme")
    assert api.client.post("/api/graphs/nope/bets/wizard/resolve", json=body, headers=other).status_code == 404
    assert api.client.get("/api/graphs/acme/calibration", headers=writer).status_code == 200


def test_checkins_move_current_and_answer_with_the_bet(api: Api) -> None:
    writer = _graph(api)
    api.client.patch("/api/graphs/acme/bets/self-serve", json={"metric": METRIC}, headers=writer)
    first = api.client.post(
        "/api/graphs/acme/bets/self-serve/checkins",
        json={"value": 22, "date": "2026-10-15", "note": "after the wizard"},
        headers=writer,
    )
    assert first.status_code == 200, first.text
    assert first.json()["metric"]["current"] == 22
    assert first.json()["metric"]["checkins"] == [{"value": 22, "date": "2026-10-15", "note": "after the wizard"}]
    back_dated = api.client.post(
        "/api/graphs/acme/bets/self-serve/checkins",
        json={"value": 15, "date": "2026-10-01"},
        headers=writer | {"If-Match": first.headers["etag"]},
    )
    assert back_dated.status_code == 200
    metric = back_dated.json()["metric"]
    assert [c["value"] for c in metric["checkins"]] == [15, 22]
    assert metric["current"] == 22
    today = api.client.post("/api/graphs/acme/bets/self-serve/checkins", json={"value": 31}, headers=writer)
    assert today.json()["metric"]["current"] == 31
    assert dt.date.fromisoformat(today.json()["metric"]["checkins"][-1]["date"]) >= dt.date(2026, 11, 1)
    stale = api.client.post(
        "/api/graphs/acme/bets/self-serve/checkins",
        json={"value": 1},
        headers=writer | {"If-Match": first.headers["etag"]},
    )
    assert stale.status_code == 412


def test_bad_checkins_are_refused_and_change_nothing(api: Api) -> None:
    writer = _graph(api)
    api.client.patch("/api/graphs/acme/bets/self-serve", json={"metric": METRIC}, headers=writer)
    before = _document(api, writer)
    bad = api.client.post(
        "/api/graphs/acme/bets/self-serve/checkins", json={"value": "lots", "date": "2026-02-30"}, headers=writer
    )
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/value", "/date"]
    assert bad.json()["errors"][0]["message"] == "value must be a number, got 'lots'"
    no_metric = api.client.post("/api/graphs/acme/bets/wizard/checkins", json={"value": 1}, headers=writer)
    assert no_metric.status_code == 409
    assert "has no metric" in no_metric.json()["detail"]
    assert api.client.post("/api/graphs/acme/bets/nope/checkins", json={"value": 1}, headers=writer).status_code == 404
    assert _document(api, writer) == before


def test_calibration_bands_resolutions_and_lists_what_is_overdue(api: Api) -> None:
    writer = _graph(api)
    api.client.patch("/api/graphs/acme/bets/vision", json={"review_by": "2026-10-01"}, headers=writer)
    api.client.post("/api/graphs/acme/bets/wizard/resolve", json={"verdict": "validated"}, headers=writer)
    api.client.post("/api/graphs/acme/assumptions/setup-pain/resolve", json={"verdict": "invalidated"}, headers=writer)
    report = api.client.get("/api/graphs/acme/calibration", headers=writer)
    assert report.status_code == 200
    data = report.json()
    assert (data["graph"], data["as_of"], data["resolved"]) == ("acme", "2026-11-01", 2)
    bands = {band["band"]: band for band in data["bands"]}
    assert bands["80–100%"]["ids"] == ["wizard"]
    assert bands["80–100%"]["rate"] == 1.0
    assert bands["20–40%"]["ids"] == ["setup-pain"]
    assert bands["20–40%"]["rate"] == 0.0
    assert [(o["id"], o["days"]) for o in data["overdue"]] == [("vision", 31)]
    assert api.client.get("/api/graphs/nope/calibration", headers=writer).status_code == 404


def test_a_reason_is_kept_with_the_revision(api: Api) -> None:
    writer = _graph(api)
    api.client.patch("/api/graphs/acme/bets/self-serve", json={"metric": METRIC}, headers=writer)
    api.client.post("/api/graphs/acme/bets/wizard/resolve?reason=retro", json={"verdict": "validated"}, headers=writer)
    api.client.post("/api/graphs/acme/bets/self-serve/checkins?reason=weekly", json={"value": 12}, headers=writer)
    revisions = api.client.get("/api/graphs/acme/revisions", headers=writer).json()["items"]
    assert [r["reason"] for r in revisions[:2]] == ["weekly", "retro"]
