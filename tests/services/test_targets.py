"""Where webhooks may go: public addresses only, unless told otherwise; no redirects followed."""

from __future__ import annotations

import ipaddress

import pytest

from app.services import targets
from app.services.errors import InvalidParameterError
from tests.receiver import receiving


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.8.8",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "fe80::1",
        "fc00::1",
        "100.64.0.1",  # shared address space
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "224.0.0.1",
        "::ffff:127.0.0.1",  # loopback, written as IPv6
        "::ffff:169.254.169.254",
        "192.0.2.1",  # documentation
        "240.0.0.1",
    ],
)
def test_the_servers_own_network_is_refused(address: str) -> None:
    assert targets.refused(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert targets.refused(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://93.184.215.14/x", "http or https"),
        ("https:///x", "http or https"),
        ("https://user:secret@93.184.215.14/x", "user name or password"),
        ("https://93.184.215.14/a b", "spaces"),
        ("https://93.184.215.14:99999/x", "not a URL"),
        ("https://93.184.215.14/" + "x" * 2001, "over 2000"),
        ("http://127.0.0.1:8000/hook", "a loopback address"),
        ("http://localhost/hook", "a loopback address"),
        ("http://[::1]/hook", "a loopback address"),
        ("http://169.254.169.254/latest/meta-data", "a link-local address"),
        ("http://10.0.0.7/hook", "a private address"),
    ],
)
def test_a_target_is_refused_with_its_reason(url: str, says: str) -> None:
    with pytest.raises(InvalidParameterError) as refused:
        targets.check(url, allow_private=False)
    assert refused.value.name == "url"
    assert says in refused.value.message


def test_allowed_private_targets_are_taken_and_a_public_literal_always() -> None:
    assert targets.check("http://127.0.0.1:8000/hook", allow_private=True).port == 8000
    assert targets.check("https://93.184.215.14/hook?x=1", allow_private=False).path == "/hook?x=1"


def test_a_redirect_is_an_answer_not_followed() -> None:
    with receiving() as receiver:
        receiver.answers["moved"].append(302)
        answer = targets.post(receiver.hook("moved"), b"{}", {}, timeout=5, allow_private=True)
        assert answer.status == 302
        assert len(receiver.of("moved", ok=False)) == 1  # the receiver saw one request, not two
        with pytest.raises(targets.TargetError, match="loopback"):
            targets.post(receiver.hook("moved"), b"{}", {}, timeout=5, allow_private=False)


def test_no_answer_is_a_target_error() -> None:
    with pytest.raises(targets.TargetError, match="no answer"):
        targets.post("http://127.0.0.1:9/nothing", b"{}", {}, timeout=2, allow_private=True)
