"""Where a webhook may be sent, and sending it there: the server's own network stays out of reach.

A subscription names any URL, and Betgraph then makes requests to it from inside the network it
runs in. So a target must resolve to public addresses only: not loopback, link-local (cloud
metadata services live there), private, shared, multicast or reserved, unless
BETGRAPH_WEBHOOK_ALLOW_PRIVATE says this installation sends to its own network on purpose. The
name is checked when a subscription is made and again at each sending, and the request goes to
the very address that was checked (the name kept for the Host header and TLS), so a name that
changes its answer between the two (DNS rebinding) gains nothing. Redirects are not followed: a
receiver answering 3xx has not received the delivery.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError

from app.services.errors import InvalidParameterError

MAX_URL = 2000
READ_AT_MOST = 4096  # of a receiver's answer: enough to say why it refused


class TargetError(Exception):
    """A target that may not be sent to, or could not be reached: in words for its owner."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query


def parse(url: str) -> Target:
    """The URL's parts, or InvalidParameterError("url") saying what is wrong with it."""
    if len(url) > MAX_URL:
        raise InvalidParameterError("url", f"`url` is over {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidParameterError("url", f"`url` is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameterError("url", "`url` must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise InvalidParameterError("url", "`url` may not hold a user name or password")
    if any(ord(character) < 33 for character in url):
        raise InvalidParameterError("url", "`url` may not hold spaces or control characters")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public one, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for reason, test in (
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a private address", address.is_private),
        ("a multicast address", address.is_multicast),
        ("an unspecified address", address.is_unspecified),
        ("a reserved address", address.is_reserved),
    ):
        if test:
            return reason
    if not address.is_global:  # shared (100.64/10), documentation and the like
        return "not a public address"
    return None


def resolve(target: Target, *, allow_private: bool) -> str:
    """The address to send to: every address the host has must be allowed, not only the first."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetError(f"cannot resolve {target.host}: {error}") from None
    addresses = list(dict.fromkeys(str(entry[4][0]) for entry in found))
    if not addresses:
        raise TargetError(f"{target.host} has no address")
    if not allow_private:
        for text in addresses:
            reason = refused(ipaddress.ip_address(text.split("%")[0]))
            if reason is not None:
                raise TargetError(
                    f"{target.host} resolves to {text}, {reason}; set BETGRAPH_WEBHOOK_ALLOW_PRIVATE=1 to send there"
                )
    return addresses[0]


def check(url: str, *, allow_private: bool) -> Target:
    """A subscription's URL, if deliveries may go there (InvalidParameterError("url") if not)."""
    target = parse(url)
    try:
        resolve(target, allow_private=allow_private)
    except TargetError as error:
        raise InvalidParameterError("url", str(error)) from None
    return target


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str  # its start
    retry_after: int = 0  # seconds the receiver asked to be left alone (429, 503), if it said


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> Answer:
    """POST `body` to `url` at an address checked now; TargetError when no answer came."""
    try:
        target = parse(url)
    except InvalidParameterError as error:
        raise TargetError(error.message) from None
    address = resolve(target, allow_private=allow_private)
    named = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal
    default = {"http": 80, "https": 443}[target.scheme]
    host_header = named if target.port == default else f"{named}:{target.port}"
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            ssl_context=ssl.create_default_context(),
            server_hostname=target.host,
            assert_hostname=target.host,
            timeout=urllib3.Timeout(total=timeout),
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            address, target.port, timeout=urllib3.Timeout(total=timeout), retries=False, maxsize=1
        )
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            start = response.read(READ_AT_MOST, decode_content=False)
        finally:
            response.release_conn()
        wait = response.headers.get("retry-after", "")
        return Answer(response.status, start.decode("utf-8", "replace"), int(wait) if wait.isdigit() else 0)
    except HTTPError as error:
        raise TargetError(f"no answer from {target.host}: {type(error).__name__}: {error}") from None
    finally:
        pool.close()
