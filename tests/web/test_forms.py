from __future__ import annotations

from app.formats.problems import Problem
from app.web.forms import assumption_from_form, assumption_to_form, bet_from_form, bet_to_form, field_errors


def test_a_bet_form_round_trips_through_item_data() -> None:
    item = {
        "id": "wizard",
        "kind": "initiative",
        "title": "Setup wizard",
        "parents": ["self-serve", "vision"],
        "certainty": 0.8,
        "prescriptiveness": 5,
        "links": ["https://a.example", "https://b.example"],
        "tags": ["q4"],
        "status": "active",
        "metric": {"name": "Activation", "direction": "up", "baseline": 10, "target": 40.5},
    }
    form = bet_to_form(item)
    assert form["parents"] == "self-serve, vision"
    assert form["prescriptiveness"] == "prescribed"  # the select offers names, not numbers
    assert form["links"] == "https://a.example\nhttps://b.example"
    data = bet_from_form(form)
    assert data["parents"] == ["self-serve", "vision"]
    assert data["links"] == item["links"]
    assert data["certainty"] == 0.8
    assert data["metric"] == {"name": "Activation", "direction": "up", "baseline": 10, "target": 40.5}
    assert data["description"] is None  # an emptied field is removed by the merge patch


def test_text_that_is_not_a_number_reaches_the_validator_as_text() -> None:
    data = bet_from_form({"title": "x", "certainty": "very", "metric.target": "lots"})
    assert data["certainty"] == "very"
    assert data["metric"] == {"target": "lots"}
    assert bet_from_form({"certainty": "70%"})["certainty"] == "70%"
    assert bet_from_form({})["status"] == "proposed"


def test_evidence_rows_keep_filled_rows_and_drop_removed_and_blank_ones() -> None:
    form = {
        "statement": "People want it",
        "evidence.0.kind": "data",
        "evidence.0.summary": "kept",
        "evidence.1.kind": "insight",
        "evidence.1.summary": "removed",
        "evidence.1.remove": "1",
        "evidence.2.kind": "",
        "evidence.2.summary": "",
    }
    data = assumption_from_form(form)
    assert data["evidence"] == [{"kind": "data", "summary": "kept"}]
    assert (
        assumption_to_form({"id": "a", "statement": "s", "evidence": data["evidence"]})["evidence.0.summary"] == "kept"
    )


def test_problems_land_on_their_field() -> None:
    errors = field_errors(
        [
            Problem("must be between 0 and 1", ("certainty",)),
            Problem("must be http(s)", ("links", 1)),
            Problem("bad level", ("evidence", 0, "level")),
            Problem("unknown parent (at /bets/3 in the graph)", ()),
        ]
    )
    assert errors == {
        "certainty": ["must be between 0 and 1"],
        "links": ["must be http(s)"],
        "evidence.0.level": ["bad level"],
        "": ["unknown parent (at /bets/3 in the graph)"],
    }


def test_numbers_keep_every_digit_through_a_form() -> None:
    item = {
        "id": "a",
        "kind": "goal",
        "title": "A",
        "certainty": 0.1234567,
        "metric": {"name": "m", "target": 2500000.5},
    }
    data = bet_from_form(bet_to_form(item))
    assert data["certainty"] == 0.1234567
    assert data["metric"]["target"] == 2500000.5
