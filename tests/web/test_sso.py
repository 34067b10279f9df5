"""Single sign-on through our own routes (/auth/login, /auth/callback, /auth/logout), against the
real OpenID provider the tests start (tests/clients/oidc/provider.mjs), on SQLite and PostgreSQL.

The app answers in this process (Starlette's TestClient, its cookies kept like a browser's); the
person's side at the provider is a real HTTP client posting the provider's own forms. The whole
login in Chromium is in tests/web/test_people_pages.py.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Oidc, Settings
from app.server import create_app
from app.services import people
from app.storage.graphs import get_graph_row, save_graph
from app.storage.people import find_person
from app.storage.tables import SignInRow
from app.storage.tokens import Scope, create_token
from tests.realclients import oidc_provider, provider_sign_in
from tests.rendering.pictures import example

BASE = "http://testserver"
CALLBACK = f"{BASE}/auth/callback"


def _client(client_id: str) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "client_secret": f"{client_id}-secret",
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": [f"{BASE}/"],
    }


ACCOUNTS = {
    "alice": {"email": "alice@example.org", "name": "Alice Admin", "groups": ["betgraph-admins"]},
    "bob": {"email": "Bob@Example.org", "name": "Bob Builder"},
    "carol": {"email": "carol@example.org", "name": "Carol Reader"},
}


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider({"clients": [_client("betgraph"), _client("other-app")], "accounts": ACCOUNTS}) as url:
        yield url


@dataclass
class Sso:
    client: TestClient
    sessions: sessionmaker[Session]
    issuer: str

    def login(self, login: str, next: str = "/") -> httpx2.Response:
        """Sign in as `login`: our redirect to the provider, its forms, and back to our callback."""
        return self.callback(self.to_provider(login, next))

    def to_provider(self, login: str, next: str = "/") -> str:
        """As far as the provider's redirect back to us: the callback URL it sends the browser to."""
        started = self.client.get("/auth/login", params={"next": next}, follow_redirects=False)
        assert started.status_code == 303, started.text
        with httpx2.Client() as browser:
            back = provider_sign_in(browser, started.headers["location"], login, callback=CALLBACK)
        return str(back.headers["location"])

    def callback(self, url: str) -> httpx2.Response:
        return self.client.get(url.removeprefix(BASE), follow_redirects=False)

    def tamper(self, **query: str) -> None:
        httpx2.get(f"{self.issuer}/__tamper", params=query).raise_for_status()


@pytest.fixture
def sso(engine: Engine, database_url: str, issuer: str) -> Iterator[Sso]:
    settings = Settings(
        database_url=database_url,
        public_url=BASE,
        oidc=Oidc(issuer, "betgraph", "betgraph-secret", "betgraph-admins"),
    )
    with engine.connect() as connection:
        transaction = connection.begin()
        app = create_app(settings)
        app.state.services.engine.dispose()
        sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        app.state.services = replace(app.state.services, sessions=sessions)
        with sessions() as session:
            save_graph(session, replace(example("acme"), slug="team"))
            session.commit()
        with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
            yield Sso(client, sessions, issuer)
        transaction.rollback()


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _signed_in(sso: Sso) -> str:
    return sso.client.get("/").text


def test_login_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(sso: Sso) -> None:
    started = sso.client.get("/auth/login", params={"next": "/graphs/team"}, follow_redirects=False)

    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(f"{sso.issuer}/auth?")
    query = _query(location)
    assert query["redirect_uri"] == CALLBACK
    assert query["client_id"] == "betgraph"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"]
    assert query["nonce"]
    assert set(query["scope"].split()) == {"openid", "email", "profile", "groups"}
    cookie = started.headers["set-cookie"]
    assert cookie.startswith("betgraph_login=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/auth" in cookie


def test_a_person_signs_in_and_is_named_in_the_header(sso: Sso) -> None:
    answer = sso.login("bob", next="/graphs/team")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/graphs/team"
    cookie = next(value for value in answer.headers.get_list("set-cookie") if value.startswith("betgraph_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; Secure where the public address is https
    page = _signed_in(sso)
    assert "Signed in as <strong>Bob Builder</strong>" in page
    with sso.sessions() as session:
        person = find_person(session, "bob@example.org")
        assert person is not None
        assert (person.subject, person.name, person.admin) == ("bob", "Bob Builder", False)


def test_a_member_named_before_their_first_sign_in_is_the_same_person(sso: Sso) -> None:
    with sso.sessions() as session:
        row = get_graph_row(session, "team")
        assert row is not None
        people.set_member(session, row, "carol@example.org", "viewer")
        session.commit()

    sso.login("carol")

    with sso.sessions() as session:
        person = find_person(session, "carol@example.org")
        assert person is not None
        assert person.subject == "carol"
        assert person.name == "Carol Reader"


def test_the_administrators_group_makes_an_administrator_for_that_sign_in(sso: Sso) -> None:
    sso.login("alice")

    with sso.sessions() as session:
        person = find_person(session, "alice@example.org")
        assert person is not None
        assert not person.admin  # the group, not the person, says so
        row = session.scalar(select(SignInRow).where(SignInRow.person_id == person.id))
        assert row is not None
        assert row.admin_group


def test_logout_ends_the_session_here_and_sends_the_browser_to_the_providers_logout(sso: Sso) -> None:
    sso.login("bob")
    csrf = sso.client.cookies["betgraph_csrf"] if "betgraph_csrf" in sso.client.cookies else _csrf(sso)
    secret = sso.client.cookies["betgraph_session"]

    answer = sso.client.post("/auth/logout", data={"csrf": csrf}, follow_redirects=False)

    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{sso.issuer}/session/end?")
    query = _query(location)
    assert query["post_logout_redirect_uri"] == f"{BASE}/"
    assert query["id_token_hint"].count(".") == 2
    assert "Signed in as" not in _signed_in(sso)
    # The old cookie, sent again (as a copy of it would be), is worth nothing.
    sso.client.cookies.set("betgraph_session", secret)
    assert "Signed in as" not in _signed_in(sso)


def _csrf(sso: Sso) -> str:
    sso.client.get("/")
    return str(sso.client.cookies["betgraph_csrf"])


def test_logout_needs_the_forms_csrf_value(sso: Sso) -> None:
    sso.login("bob")

    answer = sso.client.post("/auth/logout", data={"csrf": "forged"}, follow_redirects=False)

    assert answer.status_code == 403
    assert "Signed in as" in _signed_in(sso)


def test_an_administrator_ends_someones_session_and_it_takes_effect_at_once(sso: Sso) -> None:
    sso.login("bob")
    assert "Signed in as" in _signed_in(sso)
    with sso.sessions() as session:
        _, admin = create_token(session, Scope.ADMIN, label="ops")
        session.commit()
    headers = {"Authorization": f"Bearer {admin}"}

    listed = sso.client.get("/api/sessions", headers=headers).json()
    bob = next(entry for entry in listed["sessions"] if entry["person"]["email"] == "bob@example.org")
    ended = sso.client.delete(f"/api/sessions/{bob['id']}", headers=headers)

    assert ended.status_code == 204
    assert "Signed in as" not in _signed_in(sso)


def test_a_tampered_state_is_refused_and_signs_nobody_in(sso: Sso) -> None:
    back = sso.to_provider("bob")
    query = _query(back)
    forged = back.replace(f"state={query['state']}", f"state={query['state'][:-2]}xy")

    answer = sso.callback(forged)

    assert answer.status_code == 400
    assert "not for the sign-in this browser started" in answer.text
    assert "betgraph_session" not in sso.client.cookies
    assert "Signed in as" not in _signed_in(sso)


def test_an_answer_for_another_browser_is_refused(sso: Sso) -> None:
    back = sso.to_provider("bob")
    sso.client.cookies.delete("betgraph_login", path="/auth")

    answer = sso.callback(back)

    assert answer.status_code == 400
    assert "Signed in as" not in _signed_in(sso)


def test_an_answer_used_twice_is_refused(sso: Sso) -> None:
    back = sso.to_provider("bob")
    login_cookie = sso.client.cookies["betgraph_login"]
    assert sso.callback(back).status_code == 303
    sso.client.cookies.clear()
    sso.client.cookies.set("betgraph_login", login_cookie, path="/auth")

    again = sso.callback(back)

    assert again.status_code == 400
    assert "used already" in again.text


def test_a_replayed_code_is_refused_by_the_provider(sso: Sso) -> None:
    first = _query(sso.to_provider("bob"))
    assert sso.callback(f"{CALLBACK}?code={first['code']}&state={first['state']}&iss={sso.issuer}").status_code == 303
    sso.client.cookies.clear()
    second = _query(sso.to_provider("bob"))

    # A fresh sign-in's state, carrying the code that was already spent.
    answer = sso.callback(f"{CALLBACK}?code={first['code']}&state={second['state']}&iss={sso.issuer}")

    assert answer.status_code == 400
    assert "refused the sign-in (invalid_grant)" in answer.text
    assert "Signed in as" not in _signed_in(sso)


@pytest.mark.parametrize(
    ("forgery", "words"),
    [
        ({"iss": "https://elsewhere.example"}, "The ID token was refused: Invalid claim: 'iss'"),
        ({"aud": "other-app"}, "The ID token was refused: Invalid claim: 'aud'"),
        ({"resign": "1"}, "The ID token was refused: bad_signature"),
    ],
    ids=["another-issuer", "another-audience", "a-key-not-the-providers"],
)
def test_an_id_token_that_is_not_for_us_is_refused(sso: Sso, forgery: dict[str, str], words: str) -> None:
    sso.tamper(**forgery)
    try:
        answer = sso.login("bob")
    finally:
        sso.tamper()

    assert answer.status_code == 400
    assert words in html.unescape(answer.text)
    assert "Signed in as" not in _signed_in(sso)
    with sso.sessions() as session:
        assert find_person(session, "bob@example.org") is None


def test_an_answer_naming_another_issuer_is_refused(sso: Sso) -> None:
    query = _query(sso.to_provider("bob"))

    answer = sso.callback(f"{CALLBACK}?code={query['code']}&state={query['state']}&iss=https://elsewhere.example")

    assert answer.status_code == 400
    assert "another provider" in answer.text


def test_the_provider_saying_no_is_said_in_words(sso: Sso) -> None:
    started = sso.client.get("/auth/login", follow_redirects=False)
    state = _query(started.headers["location"])["state"]

    answer = sso.callback(f"{CALLBACK}?error=access_denied&state={state}")

    assert answer.status_code == 400
    assert "access_denied" in answer.text


def test_a_provider_that_does_not_answer_is_a_503_page(engine: Engine, database_url: str) -> None:
    settings = Settings(
        database_url=database_url, public_url=BASE, oidc=Oidc("http://127.0.0.1:9", "betgraph", "secret")
    )
    with TestClient(create_app(settings), base_url=BASE, raise_server_exceptions=False) as client:
        answer = client.get("/auth/login", follow_redirects=False)

    assert answer.status_code == 503
    assert "The sign-in provider did not answer" in answer.text


def test_without_single_sign_on_login_is_the_token_sign_in(engine: Engine, database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url)), raise_server_exceptions=False) as client:
        answer = client.get("/auth/login", params={"next": "/graphs/team"}, follow_redirects=False)
        callback = client.get("/auth/callback", params={"code": "x", "state": "y"})

    assert answer.status_code == 307
    assert answer.headers["location"] == "/signin?next=/graphs/team"
    assert callback.status_code == 404


def test_a_person_with_a_token_and_a_session_is_one_person(sso: Sso) -> None:
    with sso.sessions() as session:
        people.person(session, "bob@example.org", name="Bob")
        session.commit()

    sso.login("bob")

    with sso.sessions() as session:
        person = find_person(session, "bob@example.org")
        assert person is not None
        assert person.subject == "bob"
