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
    failed_render_seconds: float = 600.0  # how long a picture that could not be drawn is not tried again
    database_timeout: float = 5.0  # the longest any call waits for the database before answering 503
    header_seconds: float = 10.0  # a client must send a request's headers within this
    body_seconds: float = 30.0  # and its body within this
    # A signed-in person's role on a private graph they are not a member of: "none" or "viewer".
    default_role: str = "none"
    oidc: Oidc | None = None  # single sign-on; None: people sign in with a token
    session_idle: float = 12 * 3600.0  # a sign-in unused this long is over
    session_max: float = 7 * 86_400.0  # and any sign-in this old
    # Webhooks may be sent to loopback, link-local and private addresses (tests; an intranet's receivers).
    webhook_allow_private: bool = False
    webhook_timeout: float = 10.0  # a receiver must answer within this
    webhook_retry_scale: float = 1.0  # every wait between attempts, times this (tests, staging)


@dataclass(frozen=True, slots=True)
class Oidc:
    """The OpenID provider people sign in with, and how Betgraph is registered there."""

    issuer: str
    client_id: str
    client_secret: str
    admin_group: str = ""  # a `groups` claim value that makes someone an administrator


def default_database_url() -> str:
    folder = Path(os.environ.get("BETGRAPH_DATA", "data"))
    return f"sqlite:///{folder / 'betgraph.db'}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        max_body_bytes=int(os.environ.get("BETGRAPH_MAX_BODY_BYTES") or 5 << 20),
        public_url=os.environ.get("BETGRAPH_PUBLIC_URL", "").rstrip("/"),
        failed_render_seconds=_seconds("BETGRAPH_FAILED_RENDER_SECONDS", 600.0),
        database_timeout=_seconds("BETGRAPH_DATABASE_TIMEOUT", 5.0),
        header_seconds=_seconds("BETGRAPH_HEADER_TIMEOUT", 10.0),
        body_seconds=_seconds("BETGRAPH_BODY_TIMEOUT", 30.0),
        default_role=_default_role(),
        oidc=_oidc(),
        session_idle=_seconds("BETGRAPH_SESSION_IDLE", 12 * 3600.0, longest=366 * 86_400),
        session_max=_seconds("BETGRAPH_SESSION_MAX", 7 * 86_400.0, longest=366 * 86_400),
        webhook_allow_private=_flag("BETGRAPH_WEBHOOK_ALLOW_PRIVATE"),
        webhook_timeout=_seconds("BETGRAPH_WEBHOOK_TIMEOUT", 10.0, longest=120),
        webhook_retry_scale=_scale("BETGRAPH_WEBHOOK_RETRY_SCALE"),
    )


OIDC = ("BETGRAPH_OIDC_ISSUER", "BETGRAPH_OIDC_CLIENT_ID", "BETGRAPH_OIDC_CLIENT_SECRET")


def _oidc() -> Oidc | None:
    values = [os.environ.get(name, "").strip() for name in OIDC]
    if not any(values):
        return None
    missing = [name for name, value in zip(OIDC, values, strict=True) if not value]
    if missing:
        raise SystemExit(f"betgraph: single sign-on needs {', '.join(missing)} as well")
    if not os.environ.get("BETGRAPH_PUBLIC_URL"):
        # The provider sends people back to BETGRAPH_PUBLIC_URL + /auth/callback, registered there.
        raise SystemExit("betgraph: single sign-on needs BETGRAPH_PUBLIC_URL, the address people reach Betgraph at")
    issuer = values[0].rstrip("/")
    if not issuer.startswith(("https://", "http://")):
        raise SystemExit(f"betgraph: BETGRAPH_OIDC_ISSUER must be an http(s) URL, not {issuer[:60]!r}")
    return Oidc(issuer, values[1], values[2], os.environ.get("BETGRAPH_OIDC_ADMIN_GROUP", "").strip())


DEFAULT_ROLES = ("none", "viewer")


def _default_role() -> str:
    value = os.environ.get("BETGRAPH_DEFAULT_ROLE") or "none"
    if value not in DEFAULT_ROLES:
        raise SystemExit(f"betgraph: BETGRAPH_DEFAULT_ROLE must be none or viewer, not {value[:40]!r}")
    return value


def _seconds(name: str, default: float, *, longest: float = 86_400) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise SystemExit(f"betgraph: {name} must be a number of seconds, not {value[:40]!r}") from None
    if not 0 < seconds < longest:
        raise SystemExit(f"betgraph: {name} must be between 0 and {longest:.0f} seconds, not {value[:40]!r}")
    return seconds


def _flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SystemExit(f"betgraph: {name} must be 1 or 0 (true or false), not {value[:40]!r}")


def _scale(name: str) -> float:
    value = os.environ.get(name)
    if not value:
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        raise SystemExit(f"betgraph: {name} must be a number, not {value[:40]!r}") from None
    if not 0.0001 <= scale <= 100:
        raise SystemExit(f"betgraph: {name} must be between 0.0001 and 100, not {value[:40]!r}")
    return scale
