"""Progress from baseline to target: in words, as a text bar, and in every output that shows a metric."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.domain.model import CheckIn, Kind, Metric, MetricDirection
from app.rendering.dot import to_dot
from app.rendering.jsonview import to_json
from app.rendering.mermaid import to_mermaid
from app.rendering.progress import bar, metric_line, metric_tip, progress
from app.rendering.views import View, select
from tests.domain.builders import TODAY, bet, graph

ACTIVATION = Metric("activation", "%", MetricDirection.UP, baseline=10, target=40, current=31)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (ACTIVATION, 0.7),
        (Metric("days to payroll", "days", MetricDirection.DOWN, baseline=9, target=2, current=6), 3 / 7),
        (Metric("m", baseline=10, target=40, current=5), -1 / 6),  # the wrong way
        (Metric("m", baseline=10, target=40, current=55), 1.5),  # past the target
        (Metric("m", baseline=10, target=40), None),
        (Metric("m", target=40, current=20), None),
        (Metric("m", baseline=40, target=40, current=20), None),
    ],
)
def test_progress(metric: Metric, expected: float | None) -> None:
    assert progress(metric) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(("fraction", "cells"), [(-0.5, "□□□□□"), (0.0, "□□□□□"), (0.7, "■■■■□"), (1.5, "■■■■■")])
def test_bar(fraction: float, cells: str) -> None:
    assert bar(fraction) == cells


def test_metric_line() -> None:
    assert metric_line(ACTIVATION) == "activation ↑ 31 of 10 → 40 % · 70% ■■■■□"
    assert metric_line(Metric("m", baseline=10, target=40, current=5)) == "m ↑ 5 of 10 → 40 · -17% □□□□□"
    assert metric_line(Metric("m", "%", target=40)) == "m ↑ ? → 40 %"
    assert metric_line(Metric("m", direction=MetricDirection.DOWN, target=2, current=6)) == "m ↓ ? → 2 (now 6)"


def test_metric_tip_names_the_latest_checkin() -> None:
    checked = Metric(
        "activation",
        "%",
        baseline=10,
        target=40,
        current=31,
        checkins=(CheckIn(31, dt.date(2026, 10, 31), "after the wizard"), CheckIn(20, dt.date(2026, 9, 30))),
    )
    assert metric_tip(checked) == "activation: 31 % on 2026-10-31 (2 check-ins): after the wizard"
    assert metric_tip(ACTIVATION) is None


def test_diagrams_show_progress_as_text() -> None:
    metric = Metric("<b>signups</b>", "%", baseline=10, target=40, current=31, checkins=(CheckIn(31, TODAY),))
    g = graph(bet("goal", Kind.GOAL, horizon="1y", certainty=0.6, metric=metric))
    dot = to_dot(g)
    node = next(line for line in dot.splitlines() if line.strip().startswith('"b_goal" ['))
    # user text through escape.label_text only: the name's markup arrives as text
    assert "&lt;b&gt;signups&lt;/b&gt; ↑ 31 of 10 → 40 % · 70% ■■■■□" in node
    assert "<b>signups" not in node
    assert "on 2026-11-01 (1 check-in)" in node  # the tooltip
    scene = select(g, View(), TODAY)
    # in Mermaid, in phrases that its wrapping cannot split (no-break spaces)
    phrases = "#60;b#62;signups#60;/b#62; ↑<br/>31 of 10 → 40 #37; · 70#37; ■■■■□"
    assert phrases.replace(" ", "\u00a0").replace("\u00a0·\u00a0", " · ") in to_mermaid(scene)
    data = json.loads(to_json(scene))["bets"][0]["metric"]
    assert (data["progress"], data["checkins"], data["checked_on"]) == (0.7, 1, "2026-11-01")
    assert data["line"] == "<b>signups</b> ↑ 31 of 10 → 40 % · 70% ■■■■□"


def test_an_extreme_but_valid_metric_has_no_share_rather_than_an_error() -> None:
    extreme = Metric(name="m", baseline=0.0, target=1e-300, current=1e10)
    assert progress(extreme) is None
    assert "m" in metric_line(extreme)
