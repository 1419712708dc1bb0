"""HTTP for collectors: timeouts, size caps, Retry-After, and no trips to private addresses.

A source's URL is typed by a user (a feed, an instance): without a guard, a
workspace could be made to read its own network (cloud metadata, admin pages).
Every request, redirects included, is checked against the address its host
resolves to, unless private addresses are explicitly allowed (tests, intranets).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ecoute.sources.base import RateLimited, SourceError

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_RESPONSE_BYTES = 32 << 20
USER_AGENT = "Ecoute/0.1 (self-hosted social listening)"
_SCHEMES = frozenset({"http", "https", "ws", "wss"})


class BlockedAddress(SourceError):
    """A URL points at a private, loopback or link-local address."""


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse a URL that is not http(s)/ws(s) or whose host resolves to a private address."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise SourceError(f"not an http(s) or ws(s) URL: {redact(url)}")
    if allow_private:
        return
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise SourceError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise BlockedAddress(
                f"{host} resolves to {address}, a private, loopback or link-local address; "
                "set allow_private_urls to listen to it"
            )


def make_client(*, allow_private: bool = False, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:  # fmt: skip
    """Return an HTTP client whose every request (redirects included) passes `check_url`."""

    def guard(request: httpx.Request) -> None:
        check_url(str(request.url), allow_private=allow_private)

    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [guard]},
        transport=transport,
    )


@dataclass(frozen=True, slots=True)
class Fetched:
    """A complete response body, read within the size cap."""

    status: int
    headers: httpx.Headers
    body: bytes


def fetch(client: httpx.Client, url: str, *, max_bytes: int = MAX_RESPONSE_BYTES,
          **kwargs: Any) -> Fetched:  # fmt: skip
    """GET `url`, reading at most `max_bytes`; raise RateLimited or SourceError on failure.

    A 304 Not Modified comes back with an empty body (conditional GET).
    """
    try:
        with client.stream("GET", url, **kwargs) as response:
            if response.status_code in (429, 503):
                raise RateLimited(
                    f"{redact(url)} answered {response.status_code}",
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            if response.status_code >= 400:
                raise SourceError(
                    f"{redact(url)} answered {response.status_code} {response.reason_phrase}"
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise SourceError(
                    f"{redact(url)} sent {int(declared):,} bytes; the cap is {max_bytes:,}"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise SourceError(f"{redact(url)} sent more than {max_bytes:,} bytes")
            return Fetched(response.status_code, response.headers, bytes(body))
    except httpx.TimeoutException as exc:
        raise SourceError(f"{redact(url)} timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise SourceError(f"{redact(url)} could not be reached: {type(exc).__name__}") from exc


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks to wait (a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def redact(url: str) -> str:
    """Drop the query string and credentials of a URL before it is logged or shown."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" + ("?…" if parts.query else "")
