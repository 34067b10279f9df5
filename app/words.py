"""Numbers and moments in words, for messages, labels and alt text."""

from __future__ import annotations

import datetime as dt


def plural(count: int, noun: str, many: str | None = None) -> str:
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def percent(value: float | None) -> str:
    """`70%`; small chain certainties keep two significant figures (`0.35%`), not `0%`."""
    if value is None:
        return "?%"
    if value == 0 or value >= 0.01:
        return f"{value:.0%}"
    if value < 0.00001:
        return "< 0.001%"
    return f"{value * 100:.2g}%"


def ago(moment: dt.datetime, now: dt.datetime) -> str:
    """`3 days ago`; a moment over four weeks back is named by its date (`on 2026-10-01`), which
    reads better than a count of weeks. Both are aware datetimes."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{plural(int(seconds // 60), 'minute')} ago"
    if seconds < 86400:
        return f"{plural(int(seconds // 3600), 'hour')} ago"
    days = int(seconds // 86400)
    return f"{plural(days, 'day')} ago" if days <= 28 else f"on {moment.date().isoformat()}"
