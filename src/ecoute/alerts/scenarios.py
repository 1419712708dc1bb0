"""Labelled crises injected into realistic background traffic, to tune and judge detection.

Background traffic follows the demo's daily and weekly cycles (quiet nights, a
lunch and an evening peak, calmer weekends), with busier and calmer days and
hours than a Poisson process would give, and the demo's mix of complaints,
praise, questions and chatter in French and English. Some ordinary complaints
say « arnaque » or "scam": crisis words are not crises by themselves.

Crises come in four shapes, each labelled with its query, start and end:

* ``sudden``: a complaint goes viral at once and decays over hours;
* ``slow_burn``: negative volume snowballs over several hours (the florist story);
* ``weekend``: a sudden crisis on a Saturday or Sunday night, small in absolute
  numbers but large against what is normal then;
* ``influencer``: an author with a large audience complains and a cascade follows.

Records are in Écoute's JSONL import format, so a scenario file can be replayed by
``ecoute alerts backtest``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from ecoute.demo.cast import audience
from ecoute.demo.vocabulary import BRANDS, Brand, compose, person_name
from ecoute.demo.world import activity, poisson
from ecoute.model import Query

SHAPES = ("sudden", "slow_burn", "weekend", "influencer")
# Everyday intents and their shares of a brand's conversation.
INTENTS = (
    ("chatter", 0.34),
    ("praise", 0.22),
    ("complaint", 0.14),
    ("question", 0.14),
    ("intent", 0.08),
    ("mixed", 0.06),
    ("irony", 0.02),
)
_MOODS = {"complaint": "negative", "irony": "negative", "praise": "positive"}
PLATFORMS = ("twitter", "mastodon", "bluesky", "reddit")
LOCAL = timedelta(hours=1)  # the demo's audience lives in France (UTC+1)
EVERYDAY_SCAM = 0.03  # share of ordinary complaints that say « arnaque » or "scam"
MEDIA_SHARE = 0.003  # posts by large accounts (press, creators), never complaints here

_CRISIS_LINES = (
    (
        "#Boycott{tag} ils suppriment les commentaires au lieu de rembourser. Scandale.",
        "{brand} bloque une cliente qui demandait juste un remboursement 😡 #boycott{tag}",
        "Ce que fait {brand} est honteux, c'est une arnaque. Partagez.",
        "Je ne commanderai plus jamais chez {brand}. Honte à eux.",
        "{brand} censure les avis négatifs, quelle honte 🤬",
        "Après ce que {brand} a fait à cette cliente, boycott total.",
        "{at} {brand} répondez au lieu de supprimer, c'est inadmissible",
    ),
    (
        "#Boycott{tag}: they delete customers' complaints instead of refunding. Disgusting.",
        "{brand} banned a customer who only asked for a refund 😡",
        "What {brand} did is a scam. Share this.",
        "Never buying from {brand} again. Shameful.",
        "{at} {brand} stop deleting comments and answer people. Unacceptable.",
    ),
)
_WONDER_LINES = (
    (
        "Il se passe quoi avec {brand} ? Je vois passer plein de messages",
        "Vous avez vu l'histoire {brand} ?",
    ),
    ("What is going on with {brand}?", "Anyone following the {brand} story?"),
)


@dataclass(frozen=True, slots=True)
class Crisis:
    """A labelled crisis: which query, what shape, from when to when, how strong."""

    query: str
    shape: str
    start: datetime
    end: datetime
    peak_per_hour: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "shape": self.shape,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "peak_per_hour": round(self.peak_per_hour, 1),
        }


@dataclass(slots=True)
class Scenario:
    """One brand's traffic over a period, with its crises."""

    query: Query
    start: datetime
    end: datetime
    warmup_end: datetime  # crises happen after this; before, the baseline learns
    records: list[dict[str, Any]] = field(default_factory=list)
    crises: list[Crisis] = field(default_factory=list)
    # The sentiment each post was written with (by id), to judge detection apart from
    # the sentiment stage's mistakes.
    written: dict[str, str] = field(default_factory=dict)


def generate(
    seed: int,
    *,
    brand: Brand | None = None,
    rate: float = 20.0,
    days: int = 28,
    warmup_days: int = 14,
    shapes: tuple[str, ...] = SHAPES,
    end: datetime | None = None,
) -> Scenario:
    """Generate `days` of traffic averaging `rate` mentions an hour, crises after the warm-up."""
    if days <= warmup_days or warmup_days < 1:
        raise ValueError("days must exceed warmup_days, itself at least 1")
    if rate <= 0:
        raise ValueError("rate must be positive")
    rng = random.Random(seed)  # noqa: S311 - reproducible traffic, not a secret
    brand = brand or BRANDS[seed % len(BRANDS)]
    rivals = [b for b in BRANDS if b.market == brand.market and b is not brand] or [brand]
    end = (end or datetime(2026, 11, 30, tzinfo=UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    query = Query(name=brand.query, expr=brand.name, kind=brand.kind)
    scenario = Scenario(query, start, end, start + timedelta(days=warmup_days))
    writer = _Writer(rng, brand, rivals, scenario)
    _background(writer, rate)
    for crisis in _schedule(rng, scenario, rate, shapes):
        _inject(writer, crisis, rate)
        scenario.crises.append(crisis)
    scenario.records.sort(key=lambda r: r["created_at"])
    return scenario


def write(scenarios: list[Scenario], path: Path) -> Path:
    """Write the scenarios' records as JSONL to `path` and their labels beside it.

    The labels go to ``<path>.labels.json``: the queries and the crises.
    """
    encode = msgspec.json.Encoder().encode
    records = sorted((r for s in scenarios for r in s.records), key=lambda r: r["created_at"])
    with open(path, "wb") as out:
        for record in records:
            out.write(encode(record) + b"\n")
    labels = {
        "queries": [{"name": s.query.name, "expr": s.query.expr} for s in scenarios],
        "crises": [c.as_dict() for s in scenarios for c in s.crises],
    }
    labels_path = path.with_name(path.name + ".labels.json")
    labels_path.write_bytes(msgspec.json.format(encode(labels)))
    return labels_path


# -- traffic ---------------------------------------------------------------------------------
class _Writer:
    """Writes posts about one brand as import records."""

    def __init__(self, rng: random.Random, brand: Brand, rivals: list[Brand], scenario: Scenario):
        self.rng, self.brand, self.rivals, self.scenario = rng, brand, rivals, scenario
        self.count = 0
        self.crowd = [self._person(i) for i in range(4000)]
        self.media = [(f"media{i}", rng.randint(60_000, 2_000_000)) for i in range(12)]

    def _person(self, i: int) -> tuple[str, int]:
        return (f"p{i}_{self.rng.randrange(10**6):06d}", audience(self.rng))

    def add(
        self,
        at: datetime,
        text: str,
        lang: str,
        author: tuple[str, int],
        story: str = "everyday",
        mood: str = "neutral",
    ) -> None:
        self.count += 1
        platform = self.rng.choice(PLATFORMS)
        native = f"{self.brand.query}-{story}-{self.count}"
        handle, followers = author
        self.scenario.written[native] = mood
        self.scenario.records.append(
            {
                "platform": platform,
                "id": native,
                "text": text,
                "created_at": at.isoformat(),
                "collected_at": (at + timedelta(seconds=30)).isoformat(),
                "author": handle,
                "author_name": person_name(self.rng, lang),
                "author_followers": followers,
                "url": f"https://{platform}.example/{handle}/{native}",
                "lang": lang,
            }
        )

    def post(
        self,
        at: datetime,
        intent: str,
        *,
        author: tuple[str, int] | None = None,
        story: str = "everyday",
    ) -> None:
        rng = self.rng
        lang = "fr" if rng.random() < 0.7 else "en"
        handle = self.brand.handle("twitter") or self.brand.name
        text = compose(
            rng, self.brand.market, intent, lang, self.brand, rng.choice(self.rivals), f"@{handle}"
        )
        if intent == "complaint" and rng.random() < EVERYDAY_SCAM:
            text += " C'est une arnaque." if lang == "fr" else " What a scam."
        self.add(
            at, text, lang, author or rng.choice(self.crowd), story, _MOODS.get(intent, "neutral")
        )

    def crisis_post(self, at: datetime, story: str) -> None:
        rng = self.rng
        lang = "fr" if rng.random() < 0.7 else "en"
        index = 0 if lang == "fr" else 1
        roll = rng.random()
        handle = self.brand.handle("twitter") or self.brand.name
        mood = "negative"
        if roll < 0.4:
            line = rng.choice(_CRISIS_LINES[index])
        elif roll < 0.85:
            self.post(at, "complaint", author=self._person(self.count), story=story)
            return
        else:
            line, mood = rng.choice(_WONDER_LINES[index]), "neutral"
        text = line.format(
            brand=self.brand.name, tag=self.brand.name.replace("é", "e"), at=f"@{handle}"
        )
        self.add(at, text, lang, self._person(self.count), story, mood)


def _background(writer: _Writer, rate: float) -> None:
    rng, s = writer.rng, writer.scenario
    names, weights = zip(*INTENTS, strict=True)
    hour = s.start
    day_factor = 1.0
    while hour < s.end:
        if hour.hour == 0 or hour == s.start:
            day_factor = rng.gammavariate(16.0, 1 / 16.0)  # some days are busier (sd 25%)
        mean = rate * activity(hour) * day_factor * rng.lognormvariate(-0.02, 0.2)
        for _ in range(poisson(rng, mean)):
            at = hour + timedelta(seconds=rng.uniform(0, 3600))
            if rng.random() < MEDIA_SHARE:
                writer.post(
                    at,
                    rng.choice(("chatter", "praise", "question")),
                    author=rng.choice(writer.media),
                )
            else:
                writer.post(at, rng.choices(names, weights)[0])
        hour += timedelta(hours=1)


# -- crises ----------------------------------------------------------------------------------
def _schedule(
    rng: random.Random, s: Scenario, rate: float, shapes: tuple[str, ...]
) -> list[Crisis]:
    """Place one crisis of each shape in the evaluation period, at least a day and a half apart."""
    crises: list[Crisis] = []
    span = (s.end - s.warmup_end).total_seconds()
    # The weekend crisis has the fewest possible slots: it is placed first.
    for shape in sorted(shapes, key=lambda name: name != "weekend"):
        for _ in range(5000):
            start = s.warmup_end + timedelta(seconds=rng.uniform(0, span - 12 * 3600))
            local = start + LOCAL
            if shape == "weekend":
                if local.weekday() < 5 or not (local.hour >= 20 or local.hour < 2):
                    continue
            elif 1 <= local.hour < 7:
                continue  # weekday crises break out in waking hours
            if all(abs((start - c.start).total_seconds()) > 36 * 3600 for c in crises):
                break
        else:
            raise ValueError("no room for the crises; lengthen the period")
        start = start.replace(second=0, microsecond=0)
        crises.append(_crisis(rng, s.query.name, shape, start, rate))
    return sorted(crises, key=lambda c: c.start)


def _crisis(rng: random.Random, query: str, shape: str, start: datetime, rate: float) -> Crisis:
    # Peaks in new posts an hour, against the brand's average hour: a viral complaint
    # multiplies a small brand's volume more than a large one's.
    if shape == "sudden":
        peak = max(6 * rate, 40.0) * rng.uniform(0.8, 1.5)
    elif shape == "slow_burn":
        peak = max(3 * rate, 15.0) * rng.uniform(0.8, 1.3)
    elif shape == "weekend":
        peak = max(4 * rate, 25.0) * rng.uniform(0.8, 1.3)
    else:
        peak = max(2 * rate, 12.0) * rng.uniform(0.8, 1.3)
    profile = _PROFILES[shape]
    minutes = 0
    while profile(minutes) > 0.1 or minutes < 60:
        minutes += 1
    return Crisis(query, shape, start, start + timedelta(minutes=minutes), peak)


def _sudden(m: float) -> float:
    return 1.0 if m < 60 else math.exp(-(m - 60) / 120)


def _slow_burn(m: float) -> float:
    ramp = 300.0
    if m < ramp:
        return m / ramp
    return 1.0 if m < ramp + 120 else math.exp(-(m - ramp - 120) / 120)


def _cascade(m: float) -> float:
    if m < 20:
        return m / 20
    return 1.0 if m < 80 else math.exp(-(m - 80) / 90)


_PROFILES = {"sudden": _sudden, "slow_burn": _slow_burn, "weekend": _sudden, "influencer": _cascade}


def _inject(writer: _Writer, crisis: Crisis, rate: float) -> None:
    rng = writer.rng
    story = f"crisis{len(writer.scenario.crises)}"
    if crisis.shape == "influencer":
        star = (f"star_{rng.randrange(10**6):06d}", rng.randint(100_000, 2_000_000))
        writer.post(crisis.start, "complaint", author=star, story=story)
    profile = _PROFILES[crisis.shape]
    total_minutes = int((crisis.end - crisis.start).total_seconds() // 60)
    for minute in range(total_minutes):
        mean = crisis.peak_per_hour / 60 * profile(minute)
        for _ in range(poisson(rng, mean)):
            at = crisis.start + timedelta(minutes=minute, seconds=rng.uniform(0, 60))
            writer.crisis_post(at, story)


def iter_scenarios(seeds: list[int], rates: list[float], **kwargs: Any) -> Iterator[Scenario]:
    """Generate one scenario per (seed, rate), each about a different brand when possible."""
    for i, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        yield generate(seed, brand=BRANDS[i % len(BRANDS)], rate=rate, **kwargs)


@dataclass(slots=True)
class Verdict:
    """How alerts compare with the labelled crises of a period."""

    crises: int = 0
    detected: int = 0
    alerts: int = 0
    true_alerts: int = 0
    delays: list[float] = field(default_factory=list)  # minutes, one per detected crisis
    by_shape: dict[str, list[int]] = field(default_factory=dict)  # shape -> [crises, detected]
    shape_delays: dict[str, list[float]] = field(default_factory=dict)  # shape -> minutes
    false_alarms: list[tuple[datetime, str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.detected / self.crises if self.crises else 1.0

    @property
    def precision(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else 1.0

    def __iadd__(self, other: Verdict) -> Verdict:
        self.crises += other.crises
        self.detected += other.detected
        self.alerts += other.alerts
        self.true_alerts += other.true_alerts
        self.delays += other.delays
        self.false_alarms += other.false_alarms
        for shape, (n, d) in other.by_shape.items():
            row = self.by_shape.setdefault(shape, [0, 0])
            row[0] += n
            row[1] += d
        for shape, delays in other.shape_delays.items():
            self.shape_delays.setdefault(shape, []).extend(delays)
        return self


def judge(
    alerts: list[tuple[datetime, str, str]], crises: list[Crisis], since: datetime
) -> Verdict:
    """Score alerts (opened at, query, kind) raised from `since` against labelled crises.

    An alert is true when it opens on a crisis's query between its start and end;
    a crisis is detected when a true alert opens on it; the delay runs from the
    crisis's start to its first alert.
    """
    verdict = Verdict(crises=len(crises))
    first: dict[int, datetime] = {}
    for at, query, kind in alerts:
        if at < since:
            continue
        verdict.alerts += 1
        hit = next(
            (i for i, c in enumerate(crises) if c.query == query and c.start <= at <= c.end), None
        )
        if hit is None:
            verdict.false_alarms.append((at, query, kind))
            continue
        verdict.true_alerts += 1
        first.setdefault(hit, at)
    for i, crisis in enumerate(crises):
        row = verdict.by_shape.setdefault(crisis.shape, [0, 0])
        row[0] += 1
        if i in first:
            row[1] += 1
            verdict.detected += 1
            delay = (first[i] - crisis.start).total_seconds() / 60
            verdict.delays.append(delay)
            verdict.shape_delays.setdefault(crisis.shape, []).append(delay)
    return verdict
