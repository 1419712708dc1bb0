"""YouTube Data API responses become mentions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ecoute.sources import youtube
from ecoute.sources._parsing import PayloadError

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _body(shared, name: str) -> bytes:
    return (shared / "fixtures" / "youtube" / name).read_bytes()


def test_comment_threads_hang_under_their_video(shared):
    body = _body(shared, "commentThreads_list_by_video_p1.json")
    parsed = youtube.parse_response(body, collected_at=NOW)
    assert len(parsed.mentions) == 5 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.text == "Google.com"
    assert first.author.name == "himani agarwal"
    assert first.author.handle == first.author.native_id == "UCzj-CjKYmGlZ7vTL-vOe57A"
    assert (first.thread_id, first.parent_id) == ("F1UP7wRCPH8", "F1UP7wRCPH8")
    assert first.created_at == datetime(2019, 11, 26, 15, 51, 44, tzinfo=UTC)
    assert first.url == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg"
    assert parsed.mentions[4].replies == 2


def test_replies_point_to_their_top_level_comment(shared):
    parsed = youtube.parse_response(
        _body(shared, "comments_list_by_parent_p1.json"), collected_at=NOW
    )
    assert [m.text for m in parsed.mentions] == [
        "this is the third reply!",
        "this is the second reply!",
    ]
    assert {m.parent_id for m in parsed.mentions} == {"Ugw5zYU6n9pmIgAZWvN4AaABAg"}


def test_display_html_is_read_as_text_when_no_original_is_given(shared):
    doc = json.loads(_body(shared, "comments_list_by_parent_p1.json"))
    snippet = doc["items"][0]["snippet"]
    del snippet["textOriginal"]
    snippet["textDisplay"] = (
        'Trop <b>bien</b><br>vu sur <a href="https://x.fr">x.fr</a><script>bad()</script>'
    )
    snippet["authorDisplayName"] = "@kunliu"
    (first, _) = youtube.parse_response(json.dumps(doc), collected_at=NOW).mentions
    assert first.text == "Trop bien\nvu sur x.fr"
    assert first.author.handle == "kunliu"


def test_search_gives_videos_and_skips_channels(shared):
    doc = json.loads(_body(shared, "search_list_by_keywords_p1.json"))
    doc["items"].append({"kind": "youtube#searchResult", "id": {"kind": "youtube#channel",
                         "channelId": "UC1"}, "snippet": {}})  # fmt: skip
    parsed = youtube.parse_response(json.dumps(doc), collected_at=NOW)
    assert len(parsed.mentions) == 25 and parsed.skipped == 1
    second = parsed.mentions[1]
    assert second.native_id == "i2hewkFijuY" and second.thread_id == "i2hewkFijuY"
    assert second.text.startswith("SURFING PERFECT PIPE & BACKDOOR || SUNRISE SHACK!\n\n")
    assert second.author.name == "Koa Rothman"


def test_unknown_response_kind_is_a_clear_error():
    with pytest.raises(PayloadError, match="youtube#commentThreadListResponse"):
        youtube.parse_response(
            b'{"kind": "youtube#playlistListResponse", "items": []}', collected_at=NOW
        )
