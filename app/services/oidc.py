"""The OpenID Connect relying party: Authlib speaks the protocol, this module only configures it.

Authlib finds the provider by its discovery document, builds the authorization request (state,
nonce, PKCE S256), exchanges the code and checks the ID token: its signature against the
provider's JWKS (fetched again once for a key it does not know), its issuer, audience, expiry,
nonce and at_hash. Nothing here parses JOSE. What this module adds is what Authlib leaves to the
application: the discovery document's issuer must be the configured one (OpenID Connect
Discovery 1.0, section 4.3), the ID token's issuer and audience are checked against the
configuration rather than against whatever the document says, and every call to the provider
is bounded in time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import BaseApp, FrameworkIntegration, OAuthError
from authlib.integrations.base_client.sync_app import OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError

from app.config import Oidc

SCOPE = "openid email profile groups"
TIMEOUT = 5.0  # seconds for any one call to the provider: a person is waiting on the other side
METADATA_SECONDS = 3600.0  # the discovery document is read again after this, so a moved endpoint is found


class ProviderError(Exception):
    """The provider could not be reached or answered nonsense: not the person's fault (503)."""


class SignInError(Exception):
    """The provider's answer does not sign this person in (refused, forged, replayed or expired)."""


@dataclass(frozen=True, slots=True)
class Request:
    """An authorization request on its way to the provider: the URL, and what its answer must match."""

    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider says signed in, from an ID token that passed every check."""

    subject: str
    email: str
    email_verified: bool | None  # None: the provider did not say
    name: str
    groups: tuple[str, ...]
    id_token: str


class _RelyingParty(OAuth2Mixin, OpenIDMixin, BaseApp):  # type: ignore[misc]
    """Authlib's OpenID client without a web framework: its Flask and Starlette clients are these
    mixins too; the state is kept by us (`app.services.signins`), not in a framework session."""

    client_cls = OAuth2Session


class Provider:
    """The configured provider; one per process, safe to share between threads."""

    def __init__(self, config: Oidc, redirect_uri: str) -> None:
        self.config = config
        self.redirect_uri = redirect_uri
        self._lock = threading.Lock()
        self._party: _RelyingParty | None = None
        self._loaded = 0.0

    def _relying_party(self) -> _RelyingParty:
        with self._lock:
            if self._party is None or time.monotonic() - self._loaded > METADATA_SECONDS:
                party = _RelyingParty(
                    FrameworkIntegration("betgraph"),
                    client_id=self.config.client_id,
                    client_secret=self.config.client_secret,
                    server_metadata_url=f"{self.config.issuer}/.well-known/openid-configuration",
                    client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": TIMEOUT},
                )
                metadata = _call(party.load_server_metadata)
                if metadata.get("issuer") != self.config.issuer:
                    raise ProviderError(
                        f"the provider's discovery document names the issuer {str(metadata.get('issuer'))[:200]!r}, "
                        f"not {self.config.issuer!r} as configured"
                    )
                self._party, self._loaded = party, time.monotonic()
            return self._party

    def authorization(self) -> Request:
        party = self._relying_party()
        made: dict[str, Any] = _call(party.create_authorization_url, redirect_uri=self.redirect_uri)
        return Request(made["url"], made["state"], made["nonce"], made["code_verifier"])

    def identity(self, code: str, *, nonce: str, verifier: str) -> Identity:
        """Exchange `code` and check the ID token it brings; SignInError when anything is wrong."""
        party = self._relying_party()
        try:
            token = party.fetch_access_token(redirect_uri=self.redirect_uri, code=code, code_verifier=verifier)
        except OAuthError as error:  # the provider refused the code: used, expired, or not for us
            raise SignInError(f"the provider refused the sign-in ({error.error})") from None
        except (requests.RequestException, ValueError) as error:
            raise ProviderError(f"the provider's token endpoint did not answer ({type(error).__name__})") from None
        if "id_token" not in token:
            raise SignInError("the provider sent no ID token")
        options = {
            "iss": {"essential": True, "values": [self.config.issuer]},
            "aud": {"essential": True, "values": [self.config.client_id]},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        try:
            claims = party.parse_id_token(token, nonce=nonce, claims_options=options, leeway=60)
        except (JoseError, AuthlibBaseError, ValueError) as error:
            raise SignInError(f"the ID token was refused: {_reason(error)}") from None
        except requests.RequestException as error:
            raise ProviderError(f"the provider's keys could not be read ({type(error).__name__})") from None
        return _identity(dict(claims), str(token["id_token"]))

    def logout_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """The provider's RP-initiated logout for this sign-in, if it offers one."""
        try:
            party = self._relying_party()
        except ProviderError:
            return None  # signed out here all the same; the provider's own session stays
        if not party.server_metadata.get("end_session_endpoint"):
            return None
        made = party.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, client_id=self.config.client_id
        )
        return str(made["url"])


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        raise ProviderError(f"the provider did not answer as OpenID Connect asks ({type(error).__name__})") from None


def _reason(error: Exception) -> str:
    return str(getattr(error, "description", None) or getattr(error, "error", None) or error)[:200]


def _identity(claims: dict[str, Any], id_token: str) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInError("the provider did not share an e-mail address: Betgraph asks for the `email` scope")
    verified = claims.get("email_verified")
    groups = claims.get("groups")
    return Identity(
        subject=str(claims["sub"]),
        email=email.strip().lower(),
        email_verified=verified if isinstance(verified, bool) else None,
        name=str(claims.get("name") or claims.get("preferred_username") or "")[:200],
        groups=tuple(str(group) for group in groups) if isinstance(groups, list) else (),
        id_token=id_token,
    )
