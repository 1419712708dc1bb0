"""How far a mention may travel and how much its author weighs.

The formulas, documented in docs/enrichment.md, use only what networks report:

- reach: the network's own view count when it gives one; otherwise an estimate,
  ``0.15 × followers + 15 × reposts``, read as: an organic post is seen by about
  15 % of its author's followers, and each repost shows it to about 15 more people
  (the median reposter's audience is about 100, seen at the same 15 %).
- influence, 0 to 100: ``70 × min(1, log10(1 + followers) / 6)`` (a million followers
  is the top of the audience scale) ``+ 30 × min(1, log10(1 + engagement) / 4)`` with
  engagement = likes + 2 × reposts + replies (ten thousand is the top), so a small
  account whose post catches fire still scores.
- VIP: 10,000 followers or more, or an influence of 60 or more.
"""

from __future__ import annotations

import math
from typing import ClassVar

from ecoute.model import Mention

SEEN_SHARE = 0.15
PER_REPOST = 15
AUDIENCE_TOP = 6.0  # log10 of one million followers
ENGAGEMENT_TOP = 4.0  # log10 of ten thousand interactions
AUDIENCE_WEIGHT = 70.0
ENGAGEMENT_WEIGHT = 30.0
VIP_FOLLOWERS = 10_000
VIP_INFLUENCE = 60.0


def estimate_reach(followers: int, reposts: int, views: int | None) -> int:
    """Return the people a post probably reached: its view count, else the estimate."""
    if views is not None:
        return views
    return round(SEEN_SHARE * followers + PER_REPOST * reposts)


def score_influence(followers: int, likes: int, reposts: int, replies: int) -> float:
    """Return the 0..100 influence of one mention from its author's audience and its engagement."""
    engagement = likes + 2 * reposts + replies
    audience = min(1.0, math.log10(1 + followers) / AUDIENCE_TOP)
    echo = min(1.0, math.log10(1 + engagement) / ENGAGEMENT_TOP)
    return round(AUDIENCE_WEIGHT * audience + ENGAGEMENT_WEIGHT * echo, 2)


class InfluenceStage:
    """Fill reach, influence and the VIP flag from followers and engagement."""

    name: ClassVar[str] = "influence"
    version: ClassVar[str] = "log-1"

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        for m in mentions:
            followers = m.author.followers or 0
            reposts = m.reposts or 0
            m.reach = estimate_reach(followers, reposts, m.views)
            m.influence = score_influence(followers, m.likes or 0, reposts, m.replies or 0)
            m.is_vip = followers >= VIP_FOLLOWERS or m.influence >= VIP_INFLUENCE
            m.influence_by = self.version
        return mentions
