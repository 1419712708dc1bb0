"""Logging in for collectors: a POST that returns a token, and the token's lifetime.

The credentials travel in the request only: errors name the service and the
status, never what was sent, so a wrong secret cannot end up in a log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from ecoute.sources.base import RateLimited, SourceError
from ecoute.sources.http import parse_retry_after, redact

MAX_TOKEN_RESPONSE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Token:
    """A bearer token and the monotonic time after which it must be renewed."""

    value: str
    renew_at: float

    @property
    def is_fresh(self) -> bool:
        return time.monotonic() < self.renew_at


def request_token(http: httpx.Client, url: str, *, what: str, **kwargs: Any) -> dict[str, Any]:
    """POST a login to `url` and return its JSON object; `what` names the service in errors."""
    try:
        with http.stream("POST", url, **kwargs) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_TOKEN_RESPONSE_BYTES:
                    raise SourceError(f"{what} sent an oversized login answer")
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
    except httpx.TimeoutException as exc:
        raise SourceError(f"{what} login at {redact(url)} timed out") from exc
    except httpx.TransportError as exc:
        raise SourceError(f"{what} login at {redact(url)} failed: {type(exc).__name__}") from exc
    if status in (429, 503):
        raise RateLimited(f"{what} login answered {status}", retry_after=retry_after)
    if status in (400, 401, 403):
        raise SourceError(f"{what} refused the credentials ({status}); check them")
    if status >= 300:
        raise SourceError(f"{what} login at {redact(url)} answered {status}")
    try:
        answer = msgspec.json.decode(bytes(body))
    except msgspec.DecodeError:
        answer = None
    if not isinstance(answer, dict):
        raise SourceError(f"{what} login answer is not a JSON object")
    return answer


def bearer(answer: dict[str, Any], field: str, *, lifetime: float, what: str) -> Token:
    """Return the token in `answer[field]`, renewed a minute before `lifetime` seconds pass."""
    value = answer.get(field)
    if not isinstance(value, str) or not value:
        raise SourceError(f"{what} login answer has no {field}")
    return Token(value, time.monotonic() + max(0.0, lifetime - 60))
