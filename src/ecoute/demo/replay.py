"""The bundled demo replay: a month of social posts about invented brands, in our JSONL format.

``generate`` writes everyday conversation (questions, complaints, praise,
purchase intent, irony, chatter, posts about none of the brands) with daily and
weekly rhythms, reply threads and brands answering their customers, then the
episodes of `ecoute.demo.storyline`. Posts are then collected as a listening
tool would: a few minutes after they appear, some again later with grown
counts, and some are deleted by their author or by a moderator. Records come
out in collection order. Only a seeded `random.Random` decides anything, and
the end of the replay is a parameter, so a seed and an end give the same bytes.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from ecoute.demo.cast import FRENCH_SHARE, PLATFORM_WEIGHTS, PLATFORMS, Persona
from ecoute.demo.payloads import Post, to_record, tombstone
from ecoute.demo.storyline import play
from ecoute.demo.vocabulary import (
    BRANDS,
    INTENT_WEIGHTS,
    MARKETS,
    OFF_TOPIC,
    Brand,
    compose,
    headline,
    roughen,
    summary,
)
from ecoute.demo.world import SUBREDDITS, World, activity, poisson
from ecoute.model import utc

log = logging.getLogger(__name__)

EVERYDAY_PER_DAY = 132  # posts of ordinary conversation on an average day, at scale 1
OFF_TOPIC_SHARE = 0.07
REPLY_SHARE = 0.2
# How long after posting a listening tool hears a post (minutes): streams are near-instant,
# searches are polled, YouTube and feeds are read a few times an hour.
_LAG_MINUTES = {
    "mastodon": (0.05, 3),
    "bluesky": (0.05, 2),
    "twitter": (1, 15),
    "reddit": (3, 40),
    "youtube": (10, 90),
    "rss": (10, 60),
}
_MARKET_BRANDS = {m: [b for b in BRANDS if b.market == m] for m in MARKETS}


def generate(
    *, end: datetime, seed: int = 7, days: int = 30, scale: float = 1.0
) -> Iterator[dict[str, Any]]:
    """Yield the replay's import records in collection order."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if not 0 < scale <= 100:
        raise ValueError(f"scale must be above 0 and at most 100, not {scale}")
    end = utc(end)
    rng = random.Random(seed)  # noqa: S311 - a reproducible replay, not a secret
    world = World.create(rng, end - timedelta(days=days), end)
    _everyday(world, scale)
    _regulars(world)
    play(world, scale)
    _answer_customers(world)
    yield from _collect(world)


def write_jsonl(
    path: Path, *, end: datetime, seed: int = 7, days: int = 30, scale: float = 1.0
) -> int:
    """Write the replay to `path` as JSONL and return the number of lines written."""
    encode = msgspec.json.Encoder().encode
    lines = 0
    with open(path, "wb") as out:
        for record in generate(end=end, seed=seed, days=days, scale=scale):
            out.write(encode(record) + b"\n")
            lines += 1
    log.info("demo replay: %d lines written to %s", lines, path)
    return lines


# -- everyday conversation ---------------------------------------------------------------------
def _everyday(world: World, scale: float) -> None:
    rng = world.rng
    hour = world.start.replace(minute=0, second=0, microsecond=0)
    per_hour = EVERYDAY_PER_DAY / 24 * scale
    markets, market_weights = list(MARKETS), list(MARKETS.values())
    while hour < world.end:
        for _ in range(poisson(rng, per_hour * activity(hour))):
            at = hour + timedelta(seconds=rng.uniform(0, 3600))
            platform = rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
            lang = "fr" if rng.random() < FRENCH_SHARE[platform] else "en"
            market = rng.choices(markets, market_weights)[0]
            _chat(world, platform, lang, market, at)
        hour += timedelta(hours=1)


def _chat(world: World, platform: str, lang: str, market: str, at: datetime) -> None:
    rng = world.rng
    author = world.cast.someone(rng, platform, lang)
    if rng.random() < OFF_TOPIC_SHARE:
        text = roughen(rng, rng.choice(OFF_TOPIC[lang != "fr"]), lang, "neutral")
        _place(world, platform, author, text, at, lang, market, intent="chatter")
        return
    brands = _MARKET_BRANDS[market]
    brand = rng.choices(brands, [b.weight for b in brands])[0]
    rival = rng.choice([b for b in brands if b is not brand])
    intent = rng.choices(list(INTENT_WEIGHTS), list(INTENT_WEIGHTS.values()))[0]
    at_handle = brand.handle(platform)
    handle = f"@{at_handle.split('@')[0]}" if at_handle and platform != "youtube" else brand.name
    text = compose(rng, market, intent, lang, brand, rival, handle)
    _place(world, platform, author, text, at, lang, market, intent=intent, brand=brand, rival=rival)


def _place(
    world: World,
    platform: str,
    author: Persona,
    text: str,
    at: datetime,
    lang: str,
    market: str,
    *,
    intent: str,
    brand: Brand | None = None,
    rival: Brand | None = None,
) -> None:
    """Post `text` where it belongs on `platform`: a reply, a comment, a thread, an article."""
    rng = world.rng
    extra: dict[str, Any] = {}
    parent = world.recent(platform, market, at) if rng.random() < REPLY_SHARE else None
    if platform == "reddit":
        if parent is None or rng.random() < 0.25:
            title, _, body = text.partition(". ")
            if len(title) < 25:
                title, body = text, ""
            extra = {"title": title, "body": body, "venue": rng.choice(SUBREDDITS[(market, lang)])}
            text = f"{title}\n\n{body}" if body else title
        else:
            extra = {"parent": parent, "venue": parent.venue}
    elif platform == "youtube":
        video = world.video(market)
        if parent is not None:
            video = next((v for v in world.videos if v.id == parent.venue), video)
            extra["parent"] = parent
        extra.update(venue=video.id, venue_owner=video.owner)
    elif platform == "rss":
        site = author.handle
        title = headline(rng, market, lang, brand, rival)
        if brand is not None:
            text = summary(rng, market, lang, brand)
        extra = {"title": title, "body": text, "venue": world.cast.feeds.get(site, site)}
        text = f"{title}\n\n{text}"
    elif parent is not None:
        extra["parent"] = parent
    post = world.post(platform, author, text, at, lang=lang, **extra)
    if post is None:
        return
    post.intent, post.brand = intent, brand.name if brand else ""
    world.remember(post, market)


def _regulars(world: World) -> None:
    """Fans who keep praising their brand, and the quiet blogger with a big audience."""
    rng = world.rng
    praise = {
        "fan_miettine": (
            "Goûter validé avec les sablés Miettine, comme d'hab 😍 #goûter",
            "Je ne me lasse pas des cookies Miettine, meilleurs du rayon 💯",
            "Merci Miettine pour le nouveau goûter, les enfants adorent !",
        ),
        "fan_volterre": (
            "Encore 40 km de vélotaf avec mon Volterre, zéro souci 🚲 #vélotaf",
            "Volterre City : 2 ans, 8000 km, toujours parfait. Merci !",
            "Le SAV Volterre m'a changé un câble en 24h. Au top.",
        ),
        "fan_fleurimaud": (
            "Fleurimaud flowers on my desk again, they last forever 🌸",
            "Best peony bouquet ever from Fleurimaud, thank you!",
            "Ordered from Fleurimaud for Mum's birthday, she loved it ❤️",
        ),
        "fan_roulivo": (
            "Roulivo cargo au top pour l'école ce matin 👌",
            "Premier mois avec le Roulivo, trop content",
        ),
    }
    crisis_day = world.end - timedelta(days=10)
    for key, lines in praise.items():
        fan = world.cast.named[key]
        at = world.start + timedelta(hours=rng.uniform(10, 60))
        while at < world.end:
            if not (key == "fan_fleurimaud" and at > crisis_day):  # she goes quiet in the crisis
                post = world.post(
                    fan.platform, fan, rng.choice(lines), at, lang=fan.lang, story="fan"
                )
                if post is not None and fan.brand is not None:
                    post.intent, post.brand = "praise", fan.brand.name
            at += timedelta(hours=rng.uniform(40, 110))
    margaux, blog = world.cast.named["margaux"], world.cast.named["margaux_blog"]
    reviews = (
        "Test du vélo cargo Volterre après trois mois",
        "Les sablés Miettine au banc d'essai",
        "Fleuristes en ligne : Fleurimaud, Bouquetéo et Tigelys comparés",
    )
    at = world.start + timedelta(days=2, hours=9)
    for i in range(99):
        if at > world.end:
            break
        title = reviews[i % len(reviews)]
        article = world.post(
            "rss",
            blog,
            "",
            at,
            lang="fr",
            title=title,
            body="Notre avis détaillé, photos à l'appui, après plusieurs semaines d'usage.",
            venue="Le Carnet de Margaux",
            story="blogger",
        )
        if article is not None:
            article.text = f"{article.title}\n\n{article.body}"
            world.post(
                "mastodon",
                margaux,
                f"Nouvel article : {title} {article.native_id}",
                at + timedelta(minutes=12),
                lang="fr",
                story="blogger",
            )
        at += timedelta(days=rng.uniform(5, 8))
    dan, lucie = world.cast.named["dan"], world.cast.named["lucie"]
    at = world.start + timedelta(hours=14)
    while at < world.end:
        brand = rng.choice(BRANDS)
        world.post(
            "twitter",
            dan,
            f"Deal: {brand.name} is 20% off this weekend. Worth it? 👀",
            at,
            lang="en",
            story="vip",
        )
        world.post(
            "twitter",
            lucie,
            rng.choice(
                (
                    f"Vos retours sur {brand.name} ? Je prépare un comparatif.",
                    "Rappel : en cas de non-livraison, le vendeur doit rembourser. Toujours.",
                    "Prix des goûters en hausse de 9 % sur un an : vos exemples m'intéressent.",
                )
            ),
            at + timedelta(hours=rng.uniform(20, 50)),
            lang="fr",
            story="vip",
        )
        at += timedelta(hours=rng.uniform(50, 90))


# -- brands answering ----------------------------------------------------------------------
_CARE = {
    "complaint": (
        (
            "Bonjour {n}, désolés pour ce désagrément ! Pouvez-vous nous envoyer votre "
            "numéro de commande en message privé ? On s'en occupe 🙏",
            "{n}, nous sommes navrés. Notre équipe vous contacte aujourd'hui pour trouver "
            "une solution.",
        ),
        ("Hi {n}, so sorry about this! Could you DM us your order number? We'll sort it out 🙏",),
    ),
    "question": (
        (
            "Bonjour {n} ! Oui, tout est expliqué ici : on reste dispo en MP si besoin 😊",
            "Hello {n}, bonne question ! Écrivez-nous en MP, on vous répond vite.",
        ),
        ("Hi {n}! Yes, happy to help, drop us a DM 😊",),
    ),
    "praise": (
        (
            "Merci beaucoup {n} ! Ça nous fait très plaisir 💐",
            "Merci {n}, vos messages font notre journée ✨",
        ),
        ("Thank you so much {n}! 💐",),
    ),
}


def _answer_customers(world: World) -> None:
    """Brands answer part of the questions, complaints and praise addressed to them."""
    rng = world.rng
    for post in list(world.posts):
        if post.intent not in _CARE or not post.brand or post.parent is not None:
            continue
        brand = next(b for b in BRANDS if b.name == post.brand)
        account = world.cast.brand_account(brand, post.platform)
        if account is None or rng.random() > (0.5 if post.intent != "praise" else 0.35):
            continue
        delay = timedelta(minutes=rng.lognormvariate(4.3, 0.9))  # about 75 minutes
        name = post.author.name.split(" ")[0]
        text = rng.choice(_CARE[post.intent][post.author.lang != "fr"]).format(n=name)
        if post.platform == "twitter":
            text = f"@{post.author.handle} {text}"
        extra = {"venue": post.venue, "venue_owner": post.venue_owner} if post.venue else {}
        world.post(
            post.platform,
            account,
            text,
            post.created_at + delay,
            lang=account.lang if post.author.lang == "fr" else "en",
            parent=post,
            story="care",
            **extra,
        )


# -- collection ----------------------------------------------------------------------------
def _collect(world: World) -> Iterator[dict[str, Any]]:
    """Yield what a listening tool would have written, in the order it heard it."""
    rng = world.rng
    events: list[tuple[datetime, int, Post, bool]] = []
    for post in world.posts:
        post.children.sort()
        low, high = _LAG_MINUTES[post.platform]
        heard = post.created_at + timedelta(minutes=rng.uniform(low, high))
        if heard > world.end:
            continue
        if post.deleted_at is not None and heard >= post.deleted_at:
            # A moderator removed it quickly: heard only if the tool read before the removal.
            heard = post.created_at + (post.deleted_at - post.created_at) * rng.uniform(0.2, 0.9)
        events.append((heard, len(events), post, False))
        if (
            post.deleted_by is None
            and post.author.role == "crowd"
            and post.parent is None
            and rng.random() < 0.012
        ):
            post.deleted_at = post.created_at + timedelta(minutes=rng.lognormvariate(4, 1.5))
        if post.deleted_at is not None and heard < post.deleted_at <= world.end:
            events.append((post.deleted_at, len(events), post, True))
        for again in _recollections(rng, post, heard):
            if again <= world.end and (post.deleted_at is None or again < post.deleted_at):
                events.append((again, len(events), post, False))
    events.sort(key=lambda e: (e[0], e[1]))
    for moment, _, post, is_tombstone in events:
        yield tombstone(post) if is_tombstone else to_record(post, moment)


def _recollections(rng: random.Random, post: Post, heard: datetime) -> list[datetime]:
    """When a post is read again: popular ones a few times, the rest rarely."""
    if post.platform == "rss":
        return []
    if post.likes >= 1000:
        return [
            heard + timedelta(hours=h)
            for h in (rng.uniform(1, 3), rng.uniform(8, 12), rng.uniform(24, 30))
        ]
    if post.likes >= 60 or rng.random() < 0.04:
        return [heard + timedelta(hours=rng.uniform(2, 30))]
    return []
