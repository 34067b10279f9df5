"""The OpenID provider the sign-in tests will use (tests/clients/oidc/provider.mjs), proved with
Authlib's own relying party: the same OAuth2Mixin + OpenIDMixin its Flask and Starlette clients are
made of, on its requests session, so discovery, PKCE, nonce and the ID token checks are Authlib's.

The person's browser is an HTTP client that follows the provider's redirects and posts its
sign-in and consent forms as they are served.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2
import pytest
from authlib.integrations.base_client import BaseApp, FrameworkIntegration, OAuthError
from authlib.integrations.base_client.sync_app import OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import ExpiredTokenError, InvalidClaimError, InvalidKeyIdError, MissingClaimError

from tests.realclients import oidc_provider, provider_page, provider_sign_in

CALLBACK = "http://127.0.0.1:9/auth/callback"
SIGNED_OUT = "http://127.0.0.1:9/"
SCOPE = "openid email profile groups"


def _client(client_id: str, method: str = "client_secret_basic") -> dict[str, Any]:
    return {
        "client_id": client_id,
        "client_secret": f"{client_id}-secret",
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": [SIGNED_OUT],
        "token_endpoint_auth_method": method,
    }


CONFIG = {
    "clients": [_client("betgraph"), _client("other-app", "client_secret_post")],
    "accounts": {
        "alice": {"email": "alice@example.org", "name": "Alice Admin", "groups": ["betgraph-admins", "staff"]},
        "bob": {"email": "bob@example.org", "name": "Bob Reader"},
    },
}


class RelyingParty(OAuth2Mixin, OpenIDMixin, BaseApp):  # type: ignore[misc]
    """Authlib's OpenID client without a web framework (its Flask client is these mixins too)."""

    client_cls = OAuth2Session


def relying_party(issuer: str, client_id: str, method: str = "client_secret_basic") -> RelyingParty:
    return RelyingParty(
        FrameworkIntegration("betgraph"),
        client_id=client_id,
        client_secret=f"{client_id}-secret",
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "token_endpoint_auth_method": method},
    )


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider(CONFIG) as url:
        yield url


def callback_query(response: httpx2.Response) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


def authorize(rp: RelyingParty, login: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A fresh browser signs in as `login`: Authlib's authorization request (state, nonce, PKCE
    verifier) and the query the provider sends back to the redirect_uri."""
    request: dict[str, Any] = rp.create_authorization_url(redirect_uri=CALLBACK)
    with httpx2.Client() as browser:
        return request, callback_query(provider_sign_in(browser, request["url"], login, callback=CALLBACK))


def exchange(rp: RelyingParty, request: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    token: dict[str, Any] = rp.fetch_access_token(
        redirect_uri=CALLBACK, code=query["code"], code_verifier=request["code_verifier"]
    )
    return token


def test_discovery_announces_what_the_sign_in_needs(issuer: str) -> None:
    metadata = httpx2.get(f"{issuer}/.well-known/openid-configuration").json()

    assert metadata["issuer"] == issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert metadata[endpoint].startswith(f"{issuer}/")
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "email", "profile", "groups"} <= set(metadata["scopes_supported"])
    assert "groups" in metadata["claims_supported"]


def test_authorization_code_with_pkce_gives_an_id_token_authlib_accepts(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")

    request, query = authorize(rp, "alice")
    assert "code_challenge=" in request["url"]
    assert "code_challenge_method=S256" in request["url"]
    assert query["state"] == request["state"]
    assert query["iss"] == issuer
    token = exchange(rp, request, query)
    # Signature against the JWKS, iss, aud, exp, iat, nonce and at_hash, as Authlib checks them.
    claims = rp.parse_id_token(token, nonce=request["nonce"])

    assert claims["iss"] == issuer
    assert claims["aud"] == "betgraph"
    assert claims["sub"] == "alice"
    assert claims["email"] == "alice@example.org"
    assert claims["name"] == "Alice Admin"
    assert claims["groups"] == ["betgraph-admins", "staff"]


def test_a_person_without_groups_gets_an_empty_list(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")

    request, query = authorize(rp, "bob")
    claims = rp.parse_id_token(exchange(rp, request, query), nonce=request["nonce"])

    assert (claims["email"], claims["groups"]) == ("bob@example.org", [])


def test_an_id_token_is_refused_with_another_nonce(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")
    request, query = authorize(rp, "alice")
    token = exchange(rp, request, query)

    with pytest.raises(InvalidClaimError, match="nonce"):
        rp.parse_id_token(token, nonce="not-the-one-sent")


def test_the_provider_refuses_a_code_used_twice(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")
    request, query = authorize(rp, "alice")
    exchange(rp, request, query)

    with pytest.raises(OAuthError) as refused:
        exchange(rp, request, query)
    assert refused.value.error == "invalid_grant"


def test_the_provider_refuses_a_code_without_its_verifier(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")
    _, query = authorize(rp, "alice")

    with pytest.raises(OAuthError) as refused:
        rp.fetch_access_token(redirect_uri=CALLBACK, code=query["code"], code_verifier="x" * 43)
    assert refused.value.error == "invalid_grant"


def test_the_provider_refuses_an_unregistered_redirect_uri(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")
    request = rp.create_authorization_url(redirect_uri="http://127.0.0.1:9/elsewhere")

    response = httpx2.get(request["url"])

    # An error page of its own, never a redirect to where the code could leak.
    assert response.status_code == 400
    assert "location" not in response.headers
    text = provider_page(response).text_content()
    assert "invalid_redirect_uri" in text
    assert "redirect_uri did not match any of the client's registered redirect_uris" in text


def test_an_id_token_for_another_client_is_refused(issuer: str) -> None:
    other = relying_party(issuer, "other-app", "client_secret_post")
    request, query = authorize(other, "alice")
    token = exchange(other, request, query)
    assert other.parse_id_token(token, nonce=request["nonce"])["aud"] == "other-app"

    betgraph = relying_party(issuer, "betgraph")
    # Authlib's own check of another audience: no `azp` naming this client.
    with pytest.raises(MissingClaimError, match="azp"):
        betgraph.parse_id_token(token, nonce=request["nonce"])
    # And with `aud` among the claims options (which replace Authlib's default, so `iss` too).
    options = {"iss": {"values": [issuer]}, "aud": {"values": ["betgraph"]}}
    with pytest.raises(InvalidClaimError, match="aud"):
        betgraph.parse_id_token(token, nonce=request["nonce"], claims_options=options)


def test_an_id_token_from_another_provider_is_refused(issuer: str) -> None:
    with oidc_provider(CONFIG) as elsewhere:
        impostor = relying_party(elsewhere, "betgraph")
        request, query = authorize(impostor, "alice")
        token = exchange(impostor, request, query)

    # Signed with the other provider's key, which Betgraph's provider's JWKS does not hold.
    with pytest.raises(InvalidKeyIdError):
        relying_party(issuer, "betgraph").parse_id_token(token, nonce=request["nonce"])


def test_an_expired_id_token_is_refused() -> None:
    with oidc_provider(CONFIG | {"id_token_ttl": 1}) as short_lived:
        rp = relying_party(short_lived, "betgraph")
        request, query = authorize(rp, "alice")
        token = exchange(rp, request, query)
        time.sleep(2)

        with pytest.raises(ExpiredTokenError):
            rp.parse_id_token(token, nonce=request["nonce"], leeway=0)


def test_logout_ends_the_session_at_the_provider(issuer: str) -> None:
    rp = relying_party(issuer, "betgraph")
    request: dict[str, Any] = rp.create_authorization_url(redirect_uri=CALLBACK)
    with httpx2.Client() as browser:
        token = exchange(
            rp, request, callback_query(provider_sign_in(browser, request["url"], "alice", callback=CALLBACK))
        )
        # Signed in, the provider sends the browser straight back with a code: no form at all.
        again = rp.create_authorization_url(redirect_uri=CALLBACK)
        assert browser.get(again["url"]).headers["location"].startswith(CALLBACK)

        logout = rp.create_logout_url(post_logout_redirect_uri=SIGNED_OUT, id_token_hint=token["id_token"])
        asked = browser.get(logout["url"])
        form = provider_page(asked).forms[0]
        confirmed = browser.post(
            urljoin(str(asked.url), form.action), data=dict(form.form_values()) | {"logout": "yes"}
        )
        assert confirmed.headers["location"] == f"{SIGNED_OUT}?state={logout['state']}"

        after = browser.get(rp.create_authorization_url(redirect_uri=CALLBACK)["url"])
        assert urlsplit(after.headers["location"]).path.startswith("/interaction/")
