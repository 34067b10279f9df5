from __future__ import annotations

import dataclasses

from app.domain.diff import FieldChange, diff, diff_data
from app.domain.model import Debate, Prescriptiveness, Resolution, Status, Verdict
from tests.domain.builders import assumption, bet, evidence, graph


def test_the_same_graph_has_no_changes() -> None:
    before = graph(bet("vision", horizon="3y"), assumption("pain", 0.3))
    found = diff(before, before)
    assert found.empty
    assert diff_data(found)["empty"] is True


def test_added_and_removed_bets_and_assumptions() -> None:
    before = graph(bet("vision"), bet("old", parents=["vision"]), assumption("gone"))
    after = graph(bet("vision"), bet("new", parents=["vision"]), assumption("fresh"))
    found = diff(before, after)
    assert found.bets_added == ("new",)
    assert found.bets_removed == ("old",)
    assert found.assumptions_added == ("fresh",)
    assert found.assumptions_removed == ("gone",)
    assert found.bets_changed == ()


def test_field_changes_with_before_and_after_in_words() -> None:
    before = graph(
        bet("b", certainty=0.4, horizon="6w", status=Status.PROPOSED, title="Old title"),
        assumption("a", 0.3),
    )
    changed = bet(
        "b",
        certainty=0.7,
        horizon="3m",
        status=Status.VALIDATED,
        title="New title",
        prescriptiveness=Prescriptiveness.GUIDED,
        debate=Debate.CONTESTED,
    )
    after = graph(changed, assumption("a", 0.9, statement="We believe that a, more so"))
    found = diff(before, after)
    (change,) = found.bets_changed
    assert {f.field: (f.before, f.after) for f in change.fields} == {
        "title": ("Old title", "New title"),
        "certainty": (0.4, 0.7),
        "prescriptiveness": (None, "guided"),
        "debate": (None, "contested"),
        "status": ("proposed", "validated"),
        "horizon": ("6w", "3m"),
    }
    assert "certainty 40% → 70%" in change.lines()
    assert "status proposed → validated" in change.lines()
    assert "prescriptiveness — → guided" in change.lines()
    (moved,) = found.assumptions_changed
    assert [f.field for f in moved.fields] == ["statement", "certainty"]


def test_re_parenting_notes_whether_the_primary_parent_changed() -> None:
    roots = [bet("v"), bet("g1", parents=["v"]), bet("g2", parents=["v"])]
    before = graph(*roots, bet("x", parents=["g1", "g2"]), bet("y", parents=["g1"]))
    after = graph(*roots, bet("x", parents=["g2", "g1"]), bet("y", parents=["g1", "g2"]))
    changes = diff(before, after).changed_by_id
    assert changes["x"].parents is not None
    assert changes["x"].parents.primary_changed
    assert changes["x"].lines() == ("re-parented: g1, g2 → g2, g1",)
    assert changes["y"].parents is not None
    assert not changes["y"].parents.primary_changed
    assert changes["y"].parents.added == ("g2",)
    assert changes["y"].lines() == ("parents changed: g1 → g1, g2",)


def test_assumes_changes_and_other_fields_are_named() -> None:
    before = graph(bet("b", assumes=["a1"]), assumption("a1"), assumption("a2"))
    after = graph(
        bet("b", assumes=["a2"], description="Now described"),
        assumption("a1", evidence=[evidence()]),
        assumption("a2"),
    )
    changes = diff(before, after).changed_by_id
    assert changes["b"].assumes is not None
    assert changes["b"].assumes.removed == ("a1",)
    assert changes["b"].other == ("description",)
    assert changes["b"].lines() == ("assumes a1 → a2", "also changed: description")
    assert changes["a1"].lines() == ("also changed: evidence",)


def test_a_resolution_shows_its_verdict() -> None:
    before = graph(bet("b", certainty=0.6))
    resolved = dataclasses.replace(
        before.bets[0], resolution=Resolution(Verdict.INVALIDATED, learned="Nobody wanted it")
    )
    (change,) = diff(before, graph(resolved)).bets_changed
    assert change.fields == (FieldChange("resolution", None, "invalidated"),)


def test_header_changes_and_json_shape() -> None:
    before = graph(bet("b", certainty=0.5))
    after = dataclasses.replace(graph(bet("b", certainty=0.25)), title="Renamed")
    data = diff_data(diff(before, after))
    assert data["graph"] == {"title": {"before": "Test graph", "after": "Renamed"}}
    assert data["bets"]["changed"] == [
        {"id": "b", "fields": {"certainty": {"before": 0.5, "after": 0.25}}, "lines": ["certainty 50% → 25%"]}
    ]


def test_a_written_verdict_is_a_change_of_its_own() -> None:
    before = graph(bet("a"))
    after = graph(bet("a", verdict="Shipped to everyone"))
    found = diff(before, after)
    assert [change.other for change in found.bets_changed] == [("verdict",)]
