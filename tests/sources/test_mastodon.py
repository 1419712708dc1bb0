"""Mastodon statuses, notifications and streaming events become mentions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import msgspec

from ecoute.model import DeletedBy
from ecoute.sources import mastodon

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _body(shared, name: str) -> bytes:
    return (shared / "fixtures" / "mastodon" / name).read_bytes()


def test_public_timeline_gives_each_status_with_its_author_and_counts(shared):
    parsed = mastodon.parse_statuses(_body(shared, "timelines_public.json"), collected_at=NOW)
    assert len(parsed.mentions) == 8 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.native_id == "117020593378945190"
    assert first.text == "Toot, finally!"
    assert first.created_at == datetime(2026, 8, 1, 13, 55, 50, 338000, tzinfo=UTC)
    assert first.author.handle == "mastodonpy_test_2@localhost:3000"
    assert first.author.native_id == "117020566092212359"
    assert first.author.followers == 0
    assert first.url == "http://localhost:3000/@mastodonpy_test_2/117020593378945190"
    assert (first.likes, first.reposts, first.replies) == (0, 0, 0)
    assert (first.lang, first.lang_by) == ("ja", "source")
    assert first.thread_id == first.native_id and first.parent_id is None
    assert parsed.mentions[1].text == "you can't say that on television"


def test_raw_is_the_status_bytes_as_recorded(shared):
    body = _body(shared, "timelines_public.json")
    parsed = mastodon.parse_statuses(body, collected_at=NOW)
    raws = [msgspec.json.decode(bytes(m.raw)) for m in parsed.mentions]
    assert raws == json.loads(body)
    assert bytes(parsed.mentions[0].raw) in body


def test_mention_notification_carries_the_status(shared):
    parsed = mastodon.parse_notifications(_body(shared, "notifications.json"), collected_at=NOW)
    (mention,) = parsed.mentions
    assert mention.text == "@mastodonpy_test hello!"
    assert mention.author.handle == "admin@localhost:3000"
    assert mention.author.followers == 1


def test_favourite_and_follow_notifications_are_skipped_and_counted(shared):
    status = json.loads(_body(shared, "notifications.json"))[0]["status"]
    body = json.dumps([
        {"id": "1", "type": "favourite", "account": status["account"], "status": status},
        {"id": "2", "type": "follow", "account": status["account"]},
        {"id": "3", "type": "mention", "account": status["account"], "status": status},
    ])  # fmt: skip
    parsed = mastodon.parse_notifications(body, collected_at=NOW)
    assert len(parsed.mentions) == 1 and parsed.skipped == 2


def test_boost_is_heard_as_the_boosted_status(shared):
    original = json.loads(_body(shared, "timelines_public.json"))[2]
    boost = {**original, "id": "999", "content": "", "reblog": original}
    parsed = mastodon.parse_statuses(json.dumps([boost]), collected_at=NOW)
    assert parsed.mentions[0].native_id == original["id"]
    assert parsed.mentions[0].text == "it's cool guy too"


def test_reply_keeps_its_parent_and_conversation_gives_last_status(shared):
    status = json.loads(_body(shared, "timelines_public.json"))[0]
    reply = {**status, "id": "5", "in_reply_to_id": "117020593378945190"}
    body = json.dumps([{"id": "c1", "accounts": [], "last_status": reply, "unread": True}])
    (mention,) = mastodon.parse_conversations(body, collected_at=NOW).mentions
    assert mention.parent_id == "117020593378945190" and mention.thread_id is None


def test_hostile_html_in_content_is_inert_text(shared):
    status = json.loads(_body(shared, "timelines_public.json"))[0]
    status["content"] = (
        '<p>Nul <script>alert("x")</script><img src=x onerror="alert(1)">'
        "&lt;b&gt;pas gras&lt;/b&gt;<br>ligne 2</p><p>"
        '<a href="javascript:alert(2)">mon lien</a></p>'
    )
    status["spoiler_text"] = "Avis client"
    (mention,) = mastodon.parse_statuses(json.dumps([status]), collected_at=NOW).mentions
    assert mention.text == "Avis client\n\nNul <b>pas gras</b>\nligne 2\n\nmon lien"
    assert "alert" not in mention.text and "javascript" not in mention.text


def test_stream_delete_event_is_an_author_tombstone():
    parsed = mastodon.parse_stream_message(
        b'{"stream": ["public"], "event": "delete", "payload": "117020593378945190"}',
        collected_at=NOW,
    )
    (gone,) = parsed.mentions
    assert gone.is_deleted and gone.deleted_by is DeletedBy.AUTHOR
    assert gone.native_id == "117020593378945190" and gone.text == "" and gone.raw is None


def test_stream_update_event_carries_a_status_as_a_json_string(shared):
    status = json.loads(_body(shared, "timelines_public.json"))[1]
    message = {"stream": ["hashtag", "x"], "event": "update", "payload": json.dumps(status)}
    parsed = mastodon.parse_stream_message(json.dumps(message), collected_at=NOW)
    assert parsed.mentions[0].native_id == status["id"]
    notification = {"stream": ["user"], "event": "notification", "payload": "{}"}
    assert mastodon.parse_stream_message(json.dumps(notification), collected_at=NOW).skipped == 1


def test_bad_status_is_reported_and_good_ones_kept(shared):
    good = json.loads(_body(shared, "timelines_public.json"))[0]
    no_account = {**good, "id": "2", "account": None}
    bad_time = {**good, "id": "3", "created_at": "yesterday"}
    body = json.dumps([good, no_account, "not a status", bad_time])
    parsed = mastodon.parse_statuses(body, collected_at=NOW)
    assert [m.native_id for m in parsed.mentions] == [good["id"]]
    reasons = {r.where: r.reason for r in parsed.rejected}
    assert "account" in reasons["status 2"]
    assert "status" in reasons["status 3"]
    assert "created_at" in reasons["status 4"]
