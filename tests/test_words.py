from __future__ import annotations

import pytest

from app.words import percent, plural


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "?%"), (0, "0%"), (0.7, "70%"), (0.01, "1%"), (0.0072, "0.72%"), (0.00035, "0.035%"), (2e-7, "< 0.001%")],
)
def test_percent(value: float | None, shown: str) -> None:
    assert percent(value) == shown


def test_plural() -> None:
    assert [plural(n, "bet") for n in (0, 1, 2)] == ["0 bets", "1 bet", "2 bets"]
