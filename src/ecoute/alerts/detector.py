"""The crisis detector: mentions in, alert events out, in real or simulated time.

The detector keeps, per query, minute counts of the last hours (for the tests)
and hourly counts of the last weeks (for the baseline, see `baseline.py`). On
each batch it tests the rules of the queries the batch touched, then groups
what fired into incidents: one open incident per query, updated while the
crisis lasts, resolved after a quiet spell, and reopened (not duplicated) if
the crisis flares up again within the cooldown.

Time is always given (`now`), never read: the live monitor passes the wall
clock, the backtest and the benchmark pass simulated time.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ecoute.alerts.baseline import NEGATIVE, TOTAL, Baseline, hour_index, minute_index
from ecoute.alerts.rules import InfluencerParams, KeywordParams, Rule, SpikeParams
from ecoute.model import Mention, utc
from ecoute.text import fold, words

SEVERITY_RANK = {"warning": 1, "critical": 2}
# When several kinds fire at once, the alert is named after the most telling one.
KIND_PRIORITY = {"negative": 0, "volume": 1, "keyword": 2, "influencer": 3}
EXCERPT_CHARS = 280
TOP_POSTS = 5
TOP_TERMS = 8
MAX_POSTS_PER_QUERY = 50_000  # memory bound of the recent posts kept for explanations
TERM_HALF_LIFE_HOURS = 24.0
KEYWORD_P = 1e-3
ECHO_LEVEL_MINUTES = 60


def surprise(observed: float, expected: float, dispersion: float = 1.0) -> float:
    """How many standard deviations `observed` lies above a Poisson `expected` (Anscombe).

    The square-root transform keeps small counts honest: 7 posts where 0.5 were
    expected is notable, not the 9 sigma a plain z-score would claim.
    """
    gap = 2.0 * (math.sqrt(observed + 0.375) - math.sqrt(expected + 0.375))
    return gap / math.sqrt(dispersion)


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    term = math.exp(-mean)
    below = 0.0
    for i in range(k):
        below += term
        term *= mean / (i + 1)
    return max(0.0, 1.0 - below)


@dataclass(slots=True)
class Post:
    """What the detector keeps of a mention: enough to count it and to explain an alert."""

    platform: str
    native_id: str
    minute: int
    created_at: datetime
    author: str
    followers: int
    influence: float | None
    is_vip: bool
    is_negative: bool
    is_complaint: bool  # the care stage heard a complaint, whatever the sentiment
    sentiment: str | None
    score: float
    url: str | None
    excerpt: str
    keywords: list[str]
    tokens: list[str]
    hits: dict[str, list[str]] = field(default_factory=dict)  # keyword rule -> terms found

    @classmethod
    def of(cls, m: Mention, created: datetime) -> Post:
        sentiment = None if m.sentiment is None else str(m.sentiment)
        return cls(
            platform=m.platform,
            native_id=m.native_id,
            minute=minute_index(created),
            created_at=created,
            author=f"{m.platform}:{m.author.handle}",
            followers=m.author.followers or 0,
            influence=m.influence,
            is_vip=m.is_vip,
            is_negative=sentiment == "negative",
            is_complaint="complaint" in m.care,
            sentiment=sentiment,
            score=m.sentiment_score or 0.0,
            url=m.url,
            excerpt=m.text[:EXCERPT_CHARS],
            keywords=list(m.keywords),
            tokens=[t.lstrip("#") for t in words(fold(m.text))],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "native_id": self.native_id,
            "author": self.author.split(":", 1)[1],
            "followers": self.followers,
            "sentiment": self.sentiment,
            "created_at": self.created_at.isoformat(),
            "url": self.url,
            "excerpt": self.excerpt,
        }


@dataclass(slots=True)
class Trigger:
    """One rule firing on one query at one moment, with its evidence."""

    rule: str
    kind: str
    query: str
    observed: float
    expected: float
    score: float  # z for spikes; for the others, observed over threshold
    severity: str
    window: int  # minutes
    posts: list[Post]
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Incident:
    """A crisis on one query: one alert, opened once and updated while it lasts."""

    number: int
    query: str
    kind: str
    kinds: list[str]
    severity: str
    opened_at: datetime
    updated_at: datetime
    status: str = "open"
    resolved_at: datetime | None = None
    observed: float = 0.0
    expected: float = 0.0
    score: float = 0.0
    updates: int = 0
    explanation: dict[str, Any] = field(default_factory=dict)
    alert_id: int | None = None  # set once stored
    reported_at: datetime | None = None  # when an event last carried it


@dataclass(frozen=True, slots=True)
class Event:
    """What happened to an incident: opened, updated, escalated, reopened or resolved."""

    what: str
    incident: Incident
    at: datetime


class QueryState:
    """Recent minute counts, recent posts, baseline and usual terms of one query."""

    def __init__(self) -> None:
        self.minutes: dict[int, list[int]] = {}
        self.posts: deque[Post] = deque()
        self.baseline = Baseline()
        self.terms: Counter[str] = Counter()
        self.term_posts = 0.0
        self.keyword_hits: Counter[str] = Counter()  # rule -> posts with a hit since start
        self.hits: dict[str, deque[Post]] = {}  # rule -> recent posts with a hit
        self.first_minute: int | None = None
        # rule -> influential negative posts awaiting their echo, oldest first
        self.echoes: dict[str, deque[Post]] = {}
        self.added = 0  # posts ever added: tells a cached count it is stale
        self._counted: tuple[tuple[Any, ...], dict[int, tuple[int, int]]] | None = None

    def add(self, post: Post, *, in_baseline: bool) -> None:
        self.added += 1
        row = self.minutes.setdefault(post.minute, [0, 0])
        row[TOTAL] += 1
        row[NEGATIVE] += post.is_negative
        if in_baseline:
            self.baseline.add(post.minute // 60, 1, int(post.is_negative))
        self.posts.append(post)
        if len(self.posts) > MAX_POSTS_PER_QUERY:
            self.posts.popleft()
        self.terms.update(set(post.keywords))
        self.term_posts += 1
        for rule in post.hits:
            self.keyword_hits[rule] += 1
            self.hits.setdefault(rule, deque()).append(post)
        if self.first_minute is None or post.minute < self.first_minute:
            self.first_minute = post.minute

    def counts(self, end: int, windows: Iterable[int]) -> dict[int, tuple[int, int]]:
        """(total, negative) in each window of minutes ending before `end`, in one pass."""
        wanted = sorted(set(windows))
        key = (end, tuple(wanted), len(self.posts), self.added)
        if self._counted is not None and self._counted[0] == key:
            return self._counted[1]
        found: dict[int, tuple[int, int]] = {}
        total = negative = 0
        minute = end
        get = self.minutes.get
        for window in wanted:
            while minute > end - window:
                minute -= 1
                row = get(minute)
                if row is not None:
                    total += row[TOTAL]
                    negative += row[NEGATIVE]
            found[window] = (total, negative)
        self._counted = (key, found)
        return found

    def window_posts(self, start: int) -> list[Post]:
        return [p for p in self.posts if p.minute >= start]

    def prune(self, oldest_minute: int) -> None:
        for minute in [m for m in self.minutes if m < oldest_minute]:
            del self.minutes[minute]
        while self.posts and self.posts[0].minute < oldest_minute:
            self.posts.popleft()
        for posts in (*self.hits.values(), *self.echoes.values()):
            while posts and posts[0].minute < oldest_minute:
                posts.popleft()

    def hit_posts(self, rule: str) -> deque[Post]:
        return self.hits.get(rule) or deque()

    def decay_terms(self, hours: float) -> None:
        factor = 0.5 ** (hours / TERM_HALF_LIFE_HOURS)
        self.term_posts *= factor
        self.terms = Counter({t: c * factor for t, c in self.terms.items() if c * factor >= 0.5})


class Detector:
    """Turns batches of mentions into alert events under a set of rules."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        resolve_after: timedelta = timedelta(minutes=90),
        cooldown: timedelta = timedelta(hours=3),
        update_every: timedelta = timedelta(minutes=1),
        link_base: str = "",
    ) -> None:
        self.rules = list(rules)
        self.resolve_after = resolve_after
        self.cooldown = cooldown
        self.update_every = update_every
        self.link_base = link_base.rstrip("/")
        self.horizon = self._horizon()
        self.states: dict[str, QueryState] = {}
        self.open: dict[str, Incident] = {}
        self.resolved: dict[str, Incident] = {}  # the last resolved incident per query
        self.seen: dict[tuple[str, str], int] = {}
        self._numbers = 0
        self._hour: int | None = None

    def set_rules(self, rules: Sequence[Rule]) -> None:
        """Replace the rules; history and incidents are kept."""
        self.rules = list(rules)
        self.horizon = self._horizon()

    def _horizon(self) -> int:
        spans = [60]
        for r in self.rules:
            if isinstance(r.params, SpikeParams):
                spans.extend(r.params.windows)
            elif isinstance(r.params, KeywordParams):
                spans.append(r.params.window)
            elif isinstance(r.params, InfluencerParams):
                spans.append(r.params.echo_minutes + ECHO_LEVEL_MINUTES)
        return max(spans)

    def state(self, query: str) -> QueryState:
        found = self.states.get(query)
        if found is None:
            found = self.states[query] = QueryState()
        return found

    # -- loading -----------------------------------------------------------------------
    def load_history(self, rows: Iterable[tuple[str, datetime, str | None, int]]) -> None:
        """Add hourly counts (query, hour start, sentiment, count), e.g. read from the store."""
        for query, hour, sentiment, count in rows:
            self.state(query).baseline.add(
                hour_index(utc(hour)), count, count if sentiment == "negative" else 0
            )

    def load_recent(self, mentions: Iterable[Mention], now: datetime) -> None:
        """Add recent stored mentions to the minute counts only (the hours already hold them)."""
        self._ingest(mentions, now, in_baseline=False)

    def restore(self, incident: Incident) -> None:
        """Take back an incident kept by the store (open, or resolved within the cooldown)."""
        self._numbers = max(self._numbers, incident.number)
        if incident.status == "open":
            self.open[incident.query] = incident
        else:
            self.resolved[incident.query] = incident

    # -- running -----------------------------------------------------------------------
    def observe(self, mentions: Iterable[Mention], now: datetime) -> list[Event]:
        """Count a batch of mentions heard at `now` and return what it opened or changed."""
        now = utc(now)
        events = self.advance(now)
        touched = self._ingest(mentions, now, in_baseline=True)
        for query, fresh in touched.items():
            triggers = self._evaluate(query, fresh, now)
            if triggers:
                events.extend(self._group(query, triggers, now))
        return events

    def advance(self, now: datetime) -> list[Event]:
        """Let time pass: resolve incidents quiet for long enough, forget old counts."""
        now = utc(now)
        events = []
        for query, incident in list(self.open.items()):
            quiet_until = incident.updated_at + self.resolve_after
            if now >= quiet_until:
                incident.status = "resolved"
                incident.resolved_at = quiet_until
                del self.open[query]
                self.resolved[query] = incident
                events.append(Event("resolved", incident, quiet_until))
        hour = hour_index(now)
        if self._hour is None or hour > self._hour:
            elapsed = 1.0 if self._hour is None else float(hour - self._hour)
            self._hour = hour
            oldest = minute_index(now) - self.horizon - 1
            for state in self.states.values():
                state.prune(oldest)
                state.baseline.prune(hour)
                state.decay_terms(elapsed)
            self.seen = {k: m for k, m in self.seen.items() if m >= oldest}
            for query in [
                q for q, i in self.resolved.items() if now - i.updated_at > self.cooldown
            ]:
                del self.resolved[query]
        return events

    def _ingest(
        self, mentions: Iterable[Mention], now: datetime, *, in_baseline: bool
    ) -> dict[str, list[Post]]:
        end = minute_index(now)
        oldest = end - self.horizon
        keyword_rules = [r for r in self.rules if r.matcher is not None]
        touched: dict[str, list[Post]] = {}
        for m in mentions:
            if m.is_deleted or not m.queries or m.key in self.seen:
                continue
            created = min(utc(m.created_at), now)  # a clock ahead must not hide a post
            minute = minute_index(created)
            if minute < oldest:
                continue  # too late to matter now; the next rebuild counts it in the baseline
            self.seen[m.key] = minute
            for query in dict.fromkeys(m.queries):
                post = Post.of(m, created)
                for rule in keyword_rules:
                    if rule.applies_to(query):
                        assert rule.matcher is not None
                        found = rule.matcher.find_tokens(post.tokens)
                        if found:
                            post.hits[rule.name] = found
                self.state(query).add(post, in_baseline=in_baseline)
                touched.setdefault(query, []).append(post)
        return touched

    # -- rules -------------------------------------------------------------------------
    def _evaluate(self, query: str, fresh: list[Post], now: datetime) -> list[Trigger]:
        state = self.state(query)
        found = []
        for rule in self.rules:
            if not rule.applies_to(query):
                continue
            if isinstance(rule.params, SpikeParams):
                trigger = self._spike(rule, query, state, now)
            elif isinstance(rule.params, InfluencerParams):
                trigger = self._influencer(rule, query, state, fresh, now)
            else:
                trigger = self._keyword(rule, query, state, fresh, now)
            if trigger is not None:
                found.append(trigger)
        return found

    def _spike(self, rule: Rule, query: str, state: QueryState, now: datetime) -> Trigger | None:
        p: SpikeParams = rule.params
        series = NEGATIVE if rule.kind == "negative" else TOTAL
        # The window ends with the minute `now` falls in (or, on a round minute, the one before).
        end = minute_index(now - timedelta(microseconds=1)) + 1
        hour = (end - 1) // 60
        seasonal = state.baseline.is_seasonal(hour)
        # A young history has no hour-of-day profile: ask for more evidence.
        strictness = 1.0 if seasonal else 1.5
        counts = state.counts(end, p.windows)
        best: tuple[float, int, float, int, dict[str, Any]] | None = None
        for window in p.windows:
            start = end - window
            expected = state.baseline.expected(start, end, series)
            if expected is None:
                return None
            observed = counts[window][series]
            if observed < p.min_count or observed < p.ratio * strictness * expected:
                continue
            dispersion = state.baseline.dispersion(hour, series, expected)
            z = surprise(observed, expected, dispersion)
            if z < p.z * strictness or (best is not None and z <= best[0]):
                continue
            detail: dict[str, Any] = {"dispersion": round(dispersion, 2), "seasonal": seasonal}
            if series == NEGATIVE:
                total = counts[window][TOTAL]
                expected_total = state.baseline.expected(start, end, TOTAL) or 0.0
                usual = min(0.98, max(0.02, expected / expected_total if expected_total else 0.2))
                share = observed / total if total else 0.0
                share_z = (share - usual) / math.sqrt(usual * (1 - usual) / max(total, 1))
                if share_z < p.share_z:
                    continue
                detail.update(share=round(share, 3), usual_share=round(usual, 3))
            best = (z, observed, expected, window, detail)
        if best is None:
            return None
        z, observed, expected, window, detail = best
        ratio = observed / max(expected, 0.1)
        critical = ratio >= 4 and z >= 2 * p.z and observed >= 3 * p.min_count
        return Trigger(
            rule=rule.name,
            kind=rule.kind,
            query=query,
            observed=observed,
            expected=round(expected, 2),
            score=round(z, 2),
            severity="critical" if critical else "warning",
            window=window,
            posts=[
                post
                for post in state.window_posts(end - window)
                if series == TOTAL or post.is_negative
            ],
            detail=detail,
        )

    def _keyword(
        self, rule: Rule, query: str, state: QueryState, fresh: list[Post], now: datetime
    ) -> Trigger | None:
        p: KeywordParams = rule.params
        if not any(rule.name in post.hits for post in fresh):
            return None
        start = minute_index(now - timedelta(microseconds=1)) + 1 - p.window
        posts = [post for post in state.hit_posts(rule.name) if post.minute >= start]
        authors = {post.author for post in posts}
        observed = len(authors)
        if observed < p.min_authors:
            return None
        # What is usual: the rate of such posts since the detector started, over the window.
        elapsed = minute_index(now) - (state.first_minute or minute_index(now))
        usual = max(0, state.keyword_hits[rule.name] - len(posts))
        expected = usual / max(elapsed - p.window, p.window) * p.window
        # Crisis words turn up in ordinary complaints too: ask for a count that chance
        # would give less than once in a thousand windows (words never heard before pass).
        if poisson_tail(observed, expected) > KEYWORD_P:
            return None
        terms = Counter(t for post in posts for t in post.hits[rule.name])
        return Trigger(
            rule=rule.name,
            kind="keyword",
            query=query,
            observed=observed,
            expected=round(expected, 2),
            score=round(observed / p.min_authors, 2),
            severity="critical" if observed >= 3 * p.min_authors else "warning",
            window=p.window,
            posts=posts,
            detail={"terms_found": dict(terms.most_common())},
        )

    def _influencer(
        self, rule: Rule, query: str, state: QueryState, fresh: list[Post], now: datetime
    ) -> Trigger | None:
        p: InfluencerParams = rule.params
        end = minute_index(now - timedelta(microseconds=1)) + 1
        waiting = state.echoes.setdefault(rule.name, deque())
        sure: Post | None = None
        for post in fresh:
            if not _is_weighty(post, p) or not _is_complaint(post, p):
                continue
            # The care stage heard a complaint and the classifier is confident: no doubt left.
            if post.is_complaint and post.score <= -p.confidence:
                if sure is None or post.followers > sure.followers:
                    sure = post
            else:
                waiting.append(post)
        if sure is not None:
            return _influencer_trigger(rule, query, sure, [sure], 1.0, 1.0, 1, "complaint")
        while waiting and waiting[0].minute < end - p.echo_minutes:
            waiting.popleft()
        # A doubtful complaint counts once the query's volume since it echoes it: a
        # mislabelled remark by a large account passes unnoticed, a real one is picked up.
        for candidate in list(waiting):
            expected = state.baseline.expected(candidate.minute, end, TOTAL)
            if expected is None:
                continue
            # A busy day is busy before the post too: the hour before it sets the level.
            before = state.counts(candidate.minute, (ECHO_LEVEL_MINUTES,))[ECHO_LEVEL_MINUTES]
            usual = state.baseline.expected(
                candidate.minute - ECHO_LEVEL_MINUTES, candidate.minute, TOTAL
            )
            if usual:
                expected *= max(1.0, before[TOTAL] / usual)
            echo = [
                post
                for post in state.window_posts(candidate.minute)
                if post.author != candidate.author
            ]
            observed = len(echo)
            if observed < p.min_echo:
                continue
            dispersion = state.baseline.dispersion((end - 1) // 60, TOTAL, expected)
            if surprise(observed, expected, dispersion) < p.echo_z:
                continue
            waiting.remove(candidate)
            return _influencer_trigger(
                rule,
                query,
                candidate,
                [candidate, *echo],
                observed,
                expected,
                end - candidate.minute,
                "echo",
            )
        return None

    # -- grouping ----------------------------------------------------------------------
    def _group(self, query: str, triggers: list[Trigger], now: datetime) -> list[Event]:
        head = min(triggers, key=lambda t: (KIND_PRIORITY[t.kind], -t.score))
        severity = max((t.severity for t in triggers), key=SEVERITY_RANK.__getitem__)
        incident = self.open.get(query)
        what = "updated"
        if incident is None:
            incident = self.resolved.pop(query, None)
            if incident is not None and now - incident.updated_at <= self.cooldown:
                incident.status, incident.resolved_at = "open", None
                what = "reopened"
            else:
                self._numbers += 1
                incident = Incident(self._numbers, query, head.kind, [], severity, now, now)
                what = "opened"
            self.open[query] = incident
        kinds_before = set(incident.kinds)
        rank_before = SEVERITY_RANK[incident.severity] if what == "updated" else 0
        for t in sorted(triggers, key=lambda t: KIND_PRIORITY[t.kind]):
            if t.kind not in incident.kinds:
                incident.kinds.append(t.kind)
        if len(incident.kinds) >= 3:
            severity = "critical"  # a storm, negative turn and crisis words together
        if SEVERITY_RANK[severity] > SEVERITY_RANK[incident.severity]:
            incident.severity = severity
        incident.updated_at = now
        if what != "opened":
            incident.updates += 1
        if what == "updated" and (
            set(incident.kinds) - kinds_before or SEVERITY_RANK[incident.severity] > rank_before
        ):
            what = "escalated"
        if what == "updated" and (
            incident.reported_at is not None and now - incident.reported_at < self.update_every
        ):
            return []  # explained and stored at most once a minute: a storm is many batches
        self._explain(incident, head, triggers)
        incident.reported_at = now
        return [Event(what, incident, now)]

    def _explain(self, incident: Incident, head: Trigger, triggers: list[Trigger]) -> None:
        incident.observed, incident.expected, incident.score = (
            head.observed,
            head.expected,
            head.score,
        )
        state = self.state(incident.query)
        peak = incident.explanation.get("peak_ratio", 0.0)
        ratio = head.observed / max(head.expected, 0.1)
        explanation: dict[str, Any] = {
            "kind": head.kind,
            "rule": head.rule,
            "window_minutes": head.window,
            "observed": head.observed,
            "expected": head.expected,
            "ratio": round(ratio, 2),
            "score": head.score,
            "peak_ratio": round(max(peak, ratio), 2),
            **head.detail,
            "triggers": {
                t.kind: {
                    "rule": t.rule,
                    "observed": t.observed,
                    "expected": t.expected,
                    "window_minutes": t.window,
                    "score": t.score,
                }
                for t in triggers
            },
            "posts": [p.as_dict() for p in _top_posts(head)],
            "terms": _driving_terms(head.posts, state),
            "link": self._link(incident.query, head),
        }
        # Kinds seen earlier in the incident keep their last evidence.
        previous = incident.explanation.get("triggers", {})
        explanation["triggers"] = {**previous, **explanation["triggers"]}
        incident.explanation = explanation

    def _link(self, query: str, head: Trigger) -> str:
        start = head.posts[0].created_at if head.posts else None
        params: dict[str, str] = {"query": query}
        if head.kind == "negative" or (head.kind == "influencer"):
            params["sentiment"] = "negative"
        if head.kind == "keyword" and head.detail.get("terms_found"):
            params["q"] = next(iter(head.detail["terms_found"])).rstrip("*")
        if start is not None:
            params["since"] = start.date().isoformat()
        return f"{self.link_base}/?{urlencode(params)}"


def _is_weighty(post: Post, p: InfluencerParams) -> bool:
    """Whether the author weighs enough: influence if the stage ran, else followers."""
    if p.vip and post.is_vip:
        return True
    if post.influence is not None:
        return post.influence >= p.min_influence
    return post.followers >= p.min_followers


def _is_complaint(post: Post, p: InfluencerParams) -> bool:
    return post.sentiment in p.sentiments or (post.is_complaint and "negative" in p.sentiments)


def _influencer_trigger(
    rule: Rule,
    query: str,
    author: Post,
    posts: list[Post],
    observed: float,
    expected: float,
    window: int,
    because: str,
) -> Trigger:
    return Trigger(
        rule=rule.name,
        kind="influencer",
        query=query,
        observed=observed,
        expected=round(expected, 2),
        score=round(surprise(observed, expected), 2) if because == "echo" else 1.0,
        severity="warning",
        window=window,
        posts=posts,
        detail={
            "author": author.author.split(":", 1)[1],
            "followers": author.followers,
            "influence": author.influence,
            "is_vip": author.is_vip,
            "because": because,
        },
    )


def _top_posts(head: Trigger) -> list[Post]:
    """The posts that drive an alert: the most followed, then the most negative."""
    ranked = sorted(head.posts, key=lambda p: (-p.followers, p.score))
    chosen, authors = [], set()
    for post in ranked:
        if post.author in authors:
            continue  # five voices, not one voice five times
        authors.add(post.author)
        chosen.append(post)
        if len(chosen) == TOP_POSTS:
            break
    return chosen


def _driving_terms(posts: list[Post], state: QueryState) -> list[dict[str, Any]]:
    """Keywords much more frequent in the alert's posts than usual for the query."""
    if not posts:
        return []
    counts = Counter(t for p in posts for t in set(p.keywords))
    n = len(posts)
    background = max(state.term_posts, 1.0)
    scored = []
    for term, c in counts.items():
        if c < 2:
            continue
        here = c / n
        usual = (state.terms.get(term, 0.0) + 0.5) / (background + 1.0)
        lift = here / usual
        if lift >= 1.5:
            scored.append((c * math.log(lift), term, c, lift))
    scored.sort(reverse=True)
    return [{"term": t, "count": c, "lift": round(lift, 1)} for _, t, c, lift in scored[:TOP_TERMS]]
