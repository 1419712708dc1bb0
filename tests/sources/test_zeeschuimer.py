"""Zeeschuimer browser captures become mentions for the sites whose items we know."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ecoute.sources import zeeschuimer

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
COLLECTED_MS = 1_764_072_000_000  # 2025-11-25T12:00:00Z


def _capture(site: str, data: dict) -> bytes:
    return json.dumps(
        {
            "nav_index": "1:1:0",
            "item_id": "x",
            "timestamp_collected": COLLECTED_MS,
            "source_platform": site,
            "source_platform_url": f"https://{site}/",
            "source_url": "x",
            "user_agent": "Mozilla/5.0",
            "data": data,
        }
    ).encode()


def test_x_graphql_tweet_with_views_and_note_text():
    tweet = {
        "__typename": "TweetWithVisibilityResults",
        "tweet": {
            "rest_id": "1700",
            "views": {"count": "1534", "state": "EnabledWithCount"},
            "core": {
                "user_results": {
                    "result": {
                        "rest_id": "99",
                        "core": {"screen_name": "orange", "name": "Orange"},
                        "legacy": {"followers_count": 120000},
                    }
                }
            },
            "note_tweet": {"note_tweet_results": {"result": {"text": "Texte long &amp; complet"}}},
            "legacy": {
                "full_text": "Texte coupé…",
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "favorite_count": 5,
                "retweet_count": 2,
                "reply_count": 1,
                "lang": "fr",
                "conversation_id_str": "1690",
                "in_reply_to_status_id_str": "1699",
            },
        },
    }
    (m,) = zeeschuimer.parse_capture(_capture("x.com", tweet), collected_at=NOW).mentions
    assert (m.platform, m.native_id, m.text) == ("twitter", "1700", "Texte long & complet")
    assert (m.author.handle, m.author.followers) == ("orange", 120000)
    assert (m.likes, m.reposts, m.replies, m.views) == (5, 2, 1, 1534)
    assert (m.thread_id, m.parent_id, m.lang) == ("1690", "1699", "fr")
    assert m.created_at == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
    assert m.collected_at == datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    assert m.url == "https://x.com/orange/status/1700"


def test_tiktok_and_instagram_items():
    tiktok = {
        "id": "73",
        "desc": "Colis jamais arrivé #sav",
        "createTime": 1700000000,
        "author": {"uniqueId": "marie", "id": "5", "nickname": "Marie"},
        "authorStats": {"followerCount": 50000},
        "stats": {"diggCount": 10, "shareCount": 3, "commentCount": 4, "playCount": 900},
    }
    (t,) = zeeschuimer.parse_capture(_capture("tiktok.com", tiktok), collected_at=NOW).mentions
    assert (t.platform, t.author.handle, t.author.followers, t.views) == (
        "tiktok",
        "marie",
        50000,
        900,
    )
    assert t.url == "https://www.tiktok.com/@marie/video/73"
    media = {
        "id": "31_5",
        "code": "C0de",
        "taken_at": 1700000000,
        "caption": {"text": "Merci !"},
        "user": {"username": "fleuriste", "pk": "5"},
        "like_count": 7,
        "comment_count": 2,
    }
    (i,) = zeeschuimer.parse_capture(
        _capture("www.instagram.com", media), collected_at=NOW
    ).mentions
    assert (i.platform, i.text, i.author.handle, i.likes) == (
        "instagram",
        "Merci !",
        "fleuriste",
        7,
    )
    assert i.created_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_unsupported_site_is_reported_not_fatal():
    parsed = zeeschuimer.parse_capture(_capture("linkedin.com", {"id": "1"}), collected_at=NOW)
    assert not parsed.mentions
    assert "linkedin.com" in parsed.rejected[0].reason and "tiktok.com" in parsed.rejected[0].reason
