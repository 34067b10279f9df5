from __future__ import annotations

import datetime as dt

import pytest

from app.words import ago, percent, plural


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "?%"), (0, "0%"), (0.7, "70%"), (0.01, "1%"), (0.0072, "0.72%"), (0.00035, "0.035%"), (2e-7, "< 0.001%")],
)
def test_percent(value: float | None, shown: str) -> None:
    assert percent(value) == shown


def test_plural() -> None:
    assert [plural(n, "bet") for n in (0, 1, 2)] == ["0 bets", "1 bet", "2 bets"]


NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("before", "shown"),
    [
        (dt.timedelta(seconds=59), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (dt.timedelta(hours=2), "2 hours ago"),
        (dt.timedelta(days=1), "1 day ago"),
        (dt.timedelta(days=28, hours=23), "28 days ago"),
        (dt.timedelta(days=29), "on 2026-11-05"),
    ],
)
def test_ago(before: dt.timedelta, shown: str) -> None:
    assert ago(NOW - before, NOW) == shown
