"""Reddit listings become mentions; deleted and removed things become tombstones."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ecoute.model import DeletedBy
from ecoute.sources import reddit

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _doc(shared, name: str):
    return json.loads((shared / "fixtures" / "reddit" / name).read_bytes())


def test_submission_and_its_nested_comments_link_up(shared):
    body = (shared / "fixtures" / "reddit" / "submission_comments_2gmzqe.json").read_bytes()
    parsed = reddit.parse_listing(body, collected_at=NOW)
    post, question, answer = parsed.mentions
    assert post.native_id == "t3_2gmzqe" and post.author.handle == "bboe"
    assert post.text.startswith(
        "[PRAW] HTTPS enabled PRAW testing needed\n\nPRAW client developers,"
    )
    assert (post.likes, post.replies, post.thread_id) == (11, 2, "t3_2gmzqe")
    assert post.created_at == datetime(2014, 9, 17, 6, 34, 31, tzinfo=UTC)
    assert post.url == (
        "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/"
    )
    assert (question.native_id, question.parent_id) == ("t1_cklfmye", "t3_2gmzqe")
    assert (answer.native_id, answer.parent_id, answer.thread_id) == (
        "t1_cklhv0f", "t1_cklfmye", "t3_2gmzqe",
    )  # fmt: skip
    assert answer.created_at == datetime(2014, 9, 18, 3, 13, 54, tzinfo=UTC)
    assert "replies" not in json.loads(bytes(question.raw))


def test_subreddit_comments_all_point_to_their_submission(shared):
    body = (shared / "fixtures" / "reddit" / "subreddit_comments_askreddit.json").read_bytes()
    parsed = reddit.parse_listing(body, collected_at=NOW)
    assert len(parsed.mentions) == 100 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.author.handle == "preppypuppy" and first.thread_id == "t3_4r4inc"
    assert first.url == "https://www.reddit.com/r/AskReddit/comments/4r4inc/_/d4y8bdp/"
    assert all(m.thread_id.startswith("t3_") for m in parsed.mentions)


def test_search_gives_submissions_with_title_and_body(shared):
    body = (shared / "fixtures" / "reddit" / "search_r_all.json").read_bytes()
    parsed = reddit.parse_listing(body, collected_at=NOW)
    assert [m.native_id for m in parsed.mentions][:2] == ["t3_3gpbiu", "t3_3x4kt2"]
    assert parsed.mentions[-1].text.startswith(
        "たびたび話題になるサイドバーの閲覧中ユーザ数について"
    )


def test_deleted_removed_and_orphaned_things_are_told_apart(shared):
    listing = _doc(shared, "subreddit_comments_askreddit.json")
    children = listing["data"]["children"][:4]
    children[0]["data"].update(body="[deleted]", author="[deleted]")
    children[1]["data"].update(body="[removed]")
    children[2]["data"].update(author="[deleted]")  # account gone, comment stands
    children[3]["data"]["body"] = "Fish &amp; chips &lt;3"
    listing["data"]["children"] = [*children, {"kind": "more", "data": {"count": 3}}]
    parsed = reddit.parse_listing(json.dumps(listing), collected_at=NOW)
    by_author, by_mod, orphan, escaped = parsed.mentions
    assert by_author.is_deleted and by_author.deleted_by is DeletedBy.AUTHOR
    assert by_author.text == "" and by_author.raw is None
    assert by_mod.is_deleted and by_mod.deleted_by is DeletedBy.MODERATOR
    assert not orphan.is_deleted and orphan.author.handle == "[deleted]" and orphan.text
    assert escaped.text == "Fish & chips <3"
    assert parsed.skipped == 1


def test_removed_by_category_names_who_removed_a_submission(shared):
    listing = _doc(shared, "search_r_all.json")
    a, b = listing["data"]["children"][:2]
    a["data"]["removed_by_category"] = "deleted"
    b["data"]["removed_by_category"] = "moderator"
    listing["data"]["children"] = [a, b]
    first, second = reddit.parse_listing(json.dumps(listing), collected_at=NOW).mentions
    assert first.deleted_by is DeletedBy.AUTHOR and second.deleted_by is DeletedBy.MODERATOR


def test_bad_thing_is_reported_and_others_kept(shared):
    listing = _doc(shared, "search_r_all.json")
    listing["data"]["children"][0]["data"]["created_utc"] = "soon"
    listing["data"]["children"][1]["data"] = None
    parsed = reddit.parse_listing(json.dumps(listing), collected_at=NOW)
    assert len(parsed.mentions) == 4 and len(parsed.rejected) == 2
    assert "created_utc" in parsed.rejected[0].reason
