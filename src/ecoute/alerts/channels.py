"""Channels: where alerts go (webhook, Slack/Mattermost, email) and which ones each receives.

A channel belongs to a person (`user`) and routes by query, kind and severity.
Quiet hours hold a warning until they end (a critical alert still goes out);
a channel may also take only the daily digest. Settings are checked when a
channel is saved, secrets are masked whenever it is shown, and webhook URLs go
through the same guard against private addresses as sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecoute.alerts.detector import SEVERITY_RANK
from ecoute.sources.base import SourceError
from ecoute.sources.http import check_url, redact
from ecoute.store.alerts import CHANNEL_KINDS, RULE_KINDS, AlertChannel

SECRET_KEYS = frozenset({"secret", "password"})
MASK = "**********"
SECURITIES = ("starttls", "ssl", "none")
LANGS = ("fr", "en")


class ChannelError(ValueError):
    """A channel's settings are missing or invalid; the message names the setting."""


@dataclass(frozen=True, slots=True)
class Routing:
    """Which alerts a channel receives, and when."""

    user: str | None = None
    queries: tuple[str, ...] = ()  # empty: every query
    kinds: tuple[str, ...] = ()  # empty: every kind
    min_severity: str = "warning"
    quiet_hours: tuple[time, time] | None = None  # local start, local end
    timezone: str = "UTC"
    digest_at: time | None = None  # local time of the daily digest
    digest_only: bool = False
    lang: str = "fr"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def wants(self, query: str, kinds: list[str], severity: str) -> bool:
        """Whether an alert on `query` of these kinds and severity is for this channel."""
        if self.digest_only:
            return False
        if self.queries and query not in self.queries:
            return False
        if self.kinds and not set(kinds) & set(self.kinds):
            return False
        return SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]

    def held_until(self, now: datetime, severity: str) -> datetime | None:
        """When quiet hours end if `now` is inside them (a critical alert is never held)."""
        if self.quiet_hours is None or severity == "critical":
            return None
        start, end = self.quiet_hours
        local = now.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        inside = start <= clock < end if start < end else clock >= start or clock < end
        if not inside:
            return None
        until = datetime.combine(local.date(), end, tzinfo=self.zone)
        if until <= local:
            until = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=self.zone)
        return until.astimezone(now.tzinfo)

    def last_digest(self, now: datetime) -> datetime | None:
        """The latest scheduled digest time at or before `now`, or None without a digest."""
        if self.digest_at is None:
            return None
        local = now.astimezone(self.zone)
        moment = datetime.combine(local.date(), self.digest_at, tzinfo=self.zone)
        if moment > local:
            moment = datetime.combine(
                local.date() - timedelta(days=1), self.digest_at, tzinfo=self.zone
            )
        return moment.astimezone(now.tzinfo)


def read_routing(given: dict[str, Any]) -> Routing:
    """Return a channel's routing from its stored (or typed) form, checking each setting."""
    try:
        quiet = given.get("quiet_hours")
        routing = Routing(
            user=given.get("user") or None,
            queries=tuple(given.get("queries") or ()),
            kinds=tuple(given.get("kinds") or ()),
            min_severity=given.get("min_severity") or "warning",
            quiet_hours=None if not quiet else _read_span(quiet),
            timezone=given.get("timezone") or "UTC",
            digest_at=_read_time(given["digest_at"]) if given.get("digest_at") else None,
            digest_only=bool(given.get("digest_only", False)),
            lang=given.get("lang") or "fr",
        )
    except (TypeError, ValueError) as exc:
        raise ChannelError(str(exc)) from None
    unknown_kinds = [k for k in routing.kinds if k not in RULE_KINDS]
    if unknown_kinds:
        raise ChannelError(
            f"unknown alert kind(s) {', '.join(unknown_kinds)}; "
            f"choose among {', '.join(RULE_KINDS)}"
        )
    if routing.min_severity not in SEVERITY_RANK:
        raise ChannelError(f"min_severity must be one of {', '.join(SEVERITY_RANK)}")
    if routing.lang not in LANGS:
        raise ChannelError(f"lang must be one of {', '.join(LANGS)}")
    if routing.digest_only and routing.digest_at is None:
        raise ChannelError("a digest-only channel needs a digest time (--digest HH:MM)")
    try:
        routing.zone  # noqa: B018 - fails now rather than at 3 a.m.
    except (ZoneInfoNotFoundError, ValueError):
        raise ChannelError(f"unknown time zone {routing.timezone!r}, e.g. Europe/Paris") from None
    return routing


def routing_dict(routing: Routing) -> dict[str, Any]:
    """Return the stored form of a routing."""
    quiet = routing.quiet_hours
    return {
        "user": routing.user,
        "queries": list(routing.queries),
        "kinds": list(routing.kinds),
        "min_severity": routing.min_severity,
        "quiet_hours": None if quiet is None else f"{quiet[0]:%H:%M}-{quiet[1]:%H:%M}",
        "timezone": routing.timezone,
        "digest_at": None if routing.digest_at is None else f"{routing.digest_at:%H:%M}",
        "digest_only": routing.digest_only,
        "lang": routing.lang,
    }


def _read_time(value: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a time of day like 07:30") from None


def _read_span(value: str) -> tuple[time, time]:
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"quiet hours {value!r}: write them as HH:MM-HH:MM, e.g. 22:00-07:00")
    span = (_read_time(start), _read_time(end))
    if span[0] == span[1]:
        raise ValueError("quiet hours must not start and end at the same time")
    return span


def check_channel(channel: AlertChannel, *, allow_private: bool = False) -> Routing:
    """Validate a channel's kind, settings and routing; return the routing or raise."""
    if not channel.name.strip():
        raise ChannelError("a channel needs a name")
    if channel.kind not in CHANNEL_KINDS:
        raise ChannelError(
            f"unknown channel kind {channel.kind!r}; choose among {', '.join(CHANNEL_KINDS)}"
        )
    c = channel.config
    if channel.kind in ("webhook", "slack"):
        url = c.get("url")
        if not url:
            raise ChannelError(f"a {channel.kind} channel needs a URL (--url)")
        try:
            check_url(url, allow_private=allow_private)
        except SourceError as exc:
            raise ChannelError(str(exc)) from None
        if not url.startswith(("http://", "https://")):
            raise ChannelError(f"{redact(url)} is not an http(s) URL")
        if channel.kind == "webhook" and not c.get("secret"):
            raise ChannelError("a webhook needs a secret to sign its deliveries (--secret)")
    else:
        missing = [k for k in ("host", "sender", "to") if not c.get(k)]
        if missing:
            flags = {"host": "--smtp-host", "sender": "--from", "to": "--to"}
            raise ChannelError("an email channel needs " + ", ".join(flags[k] for k in missing))
        if c.get("security", "starttls") not in SECURITIES:
            raise ChannelError(f"security must be one of {', '.join(SECURITIES)}")
        if not 0 < int(c.get("port", 587)) < 65536:
            raise ChannelError("the SMTP port must be between 1 and 65535")
        if c.get("password") and not c.get("username"):
            raise ChannelError("an SMTP password needs a user name (--smtp-user)")
    return read_routing(channel.routing)


def shown_config(channel: AlertChannel) -> dict[str, Any]:
    """A channel's settings as safe to print: secrets masked, Slack URLs cut to their host."""
    shown: dict[str, Any] = {}
    for key, value in channel.config.items():
        if key in SECRET_KEYS and value:
            shown[key] = MASK
        elif key == "url" and channel.kind == "slack":
            # An incoming-webhook URL is itself the secret: its path is the token.
            shown[key] = "/".join(redact(value).split("/", 3)[:3]) + "/…"
        elif key == "url":
            shown[key] = redact(value)
        else:
            shown[key] = value
    return shown
