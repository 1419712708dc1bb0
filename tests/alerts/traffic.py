"""Mentions for detector tests: a brand's everyday traffic with daily and weekly cycles."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import msgspec

from ecoute.demo.world import activity, poisson
from ecoute.model import Author, Mention, Sentiment

QUERY = "fleurimaud"
_TEXTS = {
    Sentiment.NEGATIVE: "Fleurimaud livraison en retard, déçue",
    Sentiment.NEUTRAL: "Fleurimaud ou un autre fleuriste pour samedi ?",
    Sentiment.POSITIVE: "Merci Fleurimaud, bouquet magnifique",
}


def post(
    n: int,
    at: datetime,
    sentiment: Sentiment = Sentiment.NEUTRAL,
    *,
    text: str | None = None,
    author: str | None = None,
    followers: int = 150,
    keywords: list[str] | None = None,
    query: str = QUERY,
    **fields: object,
) -> Mention:
    """One tagged, enriched mention."""
    return Mention(
        platform="mastodon",
        native_id=f"{query}-{n}",
        text=text or _TEXTS[sentiment],
        created_at=at,
        collected_at=at + timedelta(seconds=20),
        author=Author(platform="mastodon", handle=author or f"user{n}", followers=followers),
        sentiment=sentiment,
        sentiment_score={"negative": -0.6, "neutral": 0.0, "positive": 0.6}[sentiment],
        keywords=keywords if keywords is not None else ["fleurimaud"],
        queries=[query],
        url=f"https://social.example/@user{n}/{n}",
        **fields,  # type: ignore[arg-type]
    )


def complaint(n: int, at: datetime, *, followers: int, **fields: object) -> Mention:
    """A customer's complaint the care stage heard, scored confidently negative."""
    fields.setdefault("text", "Fleurimaud a perdu ma commande et ne répond pas. Honteux.")
    heard = post(n, at, Sentiment.NEGATIVE, followers=followers, care=["complaint"], **fields)
    return msgspec.structs.replace(heard, sentiment_score=-0.8)


def everyday(
    start: datetime, hours: int, rate: float, seed: int = 1, first_id: int = 0
) -> list[Mention]:
    """Background traffic averaging `rate` an hour: 20% negative, quiet nights, calm weekends."""
    rng = random.Random(seed)
    found = []
    n = first_id
    for h in range(hours):
        hour = start + timedelta(hours=h)
        for _ in range(poisson(rng, rate * activity(hour))):
            n += 1
            roll = rng.random()
            sentiment = (
                Sentiment.NEGATIVE
                if roll < 0.2
                else Sentiment.NEUTRAL
                if roll < 0.6
                else Sentiment.POSITIVE
            )
            found.append(post(n, hour + timedelta(seconds=rng.uniform(0, 3599)), sentiment))
    return sorted(found, key=lambda m: m.created_at)


def storm(
    start: datetime, minutes: int, per_minute: float, seed: int = 2, first_id: int = 1_000_000
) -> list[Mention]:
    """Complaints pouring in at `per_minute` from distinct authors, saying why."""
    rng = random.Random(seed)
    found = []
    for m in range(minutes):
        for _ in range(poisson(rng, per_minute)):
            n = first_id + len(found)
            found.append(
                post(
                    n,
                    start + timedelta(minutes=m, seconds=rng.uniform(0, 59)),
                    Sentiment.NEGATIVE,
                    text="Fleurimaud supprime les commentaires, remboursement!",
                    keywords=["fleurimaud", "supprime", "remboursement"],
                )
            )
    return found
