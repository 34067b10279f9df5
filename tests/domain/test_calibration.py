"""Calibration: claimed certainty in bands against verdicts, and what is past due without a verdict."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.calibration import band_index, calibrate, calibration_data, claimed_certainty
from app.domain.model import Kind, Resolution, Status, Verdict
from tests.domain.builders import TODAY, assumption, bet, graph


def resolved(verdict: Verdict, committed: float | None = None) -> Resolution:
    return Resolution(verdict, committed_certainty=committed)


def test_resolved_bets_and_assumptions_fall_in_bands_by_committed_certainty() -> None:
    g = graph(
        bet("a", certainty=0.1, resolution=resolved(Verdict.VALIDATED, 0.7)),
        bet("b", certainty=0.7, resolution=resolved(Verdict.INVALIDATED)),
        bet("c", certainty=0.65, resolution=resolved(Verdict.VALIDATED)),
        bet("d", certainty=0.9, resolution=resolved(Verdict.INCONCLUSIVE)),
        bet("open", certainty=0.9),
        assumption("s", 0.3, resolution=resolved(Verdict.INVALIDATED, 0.15)),
        assumption("t", None, resolution=resolved(Verdict.VALIDATED)),
    )
    report = calibrate(g, TODAY)
    by_label = {band.label: band for band in report.bands}
    assert list(by_label) == ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"]
    sixty = by_label["60–80%"]
    assert sixty.ids == ("a", "b", "c")  # a by its committed 70%, not the 10% it says now
    assert (sixty.count, sixty.validated, sixty.invalidated, sixty.inconclusive) == (3, 2, 1, 0)
    assert sixty.rate == pytest.approx(2 / 3)
    assert sixty.claimed == pytest.approx((0.7 + 0.7 + 0.65) / 3)
    eighty = by_label["80–100%"]
    assert (eighty.count, eighty.inconclusive, eighty.rate) == (1, 1, None)  # inconclusive says nothing either way
    assert by_label["0–20%"].ids == ("s",)
    assert by_label["40–60%"].count == 0
    assert by_label["40–60%"].claimed is None
    assert report.unclaimed == ("t",)
    assert report.resolved == 6


@pytest.mark.parametrize(
    ("certainty", "band"), [(0.0, 0), (0.199, 0), (0.2, 1), (0.4, 2), (0.6, 3), (0.8, 4), (1.0, 4)]
)
def test_band_edges_belong_to_the_band_above(certainty: float, band: int) -> None:
    assert band_index(certainty) == band


def test_claimed_certainty_prefers_the_committed_one() -> None:
    assert claimed_certainty(bet("a", certainty=0.2, resolution=resolved(Verdict.VALIDATED, 0.9))) == 0.9
    assert claimed_certainty(bet("a", certainty=0.2, resolution=resolved(Verdict.VALIDATED))) == 0.2


def test_overdue_lists_what_passed_its_horizon_or_review_date_without_a_verdict() -> None:
    g = graph(
        bet("late", horizon="2026-10-01"),
        bet("stale", horizon="6w", review_by=dt.date(2026, 10, 15)),
        bet("both", horizon="2026-09-01", review_by=dt.date(2026, 10, 1)),
        bet("relative", horizon="6w"),  # read from as_of, so never past it
        bet("future", horizon="2027-01-01", review_by=dt.date(2026, 12, 1)),
        bet("resolved", horizon="2026-10-01", resolution=resolved(Verdict.VALIDATED)),
        bet("told", horizon="2026-10-01", verdict="Shipped; adoption is as hoped"),
        bet("validated", horizon="2026-10-01", status=Status.VALIDATED),
        bet("dropped", horizon="2026-10-01", status=Status.DROPPED),
        bet("delivered", Kind.INITIATIVE, horizon="2026-10-01", status=Status.DONE),  # did it pay off?
        assumption("belief", review_by=dt.date(2026, 10, 20)),
        assumption("settled", review_by=dt.date(2026, 10, 20), resolution=resolved(Verdict.INVALIDATED)),
    )
    report = calibrate(g, dt.date(2030, 1, 1))  # the graph's as_of wins over today
    assert report.as_of == TODAY
    assert [(o.id, o.due.isoformat()) for o in report.overdue] == [
        ("both", "2026-09-01"),
        ("delivered", "2026-10-01"),
        ("late", "2026-10-01"),
        ("stale", "2026-10-15"),
        ("belief", "2026-10-20"),
    ]
    both = report.overdue[0]
    assert (both.horizon, both.review_by, both.days(report.as_of)) == (dt.date(2026, 9, 1), dt.date(2026, 10, 1), 61)
    assert report.overdue[3].horizon is None  # 6w from as_of has not passed
    assert report.overdue[4].section == "assumptions"


def test_without_as_of_today_is_the_reference() -> None:
    g = graph(bet("late", horizon="2026-10-01"), as_of=None)
    assert [o.id for o in calibrate(g, dt.date(2026, 10, 2)).overdue] == ["late"]
    assert calibrate(g, dt.date(2026, 10, 1)).overdue == ()


def test_calibration_data_is_plain_json() -> None:
    g = graph(bet("a", certainty=0.75, resolution=resolved(Verdict.VALIDATED)), bet("late", horizon="2026-10-01"))
    data = calibration_data(calibrate(g, TODAY))
    assert data["as_of"] == "2026-11-01"
    assert data["resolved"] == 1
    assert data["bands"][3] == {
        "band": "60–80%",
        "low": 0.6,
        "high": 0.8,
        "count": 1,
        "validated": 1,
        "invalidated": 0,
        "inconclusive": 0,
        "rate": 1.0,
        "claimed": 0.75,
        "ids": ["a"],
    }
    assert data["overdue"] == [
        {
            "id": "late",
            "section": "bets",
            "title": "Late",
            "due": "2026-10-01",
            "days": 31,
            "horizon": "2026-10-01",
            "review_by": None,
        }
    ]
