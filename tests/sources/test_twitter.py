"""X archives, API v2 responses and twarc2 lines become mentions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ecoute.model import DeletedBy
from ecoute.sources import twitter
from ecoute.sources.payloads import read_payload

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _body(shared, name: str) -> bytes:
    return (shared / "fixtures" / "twitter" / name).read_bytes()


def test_archive_tweets_read_numbers_from_strings(shared):
    parsed = twitter.parse_archive(_body(shared, "archive_tweets.js"), collected_at=NOW)
    assert len(parsed.mentions) == 60 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.native_id == "2029905358261502168"
    # t.co links are expanded to what the author linked.
    assert first.text == "@SamaHoole https://x.com/milahu104/status/2027739112069878026"
    assert first.created_at == datetime(2026, 3, 6, 13, 2, 5, tzinfo=UTC)
    assert (first.likes, first.reposts) == (0, 0)
    assert first.parent_id == "2029903943413772741" and first.thread_id is None
    assert first.lang is None  # "qme": media only, no language
    assert first.url == "https://x.com/i/web/status/2029905358261502168"
    assert parsed.mentions[2].lang == "en"


def test_archive_author_comes_from_account_js_beside_it(shared, tmp_path):
    (tmp_path / "tweets.js").write_bytes(_body(shared, "archive_tweets.js"))
    account = [{"account": {"username": "milahu104", "accountId": "1964312974236991488",
                            "accountDisplayName": "milahu"}}]  # fmt: skip
    (tmp_path / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(account))
    mentions = [m for page in read_payload(tmp_path / "tweets.js") for m in page.mentions]
    assert {m.author.handle for m in mentions} == {"milahu104"}
    assert mentions[0].author.native_id == "1964312974236991488"
    assert mentions[0].url == "https://x.com/milahu104/status/2029905358261502168"


def test_archive_deleted_tweets_are_author_tombstones():
    body = (
        b'window.YTD.deleted_tweets.part0 = [{"tweet": {"id_str": "42", "full_text": "oops",'
        b' "created_at": "Fri Mar 06 13:02:05 +0000 2026", "deleted_at": "x"}}]'
    )
    (gone,) = twitter.parse_archive(body, collected_at=NOW).mentions
    assert gone.is_deleted and gone.deleted_by is DeletedBy.AUTHOR and gone.text == ""


def test_v2_search_joins_users_from_includes(shared):
    parsed = twitter.parse_response(_body(shared, "v2_search_recent_query.json"), collected_at=NOW)
    assert len(parsed.mentions) == 4
    first = parsed.mentions[0]
    assert first.native_id == "1276035977375477760"
    assert (first.author.handle, first.author.name) == ("happycamper", "Emily Waligoske 🏕")
    assert first.author.native_id == "63046977"
    assert first.parent_id == "1275653067283759104"
    assert first.text.endswith(
        "looking for https://twitter.com/happycamper/status/1276035977375477760/photo/1"
    )
    assert first.url == "https://x.com/happycamper/status/1276035977375477760"
    assert parsed.mentions[2].lang is None  # "und"


def test_v2_without_expansions_keeps_tweets_with_unknown_author(shared):
    parsed = twitter.parse_response(_body(shared, "v2_users_mentions.json"), collected_at=NOW)
    assert len(parsed.mentions) == 5
    third = parsed.mentions[2]
    assert third.author.handle == "" and third.replies == 1
    assert third.url == "https://x.com/i/web/status/1364377404156772352"


def test_twarc2_retweet_is_spelled_out_from_includes(shared):
    (line,) = _body(shared, "twarc2_tweets_lookup_mentions.jsonl").splitlines()
    (rt,) = twitter.parse_response(line, collected_at=NOW).mentions
    assert rt.author.handle == "BaldManGamer" and rt.author.followers == 569
    assert rt.text.startswith("RT @S3NT1N3L17: Looking for gaming mutuals")
    assert not rt.text.endswith("…") and len(rt.text) > 140
    assert (
        "#Xbox #PlayStation #gaming https://twitter.com/i/web/status/1589671906718134272" in rt.text
    )
    assert rt.thread_id == "1589681856941002753" and rt.reposts == 1


def test_twarc2_search_page(shared):
    (line,) = _body(shared, "twarc2_search_all.jsonl").splitlines()
    (tweet,) = twitter.parse_response(line, collected_at=NOW).mentions
    assert tweet.author.handle == "LachiVeronica" and tweet.author.followers == 0
    assert tweet.created_at == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)


def test_escaped_text_is_unescaped_once():
    body = json.dumps(
        {
            "data": [
                {
                    "id": "1",
                    "text": "A &amp; B &lt;3 &amp;amp;",
                    "created_at": "2024-01-01T00:00:00Z",
                    "author_id": "9",
                }
            ]
        }
    )
    (tweet,) = twitter.parse_response(body, collected_at=NOW).mentions
    assert tweet.text == "A & B <3 &amp;" and tweet.author.handle == "9"
