"""Settings from the environment: one place, read once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    max_body_bytes: int = 5 << 20
    public_url: str = ""  # how clients reach this service; diagram nodes link to its viewer


def default_database_url() -> str:
    folder = Path(os.environ.get("BETGRAPH_DATA", "data"))
    return f"sqlite:///{folder / 'betgraph.db'}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        max_body_bytes=int(os.environ.get("BETGRAPH_MAX_BODY_BYTES") or 5 << 20),
        public_url=os.environ.get("BETGRAPH_PUBLIC_URL", "").rstrip("/"),
    )
