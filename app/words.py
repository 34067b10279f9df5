"""Numbers in words, for messages, labels and alt text."""


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
