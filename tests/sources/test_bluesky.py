"""Bluesky Jetstream events and XRPC responses become mentions and tombstones."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ecoute.model import DeletedBy
from ecoute.sources import bluesky
from ecoute.sources._parsing import Parsed

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DID = "did:plc:q235v55g5unth4zjjdpacfdr"


def _body(shared, name: str) -> bytes:
    return (shared / "fixtures" / "bluesky" / name).read_bytes()


def _jetstream(lines: list[bytes]) -> Parsed:
    total = Parsed()
    for line in lines:
        total.extend(bluesky.parse_jetstream_event(line, collected_at=NOW))
    return total


def test_only_post_creates_become_mentions_and_the_rest_is_counted(shared):
    parsed = _jetstream(_body(shared, "jetstream_events_v1.jsonl").splitlines())
    (post,) = parsed.mentions
    assert parsed.skipped == 9 and not parsed.rejected
    assert post.native_id == f"at://{DID}/app.bsky.feed.post/3mmoojp4cd223"
    assert post.text == "Try RSV for a good time !!"
    assert post.author.handle == DID and post.author.native_id == DID
    assert post.created_at == datetime(2026, 5, 25, 14, 23, 28, 757000, tzinfo=UTC)
    root = "at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26"
    assert post.thread_id == root and post.parent_id == root
    assert (post.lang, post.lang_by) == ("en", "source")
    assert post.url == f"https://bsky.app/profile/{DID}/post/3mmoojp4cd223"


def test_jetstream_delete_of_a_post_is_an_author_tombstone():
    event = {
        "did": DID, "time_us": 1779719009153272, "kind": "commit",
        "commit": {"rev": "x", "operation": "delete", "collection": "app.bsky.feed.post",
                   "rkey": "3mmoojp4cd223"},
    }  # fmt: skip
    (gone,) = _jetstream([json.dumps(event).encode()]).mentions
    assert gone.is_deleted and gone.deleted_by is DeletedBy.AUTHOR and gone.text == ""
    assert gone.native_id == f"at://{DID}/app.bsky.feed.post/3mmoojp4cd223"
    assert gone.created_at == datetime(2026, 5, 25, 14, 23, 29, 153272, tzinfo=UTC)


def test_delete_of_another_collection_is_skipped(shared):
    lines = _body(shared, "jetstream_events_v1.jsonl").splitlines()
    deletes = [line for line in lines if b'"operation":"delete"' in line]
    parsed = _jetstream(deletes)
    assert deletes and not parsed.mentions and parsed.skipped == len(deletes)


def test_garbage_line_is_reported_and_good_lines_kept(shared):
    lines = _body(shared, "jetstream_events_v1.jsonl").splitlines()
    broken = json.loads(lines[1])
    del broken["commit"]["rkey"]
    parsed = _jetstream([b"{not json", lines[1], json.dumps(broken).encode(), b"[1, 2]"])
    assert len(parsed.mentions) == 1
    assert [r.reason.split(":")[0] for r in parsed.rejected] == [
        "invalid JSON", "field 'commit.rkey' is missing", "field 'event' is a list, not an object",
    ]  # fmt: skip


def test_search_posts_keep_authors_counts_and_reply_chains(shared):
    parsed = bluesky.parse_response(
        _body(shared, "searchPosts_redistricting.json"), collected_at=NOW
    )
    assert len(parsed.mentions) == 25 and not parsed.rejected
    by_id = {m.native_id.rsplit("/", 1)[1]: m for m in parsed.mentions}
    root = by_id["3lpjy3eabqs2l"]
    assert root.author.handle == "mcpli.bsky.social"
    assert root.author.name == "Michael Li (李之樸)"
    assert (root.likes, root.thread_id) == (13, root.native_id)
    reply = by_id["3lpjzka2pzc2l"]
    assert reply.parent_id.endswith("/3lpjzgltpa22l")
    assert reply.thread_id == root.native_id
    # createdAt written with an explicit offset and microseconds by some clients.
    assert by_id["3lpii6nwbyt2m"].created_at == datetime(2025, 5, 19, 2, 3, 20, 286393, tzinfo=UTC)
    assert by_id["3lpk2u6qo222m"].lang is None  # no langs in the record


def test_post_thread_gives_the_post(shared):
    (post,) = bluesky.parse_response(_body(shared, "getPostThread.json"), collected_at=NOW).mentions
    assert post.text.startswith("Excited to be a speaker for the \n@rstatsai conf on Oct 19")
    assert post.likes == 4 and post.author.handle == "soubhikbarari.bsky.social"
    assert post.created_at == datetime(2023, 9, 19, 11, 32, 54, 574000, tzinfo=UTC)


def test_thread_walks_parents_and_replies_and_skips_blocked_posts(shared):
    thread = json.loads(_body(shared, "getPostThread.json"))["thread"]
    post = thread["post"]

    def view(rkey, **more):
        uri = post["uri"].rsplit("/", 1)[0] + "/" + rkey
        return {"post": {**post, "uri": uri}, **more}

    thread["parent"] = view("parent1", parent={"$type": "app.bsky.feed.defs#notFoundPost"})
    thread["replies"] = [view("reply1", replies=[view("reply2")]), {"blocked": True, "uri": "x"}]
    parsed = bluesky.parse_response(json.dumps({"thread": thread}), collected_at=NOW)
    assert [m.native_id.rsplit("/", 1)[1] for m in parsed.mentions] == [
        "parent1", "3k7qmjev5lr2s", "reply1", "reply2",
    ]  # fmt: skip
    assert parsed.skipped == 2
