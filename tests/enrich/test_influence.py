"""Reach, influence and VIP from followers and engagement."""

from __future__ import annotations

from ecoute.enrich.influence import InfluenceStage, estimate_reach, score_influence
from ecoute.model import Author
from tests.factories import mention


def test_views_are_the_reach_when_known():
    assert estimate_reach(1000, 10, views=5000) == 5000
    assert estimate_reach(1000, 10, views=None) == 300


def test_influence_grows_with_audience_and_engagement_and_is_bounded():
    small = score_influence(100, 0, 0, 0)
    big = score_influence(1_000_000, 0, 0, 0)
    viral = score_influence(100, 5000, 3000, 800)
    assert small < viral < big + 30
    assert score_influence(10**9, 10**9, 10**9, 10**9) == 100


def test_vip_flag():
    star = mention("1", author=Author(platform="mastodon", handle="star", followers=250_000))
    nobody = mention("2", author=Author(platform="mastodon", handle="x", followers=12), likes=3)
    InfluenceStage().apply([star, nobody])
    assert star.is_vip and not nobody.is_vip
    assert nobody.reach == 2 and star.influence_by == InfluenceStage.version
