"""Sending alerts: signed webhooks, Slack/Mattermost incoming webhooks, email; the outbox worker.

The worker is one background thread per workspace. It sends what the outbox
holds when it is due, retries failures with exponential backoff (honouring
``Retry-After``), and after the last attempt marks a delivery failed, where
`ecoute alerts deliveries` shows it and `--retry` puts it back. Nothing is
dropped: a crash leaves the outbox as it was, and the next start sends it.

Webhooks are signed like this (the receiver checks with `verify_signature`)::

    X-Ecoute-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp lets a receiver refuse replays of an old delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx
import orjson

from ecoute.alerts.channels import read_routing
from ecoute.alerts.messages import render
from ecoute.model import now as utc_now
from ecoute.sources.base import SourceError
from ecoute.sources.http import make_client, parse_retry_after, redact
from ecoute.store.alerts import AlertChannel, AlertStore, Delivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Ecoute-Signature"
USER_AGENT = "Ecoute-Alerts/0.1"
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
SMTP_TIMEOUT = 15.0
MAX_ERROR = 300


class DeliveryError(Exception):
    """A delivery failed; `permanent` when trying again cannot help (a 404, a refused address)."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff between attempts: base, doubled each time, capped; then give up."""

    base: float = 30.0  # seconds
    cap: float = 3600.0
    max_attempts: int = 10  # about nine hours of trying with the defaults
    jitter: float = 0.2

    def delay(self, attempts: int, rng: random.Random) -> float:
        raw = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return raw * rng.uniform(1 - self.jitter, 1 + self.jitter)


# -- signing -------------------------------------------------------------------------------
def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value of `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, body: bytes, header: str, *, now: float | None = None, tolerance: float = 300.0
) -> bool:
    """Check a webhook's signature header against its body; refuse one older than `tolerance`."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# -- senders -------------------------------------------------------------------------------
def send(channel: AlertChannel, delivery: Delivery, http: httpx.Client) -> None:
    """Send one delivery through its channel, or raise DeliveryError."""
    lang = read_routing(channel.routing).lang
    if channel.kind == "webhook":
        _send_webhook(channel, delivery, http)
    elif channel.kind == "slack":
        subject, text = render(delivery.payload, lang)
        body = orjson.dumps({"text": f"*{subject}*\n{text}", "username": "Écoute"})
        _post(http, channel.config["url"], body, {"Content-Type": "application/json"})
    elif channel.kind == "email":
        _send_email(channel, delivery, lang)
    else:
        raise DeliveryError(f"unknown channel kind {channel.kind!r}", permanent=True)


def _send_webhook(channel: AlertChannel, delivery: Delivery, http: httpx.Client) -> None:
    body = orjson.dumps({"delivery": delivery.id, **delivery.payload})
    headers = {
        "Content-Type": "application/json",
        "X-Ecoute-Event": delivery.payload.get("event", delivery.event),
        "X-Ecoute-Delivery": str(delivery.id),
        SIGNATURE_HEADER: sign(channel.config["secret"], int(time.time()), body),
    }
    _post(http, channel.config["url"], body, headers)


def _post(http: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> None:
    try:
        response = http.post(url, content=body, headers=headers, timeout=HTTP_TIMEOUT)
    except SourceError as exc:  # the private-address guard
        raise DeliveryError(str(exc), permanent=True) from None
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{redact(url)} timed out ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise DeliveryError(f"{redact(url)} could not be reached: {type(exc).__name__}") from None
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"{redact(url)} answered {status} {response.reason_phrase}"
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    # A client error other than a timeout or a rate limit will not heal by itself.
    permanent = 400 <= status < 500 and status not in (408, 409, 425, 429)
    raise DeliveryError(message, permanent=permanent, retry_after=retry_after)


def _send_email(channel: AlertChannel, delivery: Delivery, lang: str) -> None:
    c = channel.config
    subject, text = render(delivery.payload, lang)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = c["sender"]
    message["To"] = ", ".join(c["to"])
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=c["sender"].rpartition("@")[2] or None)
    message.set_content(text)
    host, port = c["host"], int(c.get("port", 587))
    security = c.get("security", "starttls")
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if c.get("username"):
                smtp.login(c["username"], c.get("password", ""))
            smtp.send_message(message)
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"SMTP {host}:{port} answered {exc.smtp_code}", permanent=exc.smtp_code >= 500
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(f"SMTP {host}:{port} refused every recipient", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {host}:{port}: {type(exc).__name__}: {exc}") from None


# -- the worker ----------------------------------------------------------------------------
class DeliveryWorker:
    """Empties a workspace's outbox in a background thread; `deliver_due` runs one pass."""

    def __init__(
        self,
        store: AlertStore,
        *,
        http: httpx.Client | None = None,
        allow_private: bool = False,
        clock: Callable[[], datetime] = utc_now,
        retry: RetryPolicy | None = None,
        poll: float = 30.0,
        on_tick: Callable[[], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self._own_http = http is None
        self.http = http or make_client(allow_private=allow_private, timeout=HTTP_TIMEOUT)
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.poll = poll
        self.on_tick = on_tick
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alerts-delivery", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Tell the worker the outbox has something new."""
        self._wake.set()

    def stop(self, wait: float = 10.0) -> None:
        """Finish the delivery in flight and stop; what is left waits in the outbox."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait)
        if self._own_http:
            self.http.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.on_tick is not None:
                    self.on_tick()
                self.deliver_due()
                wait = self._until_next()
            except Exception:  # a broken channel or store must not kill the thread
                log.exception("alert delivery pass failed")
                wait = self.poll
            self._wake.wait(wait)
            self._wake.clear()

    def _until_next(self) -> float:
        due = self.store.next_delivery_at()
        if due is None:
            return self.poll
        return min(self.poll, max(0.0, (due - self.clock()).total_seconds()))

    def deliver_due(self, *, only: int | None = None) -> list[Delivery]:
        """Attempt every delivery due now (or only the one with id `only`); return them."""
        channels = {c.name: c for c in self.store.list_alert_channels()}
        done = []
        while not self._stop.is_set():
            due = self.store.due_deliveries(self.clock(), limit=50)
            if only is not None:
                due = [d for d in due if d.id == only]
            due = [d for d in due if d.id not in {x.id for x in done}]
            if not due:
                break
            for delivery in due:
                self._attempt(delivery, channels.get(delivery.channel))
                done.append(delivery)
                if self._stop.is_set():
                    break
        return done

    def _attempt(self, delivery: Delivery, channel: AlertChannel | None) -> None:
        delivery.attempts += 1
        try:
            if channel is None or not channel.enabled:
                raise DeliveryError(
                    f"channel {delivery.channel!r} is gone or disabled", permanent=True
                )
            send(channel, delivery, self.http)
        except DeliveryError as exc:
            delivery.last_error = str(exc)[:MAX_ERROR]
            if exc.permanent or delivery.attempts >= self.retry.max_attempts:
                delivery.status = "failed"
                log.error(
                    "alert delivery %s to %s failed for good after %d attempt(s): %s",
                    delivery.id,
                    delivery.channel,
                    delivery.attempts,
                    delivery.last_error,
                )
            else:
                wait = exc.retry_after
                if wait is None:
                    wait = self.retry.delay(delivery.attempts, self._rng)
                wait = min(wait, self.retry.cap)
                delivery.status = "retrying"
                delivery.next_attempt_at = self.clock() + timedelta(seconds=wait)
                log.warning(
                    "alert delivery %s to %s failed (attempt %d), retrying in %.0f s: %s",
                    delivery.id,
                    delivery.channel,
                    delivery.attempts,
                    wait,
                    delivery.last_error,
                )
        else:
            delivery.status = "delivered"
            delivery.delivered_at = self.clock()
            delivery.last_error = None
            log.info("alert delivery %s sent to %s", delivery.id, delivery.channel)
        self.store.update_delivery(delivery)


def payload_of(event: str, alert: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The data a delivery carries: what happened and the alert as it then stood."""
    return {"event": event, "alert": alert, **extra}
