"""The replay's state: the clock window, the cast, every post so far and how to add one.

Everything random goes through one seeded `random.Random`, and nothing here
iterates over a set or reads the wall clock, so a seed and an end time give
the same replay byte for byte.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ecoute.demo.cast import Cast, Persona, build_cast, video_id
from ecoute.demo.payloads import Post, post_id
from ecoute.demo.vocabulary import BRANDS, Brand
from ecoute.text import fold

# Local hour weights (France, UTC+1): quiet nights, a lunch peak and an evening peak.
HOURLY = (
    0.22,
    0.12,
    0.07,
    0.05,
    0.05,
    0.08,
    0.22,
    0.5,
    0.85,
    1.0,
    1.0,
    1.05,
    1.3,
    1.2,
    1.0,
    0.95,
    0.95,
    1.0,
    1.15,
    1.3,
    1.4,
    1.25,
    0.9,
    0.5,
)
WEEKLY = (1.0, 1.06, 1.08, 1.02, 0.95, 0.74, 0.8)  # Monday first
LOCAL_OFFSET = timedelta(hours=1)
_MEAN_HOURLY = sum(HOURLY) / len(HOURLY)
_MEAN_WEEKLY = sum(WEEKLY) / len(WEEKLY)
SUBREDDITS = {
    ("florists", "fr"): ("france", "AskFrance"),
    ("florists", "en"): ("florists", "gardening"),
    ("biscuits", "fr"): ("cuisine", "france"),
    ("biscuits", "en"): ("snacks", "Baking"),
    ("ebikes", "fr"): ("velo", "france"),
    ("ebikes", "en"): ("ebikes", "bikecommuting"),
}
_RECENT = timedelta(days=2)


def activity(moment: datetime) -> float:
    """How busy social networks are at `moment`, 1.0 being an average hour."""
    local = moment + LOCAL_OFFSET
    return HOURLY[local.hour] / _MEAN_HOURLY * WEEKLY[local.weekday()] / _MEAN_WEEKLY


def poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson count (Knuth below 30, a rounded normal above)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass(slots=True)
class Video:
    """A YouTube video whose comments the demo listens to."""

    id: str
    owner: Persona
    market: str
    lang: str


@dataclass(slots=True)
class World:
    """The replay being built."""

    rng: random.Random
    start: datetime
    end: datetime
    cast: Cast
    posts: list[Post] = field(default_factory=list)
    videos: list[Video] = field(default_factory=list)
    _ids: set[tuple[str, str]] = field(default_factory=set)
    _recent: dict[tuple[str, str], deque[Post]] = field(default_factory=dict)

    @classmethod
    def create(cls, rng: random.Random, start: datetime, end: datetime) -> World:
        world = cls(rng=rng, start=start, end=end, cast=build_cast(rng, start))
        for brand in BRANDS:
            channel = world.cast.brand_account(brand, "youtube")
            if channel is not None:
                for _ in range(3):
                    world.videos.append(Video(video_id(rng), channel, brand.market, "fr"))
        # Reviewers' channels: crowd members who film their tests.
        for market in ("florists", "biscuits", "ebikes"):
            for lang in ("fr", "fr", "en"):
                owner = world.cast.someone(rng, "youtube", lang)
                world.videos.append(Video(video_id(rng), owner, market, lang))
        return world

    def video(self, market: str, *, owner: Persona | None = None) -> Video:
        """A video of `market` (of `owner`'s channel when given) to comment under."""
        found = [v for v in self.videos if v.market == market and owner in (None, v.owner)]
        return self.rng.choice(found)

    def post(
        self,
        platform: str,
        author: Persona,
        text: str,
        at: datetime,
        *,
        lang: str | None,
        parent: Post | None = None,
        title: str = "",
        body: str = "",
        venue: str = "",
        venue_owner: Persona | None = None,
        quoted: Post | None = None,
        is_repost: bool = False,
        reach: float = 1.0,
        story: str = "everyday",
    ) -> Post | None:
        """Add a post written in `lang` at `at`; None when `at` falls outside the replay."""
        if not self.start <= at <= self.end:
            return None
        if platform in ("twitter", "reddit", "youtube", "rss"):
            at = at.replace(microsecond=0)  # these networks keep whole seconds
        else:
            at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        if platform == "rss":
            native, cid = f"https://{author.handle}/{at:%Y/%m/%d}/{_slug(title)}/", ""
            while (platform, native) in self._ids:
                native = native.rstrip("/") + "-2/"
        else:
            native, cid = post_id(self.rng, platform, at, author, parent)
            while (platform, native) in self._ids:
                native, cid = post_id(self.rng, platform, at, author, parent)
        self._ids.add((platform, native))
        if parent is not None and platform == "youtube":
            parent = parent.thread  # YouTube replies are flat under the top-level comment
        post = Post(
            platform=platform,
            native_id=native,
            author=author,
            text=text,
            created_at=at,
            lang=self._reported_lang(platform, lang, text),
            parent=parent,
            root=parent.thread if parent else None,
            title=title,
            body=body,
            venue=venue,
            venue_owner=venue_owner,
            quoted=quoted,
            is_repost=is_repost,
            cid=cid,
            story=story,
        )
        if not is_repost:
            # Replies travel less far than the posts they answer.
            self._engage(post, reach * (0.15 if parent is not None else 1.0))
        if parent is not None:
            parent.children.append(at)
        self.posts.append(post)
        return post

    def _reported_lang(self, platform: str, lang: str | None, text: str) -> str | None:
        # Mastodon and Bluesky clients label posts with the writer's language, not always;
        # X labels every tweet, "und" when it cannot tell (None here).
        if platform == "mastodon":
            return lang if self.rng.random() < 0.9 else None
        if platform == "bluesky":
            return lang if self.rng.random() < 0.85 else None
        if platform == "twitter":
            return lang if len(text.split()) > 2 else None
        return None

    def _engage(self, post: Post, reach: float) -> None:
        rng, a = self.rng, post.author
        audience = max(a.followers_at(post.created_at), 20)
        if post.platform == "reddit":
            likes = rng.lognormvariate(1.2, 1.4) * reach * a.pull
        elif post.platform == "youtube":
            likes = rng.lognormvariate(0.3, 1.5) * reach * a.pull
        elif post.platform == "rss":
            return
        else:
            likes = audience * rng.lognormvariate(-4.4, 1.1) * reach * a.pull
        post.likes = int(likes)
        post.reposts = int(likes * rng.uniform(0.05, 0.35))
        post.replies = int(likes * rng.uniform(0.02, 0.1))
        if post.platform == "twitter":
            post.views = int(
                audience * rng.uniform(0.05, 0.4) * reach * a.pull + likes * rng.uniform(20, 60)
            )

    # -- reply targets -----------------------------------------------------------------------
    def remember(self, post: Post, market: str) -> None:
        """Offer `post` as something people of its market may answer."""
        self._recent.setdefault((post.platform, market), deque()).append(post)

    def recent(self, platform: str, market: str, moment: datetime) -> Post | None:
        """A post of the last two days people may reply to, the most engaging ones first."""
        queue = self._recent.get((platform, market))
        if not queue:
            return None
        while queue and queue[0].created_at < moment - _RECENT:
            queue.popleft()
        if not queue:
            return None
        candidates = [queue[-1 - i] for i in range(min(len(queue), 30))]
        weights = [1 + p.likes for p in candidates]
        return self.rng.choices(candidates, weights)[0]


def brand_named(name: str) -> Brand:
    return next(b for b in BRANDS if b.name == name)


def _slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(title)).split()[:9])
