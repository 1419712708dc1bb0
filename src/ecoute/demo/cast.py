"""Who speaks in the demo: a crowd with heavy-tailed audiences, and a few named characters.

A crowd member posts on one platform, mostly in one language; how often they
post follows a Zipf law (a few people talk a lot) and their audience a
log-normal one with a Pareto tail (most have a hundred followers, a few have
tens of thousands). The named characters carry the scenarios: the customer
whose complaint was deleted, the journalist who picks her story up, the quiet
blogger with a big audience, the fans worth thanking, the activists.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from ecoute.demo.vocabulary import BRANDS, Brand, person_name
from ecoute.text import fold

PLATFORMS = ("twitter", "mastodon", "bluesky", "reddit", "youtube", "rss")
# Share of the everyday conversation per platform, and of French on each.
PLATFORM_WEIGHTS = (0.34, 0.18, 0.17, 0.14, 0.13, 0.04)
FRENCH_SHARE = {
    "twitter": 0.62,
    "mastodon": 0.74,
    "bluesky": 0.52,
    "reddit": 0.38,
    "youtube": 0.64,
    "rss": 0.6,
}
CROWD_SIZE = {"twitter": 700, "mastodon": 320, "bluesky": 320, "reddit": 260, "youtube": 280}
MASTODON_INSTANCES = (
    "piaille.example",
    "mamot.example",
    "toot.example",
    "social.example",
    "framapiaf.example",
    "mastodon.example",
)
RSS_SITES = (
    ("conso-pratique.example", "Conso Pratique", "Rédaction Conso Pratique", "fr"),
    ("velo-urbain.example", "Vélo Urbain", "Hélène Garnier", "fr"),
    ("goutersmaison.example", "Goûters Maison", "Agathe Brun", "fr"),
    ("thebikecommuter.example", "The Bike Commuter", "Tom Fletcher", "en"),
    ("snackreviews.example", "Snack Reviews Weekly", "Mia Chen", "en"),
    ("bloomandstem.example", "Bloom & Stem", "Rosie Hart", "en"),
)

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(slots=True, eq=False)
class Persona:
    """One account on one platform."""

    platform: str
    handle: str
    native_id: str
    name: str
    followers: int
    lang: str
    created_at: datetime
    role: str = "crowd"  # crowd, brand, care, customer, journalist, blogger, fan, activist
    brand: Brand | None = None  # the brand an account runs or a fan loves
    following: int = 0
    statuses: int = 0
    # A sudden audience: from this moment the account has that many followers.
    surge: tuple[datetime, int] | None = None
    # Engagement multiplier: a quiet blogger's posts travel much further than her followers.
    pull: float = 1.0

    def followers_at(self, moment: datetime) -> int:
        if self.surge is not None and moment >= self.surge[0]:
            return self.surge[1]
        return self.followers

    @property
    def username(self) -> str:
        """The handle without its server (Mastodon) or domain (Bluesky)."""
        if self.platform == "mastodon":
            return self.handle.split("@")[0]
        if self.platform == "bluesky":
            return self.handle.split(".")[0]
        return self.handle

    @property
    def server(self) -> str:
        return self.handle.split("@", 1)[1] if "@" in self.handle else ""


@dataclass(slots=True)
class _Pool:
    members: list[Persona]
    cumulative: list[float]


@dataclass(slots=True)
class Cast:
    """Everyone in the replay: crowds per (platform, language) and named characters."""

    crowds: dict[tuple[str, str], _Pool] = field(default_factory=dict)
    named: dict[str, Persona] = field(default_factory=dict)
    brands: dict[tuple[str, str], Persona] = field(default_factory=dict)  # (brand, platform)
    feeds: dict[str, str] = field(default_factory=dict)  # RSS site -> feed title

    def someone(self, rng: random.Random, platform: str, lang: str) -> Persona:
        """Draw a crowd member; the talkative few are drawn most often."""
        pool = self.crowds[(platform, lang)]
        at = bisect.bisect_left(pool.cumulative, rng.random() * pool.cumulative[-1])
        return pool.members[min(at, len(pool.members) - 1)]

    def brand_account(self, brand: Brand, platform: str) -> Persona | None:
        return self.brands.get((brand.name, platform))


# -- identifiers ---------------------------------------------------------------------------
def random_chars(rng: random.Random, alphabet: str, n: int) -> str:
    """`n` characters drawn from `alphabet` (one draw of random bits, not one per character)."""
    value, size, out = rng.getrandbits(n * 8), len(alphabet), []
    for _ in range(n):
        value, index = divmod(value, size)
        out.append(alphabet[index])
    return "".join(out)


def base36(n: int) -> str:
    digits = []
    while n:
        n, r = divmod(n, 36)
        digits.append(_B36[r])
    return "".join(reversed(digits)) or "0"


def tid(moment: datetime, rng: random.Random) -> str:
    """An AT Protocol record key: microseconds and a clock id in sortable base32."""
    value = (int(moment.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
    return "".join(_B32_SORT[(value >> shift) & 31] for shift in range(60, -1, -5))


def account_id(platform: str, rng: random.Random, created: datetime) -> str:
    """An account identifier in the platform's own shape."""
    if platform == "twitter":
        return str(
            ((int(created.timestamp() * 1000) - 1_288_834_974_657) << 22) | rng.getrandbits(22)
        )
    if platform == "mastodon":
        return str((int(created.timestamp() * 1000) << 16) | rng.getrandbits(16))
    if platform == "bluesky":
        return "did:plc:" + random_chars(rng, _B32, 24)
    if platform == "reddit":
        return "t2_" + random_chars(rng, _B36, 8)
    if platform == "youtube":
        return "UC" + random_chars(rng, _B64, 22)
    return ""


def youtube_id(rng: random.Random) -> str:
    return "Ug" + rng.choice("wxyz") + random_chars(rng, _B64, 16) + "4AaABAg"


def youtube_reply_id(rng: random.Random, parent: str) -> str:
    return f"{parent}.{random_chars(rng, _B64[:62], 22)}"


def video_id(rng: random.Random) -> str:
    return random_chars(rng, _B64, 11)


def _handle(rng: random.Random, platform: str, name: str) -> str:
    first, last = (fold(part) for part in name.split(" ", 1))
    first = "".join(c for c in first if c.isalnum())
    last = "".join(c for c in last if c.isalnum())
    style = rng.randrange(5)
    if style == 0:
        base = f"{first}_{last[:3]}"
    elif style == 1:
        base = f"{first}{rng.randint(1, 99)}"
    elif style == 2:
        base = f"{first[0]}{last}"
    elif style == 3:
        base = f"{first}.{last}"
    else:
        base = f"{last}{first[:2]}{rng.randint(70, 2009)}"
    if platform == "twitter":
        return base.replace(".", "_")[:15]
    if platform == "mastodon":
        return f"{base.replace('.', '_')}@{rng.choice(MASTODON_INSTANCES)}"
    if platform == "bluesky":
        return f"{base.replace('_', '-').replace('.', '-')}.bsky.social"
    if platform == "reddit":
        return f"{first.capitalize()}_{last.capitalize()}{rng.randint(1, 9999)}"
    return f"{base.replace('_', '').replace('.', '')}-{random_chars(rng, _B36, 3)}"


def audience(rng: random.Random) -> int:
    """Followers of an ordinary account: log-normal body, Pareto tail."""
    if rng.random() < 0.015:
        return min(int(2_000 * rng.paretovariate(1.2)), 400_000)
    return int(rng.lognormvariate(4.6, 1.4))


# -- the cast --------------------------------------------------------------------------------
def build_cast(rng: random.Random, start: datetime) -> Cast:
    """Create the crowd, the brands' accounts and the named characters."""
    cast = Cast()
    taken: set[tuple[str, str]] = set()
    for platform, size in CROWD_SIZE.items():
        for lang in ("fr", "en"):
            share = FRENCH_SHARE[platform] if lang == "fr" else 1 - FRENCH_SHARE[platform]
            members = []
            for _ in range(max(8, int(size * share))):
                name = person_name(rng, lang)
                handle = _handle(rng, platform, name)
                while (platform, handle.lower()) in taken:
                    handle = _handle(rng, platform, name)
                taken.add((platform, handle.lower()))
                created = start - timedelta(days=rng.randint(30, 5000))
                members.append(
                    Persona(
                        platform=platform,
                        handle=handle,
                        name=name,
                        native_id=account_id(platform, rng, created),
                        followers=audience(rng),
                        lang=lang,
                        created_at=created,
                        following=int(rng.lognormvariate(5, 1)),
                        statuses=int(rng.lognormvariate(6, 1.5)),
                    )
                )
            weights = [1 / (rank + 1) ** 0.85 for rank in range(len(members))]
            cast.crowds[(platform, lang)] = _Pool(members, list(accumulate(weights)))
    for site, title, author, lang in RSS_SITES:
        persona = Persona(
            platform="rss",
            handle=site,
            native_id="",
            name=author,
            followers=0,
            lang=lang,
            created_at=start,
            role="blog",
        )
        cast.crowds.setdefault(("rss", lang), _Pool([], []))
        pool = cast.crowds[("rss", lang)]
        pool.members.append(persona)
        pool.cumulative.append((pool.cumulative[-1] if pool.cumulative else 0) + 1)
        cast.named[f"site:{site}"] = persona
        cast.feeds[site] = title
    _add_brands(cast, rng, start)
    _add_characters(cast, rng, start)
    return cast


def _add_brands(cast: Cast, rng: random.Random, start: datetime) -> None:
    for brand in BRANDS:
        for platform, handle in brand.handles:
            created = start - timedelta(days=rng.randint(900, 3000))
            followers = int(rng.uniform(8_000, 60_000) * (2 if brand.kind == "brand" else 1))
            cast.brands[(brand.name, platform)] = Persona(
                platform=platform,
                handle=handle,
                name=brand.name,
                lang="fr",
                native_id=account_id(platform, rng, created),
                followers=followers,
                created_at=created,
                role="brand",
                brand=brand,
                following=300,
                statuses=4_000,
            )


def _character(
    cast: Cast,
    rng: random.Random,
    key: str,
    platform: str,
    handle: str,
    name: str,
    followers: int,
    lang: str,
    role: str,
    **extra: object,
) -> Persona:
    created = datetime(2014, 3, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 3000))
    persona = Persona(
        platform=platform,
        handle=handle,
        name=name,
        followers=followers,
        lang=lang,
        role=role,
        native_id=account_id(platform, rng, created),
        created_at=created,
        following=int(rng.uniform(80, 900)),
        statuses=int(rng.uniform(200, 9000)),
        **extra,
    )  # type: ignore[arg-type]
    cast.named[key] = persona
    return persona


def _add_characters(cast: Cast, rng: random.Random, start: datetime) -> None:
    by = {b.name: b for b in BRANDS}
    care_created = start - timedelta(days=1200)
    cast.named["care"] = Persona(
        platform="twitter",
        handle="Fleurimaud_SAV",
        name="Fleurimaud Service Client",
        native_id=account_id("twitter", rng, care_created),
        followers=2_140,
        lang="fr",
        created_at=care_created,
        role="care",
        brand=by["Fleurimaud"],
        following=12,
        statuses=11_000,
    )
    # Scenario 1: the customer, on X and on the brand's YouTube channel.
    _character(cast, rng, "claire", "twitter", "claire_mrn", "Claire Morin", 312, "fr", "customer")
    _character(
        cast, rng, "claire_yt", "youtube", "clairemorin-7k2", "Claire Morin", 0, "fr", "customer"
    )
    # The journalist whose thread turns the complaint into a story.
    _character(
        cast,
        rng,
        "lucie",
        "twitter",
        "LucieConso",
        "Lucie Farge · conso",
        248_000,
        "fr",
        "journalist",
    )
    _character(
        cast,
        rng,
        "lucie_masto",
        "mastodon",
        "luciefarge@piaille.example",
        "Lucie Farge",
        31_500,
        "fr",
        "journalist",
    )
    # Scenario 4: a quiet author with a big audience elsewhere (her blog).
    _character(
        cast,
        rng,
        "margaux",
        "mastodon",
        "margaux@mamot.example",
        "Margaux Lenoir",
        418,
        "fr",
        "blogger",
        pull=120.0,
    )
    cast.named["margaux_blog"] = Persona(
        platform="rss",
        handle="lecarnetdemargaux.example",
        native_id="",
        name="Margaux Lenoir",
        followers=0,
        lang="fr",
        created_at=start,
        role="blogger",
    )
    cast.feeds["lecarnetdemargaux.example"] = "Le Carnet de Margaux"
    _character(
        cast, rng, "dan", "twitter", "dealsdan", "Dan Whitaker | Deals", 86_000, "en", "journalist"
    )
    # Scenario 5: fans worth thanking.
    _character(
        cast,
        rng,
        "fan_miettine",
        "twitter",
        "sophie_gourmande",
        "Sophie 🍪",
        1_870,
        "fr",
        "fan",
        brand=by["Miettine"],
        pull=3.0,
    )
    _character(
        cast,
        rng,
        "fan_volterre",
        "mastodon",
        "julien_velotaf@framapiaf.example",
        "Julien 🚲",
        960,
        "fr",
        "fan",
        brand=by["Volterre"],
        pull=3.0,
    )
    _character(
        cast,
        rng,
        "fan_fleurimaud",
        "bluesky",
        "em-petals.bsky.social",
        "Emma Petals",
        2_400,
        "en",
        "fan",
        brand=by["Fleurimaud"],
        pull=2.5,
    )
    _character(
        cast,
        rng,
        "fan_roulivo",
        "twitter",
        "nico_roule",
        "Nico",
        640,
        "fr",
        "fan",
        brand=by["Roulivo"],
        pull=2.0,
    )
    # Scenario 2: the NGO that launches the copy-paste campaign.
    _character(
        cast,
        rng,
        "ngo",
        "twitter",
        "ForetsVivantes",
        "Forêts Vivantes 🌳",
        38_200,
        "fr",
        "activist",
    )
