"""How far a metric has come from its baseline towards its target, in words and a tiny text bar.

The bar is made of characters, not colour: it reads the same in a screen reader's transcript,
in Mermaid and in a terminal, and the percentage beside it says the same thing again.
"""

from __future__ import annotations

import math

from app.domain.model import Metric

BAR_CELLS = 5


def progress(metric: Metric) -> float | None:
    """The share of the way from baseline to target covered by `current`: 0 at the baseline, 1 at the
    target, below 0 when it moved the wrong way, above 1 past the target. Direction needs no
    special case: a `down` metric's target is below its baseline, and the division says so."""
    if metric.current is None or metric.baseline is None or metric.target is None:
        return None
    if metric.target == metric.baseline:
        return None
    fraction = (metric.current - metric.baseline) / (metric.target - metric.baseline)
    # Extreme but valid numbers (a target a hair from the baseline) give inf, which has no share.
    return fraction if math.isfinite(fraction) else None


def bar(fraction: float) -> str:
    filled = round(min(1.0, max(0.0, fraction)) * BAR_CELLS)
    return "■" * filled + "□" * (BAR_CELLS - filled)


def share(fraction: float) -> str:
    # not words.percent: progress can be negative or past 100%, and is never a probability
    return f"{round(fraction * 100)}%"


def number(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def metric_line(metric: Metric) -> str:
    """`activation ↑ 31 of 10 → 40 % · 70% ■■■■□`; without a current value, `activation ↑ 10 → 40 %`."""
    arrow = "↑" if metric.direction == "up" else "↓"
    span = f"{number(metric.baseline)} → {number(metric.target)}" + (f" {metric.unit}" if metric.unit else "")
    fraction = progress(metric)
    if fraction is not None:
        return f"{metric.name} {arrow} {number(metric.current)} of {span} · {share(fraction)} {bar(fraction)}"
    text = f"{metric.name} {arrow} {span}"
    if metric.current is not None:
        text += f" (now {number(metric.current)})"
    return text


def metric_tip(metric: Metric) -> str | None:
    """The latest check-in, for a tooltip: `metric 31 % on 2026-10-31 (3 check-ins): …note`."""
    latest = metric.latest
    if latest is None:
        return None
    unit = f" {metric.unit}" if metric.unit else ""
    count = len(metric.checkins)
    text = f"{metric.name}: {number(latest.value)}{unit} on {latest.date.isoformat()}"
    text += f" ({count} check-in{'' if count == 1 else 's'})"
    return f"{text}: {latest.note}" if latest.note else text
