"""What is wrong with a document: each problem with where it is, and the error that carries them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.formats.source import (
    Path,
    Position,
)

# Past this many problems an answer lists no more (it says how many it left out): one mistake
# repeated over 10,000 bets is fixed by reading fifty of its reports, not 10,000.
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    path: Path = ()
    position: Position | None = None

    @property
    def pointer(self) -> str:
        """RFC 6901 JSON pointer to the value concerned."""
        return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.path)

    def describe(self, source: str = "") -> str:
        place = f"{self.position.line}:{self.position.column}" if self.position is not None else self.pointer
        place = ":".join(part for part in (source, place) if part)
        return f"{place}: {self.message}" if place else self.message


class DocumentError(Exception):
    def __init__(self, problems: Iterable[Problem]) -> None:
        found = tuple(problems)
        self.problems = found[:MAX_PROBLEMS]
        if len(found) > MAX_PROBLEMS:
            self.problems += (Problem(f"… and {len(found) - MAX_PROBLEMS} more problems"),)
        super().__init__("; ".join(problem.describe() for problem in self.problems))


# PostgreSQL cannot store NUL in text, and a lone surrogate (JSON's "\ud800") is no character:
# it cannot be written as UTF-8, so neither stored nor sent back.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(value: str) -> str | None:
    """What makes `value` text that cannot be stored or sent, as a predicate after its name; else None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters (\\x00)"
    return f"must not contain U+{ord(found.group()):04X}, a lone surrogate: half of a character written as two"
