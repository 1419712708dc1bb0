"""Facebook and Instagram Graph API payloads become mentions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ecoute.sources import facebook, instagram

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
POST = "19292868552_10158407654328553"


def _body(shared, network: str, name: str) -> bytes:
    return (shared / "fixtures" / network / name).read_bytes()


def test_page_feed_posts_carry_reactions_shares_and_comment_counts(shared):
    parsed = facebook.parse_response(
        _body(shared, "facebook", "page_feed_p1.json"), collected_at=NOW
    )
    assert len(parsed.mentions) == 5 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.native_id == "19292868552_10158349356748553"
    assert first.text.startswith("Singaporean logistics company Ninja Van Singapore")
    assert first.created_at == datetime(2021, 7, 9, 19, 9, 52, tzinfo=UTC)
    assert (first.likes, first.reposts, first.replies) == (125, 10, 13)
    assert first.author.handle == "19292868552"  # the Page, read from the post id
    assert first.url == "https://www.facebook.com/19292868552/posts/10158349356748553/"


def test_comments_without_ids_are_named_from_their_permalinks(shared):
    body = _body(shared, "facebook", "post_comments_p1.json")
    parsed = facebook.parse_response(body, collected_at=NOW)
    assert len(parsed.mentions) == 10 and not parsed.rejected
    top = parsed.mentions[1]
    assert top.native_id == "10158407654328553_10158407903973553"
    assert (top.thread_id, top.parent_id, top.replies) == (POST, POST, 2)
    assert top.author.handle == ""  # the Graph API hides commenters from other apps
    reply = parsed.mentions[6]
    assert reply.text == "Facebook for Developers they don’t respond 😞"
    assert reply.native_id == "10158407654328553_10158409984053553"
    assert reply.parent_id == top.native_id and reply.thread_id == POST


def test_comment_with_id_author_and_parent_fields_uses_them(shared):
    comment = {
        "id": "1_2",
        "message": "Pas livré !",
        "created_time": "2026-01-03T10:00:00+0000",
        "from": {"id": "77", "name": "Marie"},
        "parent": {"id": "1_1"},
        "like_count": 3,
    }
    parsed = facebook.parse_comments(
        json.dumps({"data": [comment]}), collected_at=NOW, post_id="9_1"
    )
    (mention,) = parsed.mentions
    assert (mention.author.handle, mention.author.name) == ("77", "Marie")
    assert (mention.thread_id, mention.parent_id, mention.likes) == ("9_1", "1_1", 3)


def test_hashtag_media_without_timestamp_is_dated_by_its_shortcode(shared):
    body = _body(shared, "instagram", "hashtag_top_media_p1.json")
    parsed = instagram.parse_response(body, collected_at=NOW)
    assert len(parsed.mentions) == 25 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.native_id == "18088158883149835"
    assert first.created_at == datetime(2020, 2, 13, 14, 7, 32, 784000, tzinfo=UTC)
    assert (first.likes, first.replies) == (997, 10)
    assert first.url == "https://www.instagram.com/p/B8goRvrnwod/"
    assert first.text.startswith("• Our Love ❤️ is the best Love")


def test_media_comments_name_their_media_from_the_paging_link(shared):
    body = _body(shared, "instagram", "media_comments_p1.json")
    parsed = instagram.parse_response(body, collected_at=NOW)
    assert [m.text for m in parsed.mentions] == ["Beautiful!", "Beautiful!"]
    assert parsed.mentions[0].thread_id == "17846368219941692"
    assert parsed.mentions[0].created_at == datetime(2020, 6, 1, 10, 56, 52, tzinfo=UTC)


def test_media_with_no_time_at_all_is_refused_and_others_kept(shared):
    doc = json.loads(_body(shared, "instagram", "hashtag_top_media_p1.json"))
    del doc["data"][0]["permalink"]
    parsed = instagram.parse_media(json.dumps(doc), collected_at=NOW)
    assert len(parsed.mentions) == 24
    assert "timestamp" in parsed.rejected[0].reason


def test_business_discovery_media_have_the_account_as_author():
    body = {
        "business_discovery": {
            "username": "fleuriste",
            "id": "5",
            "followers_count": 812,
            "media": {
                "data": [
                    {
                        "id": "m1",
                        "caption": "Bouquet du jour",
                        "timestamp": "2026-02-01T09:00:00+0000",
                        "like_count": 4,
                    }
                ]
            },
        }
    }
    (mention,) = instagram.parse_response(json.dumps(body), collected_at=NOW).mentions
    assert mention.author.handle == "fleuriste" and mention.author.followers == 812
