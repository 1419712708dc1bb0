"""Recorded payloads are told apart by content and read into pages of mentions."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from ecoute.sources import payloads
from ecoute.sources.files import FileFormatError
from ecoute.sources.payloads import PAYLOAD_KINDS, is_own_format, read_payload

# Mentions each fixture must give, by folder and file; the folder names the platform.
EXPECTED = {
    "bluesky/getPostThread.json": 1,
    "bluesky/jetstream_events_v1.jsonl": 1,
    "bluesky/searchPosts_redistricting.json": 25,
    "facebook/page_feed_p1.json": 5,
    "facebook/post_comments_p1.json": 10,
    "instagram/hashtag_top_media_p1.json": 25,
    "instagram/media_comments_p1.json": 2,
    "mastodon/notifications.json": 1,
    "mastodon/timelines_public.json": 8,
    "mastodon/timelines_tag_hoot.json": 1,
    "mastodon/timelines_tag_page1.json": 10,
    "reddit/search_r_all.json": 6,
    "reddit/submission_comments_2gmzqe.json": 3,
    "reddit/subreddit_comments_askreddit.json": 100,
    "rss/atom_reddit_homelab_new.xml": 25,
    "rss/rss2_cloudflare_blog.xml": 1,
    "rss/rss2_pocketsoap_ns_modules.xml": 1,
    "twitter/archive_tweets.js": 60,
    "twitter/twarc2_search_all.jsonl": 1,
    "twitter/twarc2_tweets_lookup_mentions.jsonl": 1,
    "twitter/v2_search_recent_query.json": 4,
    "twitter/v2_users_mentions.json": 5,
    "youtube/commentThreads_list_by_video_p1.json": 5,
    "youtube/comments_list_by_parent_p1.json": 2,
    "youtube/search_list_by_keywords_p1.json": 25,
}


def _mentions(path: Path, platform: str | None = None):
    pages = list(read_payload(path, platform))
    assert pages[-1].exhausted
    return [m for p in pages for m in p.mentions], [r for p in pages for r in p.rejected], pages


def test_every_fixture_is_detected_and_read_whole(shared):
    found = sorted(
        str(p.relative_to(shared / "fixtures"))
        for p in (shared / "fixtures").glob("*/*")
        if p.suffix != ".md"
    )
    assert found == sorted(EXPECTED)  # a new fixture needs an expectation here
    for name, expected in EXPECTED.items():
        mentions, rejected, _ = _mentions(shared / "fixtures" / name)
        assert (len(mentions), rejected) == (expected, []), name
        assert {m.platform for m in mentions} == {name.split("/")[0]}, name
        assert all(m.created_at.utcoffset() is not None for m in mentions), name
        assert all(m.raw is not None and m.native_id for m in mentions), name


def test_platform_given_is_obeyed_and_a_mismatch_is_explained(shared):
    path = shared / "fixtures" / "reddit" / "search_r_all.json"
    assert len(_mentions(path, "reddit")[0]) == 6
    with pytest.raises(FileFormatError, match="twitter"):
        list(read_payload(shared / "fixtures" / "rss" / "rss2_cloudflare_blog.xml", "twitter"))
    with pytest.raises(FileFormatError, match=r"unknown kind 'myspace'.*mastodon"):
        list(read_payload(path, "myspace"))


def test_jetstream_counts_skipped_non_posts_in_the_cursor(shared):
    _, _, pages = _mentions(shared / "fixtures" / "bluesky" / "jetstream_events_v1.jsonl")
    assert pages[-1].cursor == {"read": 10, "skipped": 9}


def test_bad_lines_are_reported_with_their_number_and_good_ones_kept(shared, tmp_path):
    lines = (
        (shared / "fixtures" / "bluesky" / "jetstream_events_v1.jsonl").read_bytes().splitlines()
    )
    path = tmp_path / "events"  # no extension: detected from the content
    path.write_bytes(
        b"\n".join([lines[1], b'{"did": "x", "kind": "commit", "commit": {', b"", lines[1]])
    )
    mentions, rejected, _ = _mentions(path)
    assert len(mentions) == 2
    assert [r.where for r in rejected] == ["line 2"] and "invalid JSON" in rejected[0].reason


def test_long_lines_are_refused_without_reading_them_whole(shared, tmp_path, monkeypatch):
    monkeypatch.setattr(payloads, "MAX_LINE_BYTES", 2000)
    lines = (
        (shared / "fixtures" / "bluesky" / "jetstream_events_v1.jsonl").read_bytes().splitlines()
    )
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join([lines[1], b'{"pad": "' + b"x" * 5000 + b'"}', lines[1]]) + b"\n")
    mentions, rejected, _ = _mentions(path)
    assert len(mentions) == 2 and "longer than" in rejected[0].reason


def test_truncated_document_is_a_clear_error(shared, tmp_path):
    body = (shared / "fixtures" / "reddit" / "search_r_all.json").read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(body[: len(body) // 2])
    with pytest.raises(FileFormatError, match=r"cut\.json is not valid JSON.*truncated"):
        list(read_payload(path))


def test_garbage_empty_and_unknown_files_are_clear_errors(tmp_path):
    garbage = tmp_path / "x.bin"
    garbage.write_bytes(b"\x00\x01PK\x03garbage")
    with pytest.raises(FileFormatError, match=r"neither JSON.*supported kinds: ecoute"):
        list(read_payload(garbage))
    empty = tmp_path / "e.json"
    empty.write_bytes(b"  \n")
    with pytest.raises(FileFormatError, match="empty"):
        list(read_payload(empty))
    unknown = tmp_path / "u.json"
    unknown.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(FileFormatError, match=r"unknown kind.*youtube"):
        list(read_payload(unknown))


def test_document_over_the_cap_is_refused(shared, tmp_path, monkeypatch):
    monkeypatch.setattr(payloads, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(FileFormatError, match=r"over 0 MiB|split it"):
        list(read_payload(shared / "fixtures" / "reddit" / "search_r_all.json"))


def test_gzip_is_read_through(shared, tmp_path):
    path = tmp_path / "timeline.json.gz"
    path.write_bytes(
        gzip.compress((shared / "fixtures" / "mastodon" / "timelines_public.json").read_bytes())
    )
    assert len(_mentions(path)[0]) == 8


def test_large_json_lines_come_in_pages(shared, tmp_path, monkeypatch):
    monkeypatch.setattr(payloads, "PAGE_SIZE", 3)
    line = (
        (shared / "fixtures" / "bluesky" / "jetstream_events_v1.jsonl").read_bytes().splitlines()[1]
    )
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"\n".join([line] * 7))
    pages = list(read_payload(path))
    assert [len(p.mentions) for p in pages] == [3, 3, 1]
    assert [p.exhausted for p in pages] == [False, False, True]


def test_our_own_format_is_recognised_and_read(tmp_path, shared):
    own = tmp_path / "posts.jsonl"
    own.write_text(
        json.dumps(
            {
                "platform": "forum",
                "id": "1",
                "text": "Bonjour",
                "created_at": "2026-01-01T10:00:00Z",
                "author": "marie",
            }
        )
        + "\n"
    )
    csv = tmp_path / "posts.csv"
    csv.write_text("platform,id,text,created_at,author\nforum,2,Salut,2026-01-01T10:00:00Z,paul\n")
    assert is_own_format(own) and is_own_format(csv)
    assert not is_own_format(shared / "fixtures" / "bluesky" / "jetstream_events_v1.jsonl")
    assert [m.text for m in _mentions(own)[0]] == ["Bonjour"]
    assert [m.text for m in _mentions(csv)[0]] == ["Salut"]


def test_single_line_jsonl_is_read_like_many(shared, tmp_path):
    source = shared / "fixtures" / "twitter" / "twarc2_search_all.jsonl"
    path = tmp_path / "one.json"
    shutil.copyfile(source, path)
    assert len(_mentions(path)[0]) == 1


def test_kinds_are_described_for_help():
    assert {
        "mastodon",
        "bluesky",
        "reddit",
        "rss",
        "twitter",
        "facebook",
        "instagram",
        "youtube",
        "zeeschuimer",
        "ecoute",
    } <= PAYLOAD_KINDS.keys()
    assert all(isinstance(v, str) and v for v in PAYLOAD_KINDS.values())


def test_fixtures_store_and_a_jetstream_delete_hides_the_post(shared, store, tmp_path):
    from ecoute.store.base import Filter

    for name in EXPECTED:
        for page in read_payload(shared / "fixtures" / name):
            store.upsert(page.mentions)
    assert len(store.search(Filter(platform="reddit"), limit=500)) == 109
    bluesky = store.search(Filter(platform="bluesky"), limit=500)
    post = next(m for m in bluesky if m.text == "Try RSV for a good time !!")
    did, _, rkey = post.native_id.removeprefix("at://").split("/")
    delete = {
        "did": did,
        "time_us": 1779719019000000,
        "kind": "commit",
        "commit": {
            "rev": "y",
            "operation": "delete",
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
        },
    }
    path = tmp_path / "delete.jsonl"
    path.write_text(json.dumps(delete) + "\n")
    for page in read_payload(path):
        store.upsert(page.mentions)
    after = store.search(Filter(platform="bluesky"), limit=500)
    assert len(after) == len(bluesky) - 1 and post.native_id not in {m.native_id for m in after}
