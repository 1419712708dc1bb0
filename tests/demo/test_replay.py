"""The demo replay: deterministic, importable, realistic, and telling its stories."""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ecoute.demo import CRISIS, DEMO_QUERIES, PALM_OIL, STORYLINE, generate, write_jsonl
from ecoute.enrich.base import enrich
from ecoute.enrich.keywords import KeywordStage
from ecoute.enrich.language import LanguageStage
from ecoute.enrich.sentiment import SentimentStage
from ecoute.model import Mention, Sentiment, utc
from ecoute.query.matcher import compile_matcher
from ecoute.sources.files import read_file
from ecoute.store.base import Aggregate

END = datetime(2026, 5, 31, 18, 0, tzinfo=UTC)
PLATFORMS = {"mastodon", "bluesky", "reddit", "twitter", "youtube", "rss"}


@pytest.fixture(scope="module")
def replay_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.jsonl"
    write_jsonl(path, end=END)
    return path


@pytest.fixture(scope="module")
def records(replay_file: Path) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in replay_file.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def mentions(replay_file: Path) -> list[Mention]:
    """Every line read back by the importer and enriched by the three stages."""
    found = [m for page in read_file(replay_file) for m in page.mentions]
    enrich(found, [LanguageStage(), SentimentStage(), KeywordStage()])
    return compile_matcher(DEMO_QUERIES).tag(found)


def _newest(mentions: list[Mention]) -> dict[tuple[str, str], Mention]:
    newest: dict[tuple[str, str], Mention] = {}
    for m in mentions:
        if not m.is_deleted:
            newest[m.key] = m
    return newest


def test_same_seed_gives_byte_identical_output(replay_file: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again.jsonl", tmp_path / "other.jsonl"
    write_jsonl(again, end=END)
    write_jsonl(other, end=END, seed=8)
    assert again.read_bytes() == replay_file.read_bytes()
    assert other.read_bytes() != replay_file.read_bytes()


def test_write_jsonl_counts_the_lines_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    written = write_jsonl(path, end=END, days=10, scale=0.2)
    assert (
        written
        == len(path.read_bytes().splitlines())
        == len(list(generate(end=END, days=10, scale=0.2)))
    )


def test_replay_holds_over_five_thousand_posts_in_thirty_days(records: list[dict]) -> None:
    live = [r for r in records if not r.get("deleted")]
    assert len({(r["platform"], r["id"]) for r in live}) >= 5_000
    created = [utc(datetime.fromisoformat(r["created_at"])) for r in live]
    assert END - timedelta(days=30) <= min(created)
    assert max(created) <= END
    assert max(created) - min(created) > timedelta(days=29)


def test_records_come_in_collection_order_and_never_after_the_end(records: list[dict]) -> None:
    collected = [datetime.fromisoformat(r["collected_at"]) for r in records]
    assert collected == sorted(collected)
    assert collected[-1] <= END
    for r in records:
        if not r.get("deleted"):
            assert datetime.fromisoformat(r["created_at"]) <= datetime.fromisoformat(
                r["collected_at"]
            )


def test_every_line_imports_without_rejection(replay_file: Path, records: list[dict]) -> None:
    pages = list(read_file(replay_file))
    assert [r for page in pages for r in page.rejected] == []
    assert sum(len(page.mentions) for page in pages) == len(records)


def test_french_and_english_are_both_heard(mentions: list[Mention]) -> None:
    langs = Counter(m.lang for m in _newest(mentions).values())
    french_share = langs["fr"] / (langs["fr"] + langs["en"])
    assert 0.5 < french_share < 0.72
    assert langs["en"] > 1_200


def test_lang_is_set_only_where_the_network_reports_one(records: list[dict]) -> None:
    for r in records:
        if r.get("deleted"):
            continue
        if r["platform"] in ("reddit", "youtube", "rss"):
            assert "lang" not in r
        elif r["platform"] == "mastodon":
            assert r.get("lang") == r["raw"]["language"]
        elif r["platform"] == "bluesky":
            assert r.get("lang") == (r["raw"]["record"].get("langs") or [None])[0]
    labelled = Counter(r["platform"] for r in records if r.get("lang"))
    assert labelled["mastodon"] > 500 and labelled["bluesky"] > 500


def test_everyday_volume_follows_day_and_week(records: list[dict]) -> None:
    hours: Counter[int] = Counter()
    weekdays: Counter[int] = Counter()
    bursts = [CRISIS.window(END), PALM_OIL.window(END)]
    for r in records:
        created = datetime.fromisoformat(r.get("created_at", r["collected_at"]))
        if not r.get("deleted") and not any(a <= created <= b for a, b in bursts):
            hours[created.hour] += 1
            weekdays[created.weekday()] += 1
    assert hours[11] > 5 * hours[3]  # lunchtime in France against the dead of night
    assert weekdays[1] > weekdays[5]  # Tuesday against Saturday


def test_audiences_and_engagement_are_heavy_tailed(records: list[dict]) -> None:
    followers = sorted(
        {
            (r["author"], r["author_followers"])
            for r in records
            if r.get("author_followers") is not None
        },
        key=lambda x: x[1],
    )
    counts = [f for _, f in followers]
    median = counts[len(counts) // 2]
    assert median < 500 and counts[-1] > 200 * median
    assert any(f >= 100_000 for f in counts)  # a few very large accounts
    likes = sorted(r.get("likes", 0) for r in records if r["platform"] == "twitter")
    assert likes[len(likes) // 2] < 5 and likes[-1] > 1_000


def test_all_platforms_threads_recollections_and_deletions_are_present(
    records: list[dict],
) -> None:
    live = [r for r in records if not r.get("deleted")]
    assert {r["platform"] for r in live} == PLATFORMS
    ids = {(r["platform"], r["id"]) for r in live}
    replies = [r for r in live if "parent_id" in r]
    assert len(replies) > 700
    assert sum((r["platform"], r["parent_id"]) in ids for r in replies) > 0.9 * len(replies)
    assert all("thread_id" in r for r in replies)
    versions: defaultdict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in live:
        versions[(r["platform"], r["id"])].append(r)
    again = [v for v in versions.values() if len(v) > 1]
    assert len(again) > 200
    grown = [v for v in again if v[-1].get("likes", 0) > v[0].get("likes", 0)]
    assert len(grown) > 100
    for v in again:
        assert v[-1].get("likes", 0) >= v[0].get("likes", 0)
    by_author = [r for r in records if r.get("deleted") and "deleted_by" not in r]
    assert len(by_author) > 20
    assert all(set(r) == {"platform", "id", "deleted", "collected_at"} for r in by_author)


def test_moderator_deleted_the_customer_complaints(records: list[dict]) -> None:
    removed = [r for r in records if r.get("deleted_by") == "moderator"]
    assert removed
    texts = {(r["platform"], r["id"]): r.get("text", "") for r in records if "text" in r}
    first_two = removed[:2]
    assert all(r["platform"] == "youtube" for r in first_two)
    assert all("FL-48213" in texts[(r["platform"], r["id"])] for r in first_two)
    deleted_at = datetime.fromisoformat(first_two[0]["collected_at"])
    assert CRISIS.at(END, "deletion") <= deleted_at < CRISIS.at(END, "problem solved")


def _hourly(mentions: list[Mention], since: datetime, until: datetime) -> tuple[float, float]:
    """Mean Fleurimaud mentions per hour and their negative share between two moments."""
    chosen = [m for m in mentions if "fleurimaud" in m.queries and since <= m.created_at < until]
    hours = (until - since).total_seconds() / 3600
    negative = sum(m.sentiment is Sentiment.NEGATIVE for m in chosen)
    return len(chosen) / hours, negative / max(len(chosen), 1)


def test_florist_crisis_is_far_above_the_baseline(mentions: list[Mention]) -> None:
    posts = list(_newest(mentions).values())
    start = CRISIS.at(END, "first complaint")
    base_rate, base_negative = _hourly(posts, END - timedelta(days=30), start)
    crisis_rate, crisis_negative = _hourly(
        posts, CRISIS.at(END, "her story"), CRISIS.at(END, "refund promised")
    )
    assert crisis_rate > 10 * base_rate
    assert crisis_negative > 0.45
    assert crisis_negative > 2 * base_negative
    # The volume snowballs: her story's first hours, the evening, then the day after.
    story = CRISIS.at(END, "her story")
    first = _hourly(posts, story, story + timedelta(hours=3))[0]
    evening = _hourly(posts, story + timedelta(hours=3), story + timedelta(hours=8))[0]
    peak = _hourly(posts, CRISIS.at(END, "pickup"), CRISIS.at(END, "refund promised"))[0]
    assert first < evening < peak
    after = _hourly(posts, CRISIS.at(END, "calm"), CRISIS.at(END, "calm") + timedelta(days=2))
    assert after[0] < 3 * base_rate


def test_the_story_spreads_through_copies_and_influential_authors(records: list[dict]) -> None:
    since, until = CRISIS.at(END, "her story"), CRISIS.at(END, "calm")
    window = [
        r
        for r in records
        if "text" in r and since <= datetime.fromisoformat(r["created_at"]) < until
    ]
    retweets = [r for r in window if r["text"].startswith("RT @claire_mrn:")]
    assert len(retweets) > 30
    chained = [r for r in window if "a supprimé ses commentaires et l'a bloquée" in r["text"]]
    assert len(chained) > 20
    journalist = [r for r in window if r.get("author") == "LucieConso"]
    assert journalist and journalist[0]["author_followers"] > 100_000
    quoted = journalist[0]["raw"]["data"]["referenced_tweets"]
    assert quoted[0]["type"] == "quoted"


def test_activist_campaign_floods_the_food_brand_with_copies(records: list[dict]) -> None:
    since, until = PALM_OIL.window(END)
    copies = [
        r
        for r in records
        if "text" in r
        and since <= datetime.fromisoformat(r["created_at"]) <= until
        and ("l'habitat des orangs-outans" in r["text"] or "orangutan habitat" in r["text"])
    ]
    assert len(copies) > 200
    assert len({(r["platform"], r["author"]) for r in copies}) > 150
    eco_replies = [r for r in copies if "parent_id" in r]
    assert len(eco_replies) > 20


def test_quiet_blogger_travels_far_beyond_her_followers(records: list[dict]) -> None:
    hers = [r for r in records if r.get("author") == "margaux@mamot.example"]
    assert hers and all(r["author_followers"] < 1_000 for r in hers)
    assert max(r.get("likes", 0) for r in hers) > hers[0]["author_followers"]
    blog = [r for r in records if r.get("author") == "lecarnetdemargaux.example"]
    assert any("Fleurimaud" in r["text"] for r in blog)


def test_fans_keep_praising_their_brand(mentions: list[Mention]) -> None:
    fan = [m for m in _newest(mentions).values() if m.author.handle == "sophie_gourmande"]
    assert len(fan) >= 5
    assert sum(m.sentiment is Sentiment.POSITIVE for m in fan) >= 0.8 * len(fan)


def test_raw_payloads_agree_with_the_normalized_fields(records: list[dict]) -> None:
    for r in records:
        if not r.get("deleted"):
            CHECKS[r["platform"]](r, r["raw"])


def _strip(content: str) -> str:
    text = content.replace("<br />", "\n").replace("</p><p>", "\n\n")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _check_mastodon(r: dict, raw: dict) -> None:
    assert (raw["id"], raw["created_at"], _strip(raw["content"])) == (
        r["id"],
        r["created_at"],
        r["text"],
    )
    account = raw["account"]
    assert (account["acct"], account["id"], account["followers_count"]) == (
        r["author"],
        r["author_id"],
        r["author_followers"],
    )
    assert (raw["favourites_count"], raw["reblogs_count"], raw["replies_count"]) == (
        r["likes"],
        r["reposts"],
        r["replies"],
    )
    assert raw["in_reply_to_id"] == r.get("parent_id")
    assert raw["url"] == r["url"]


def _check_bluesky(r: dict, raw: dict) -> None:
    record = raw["record"]
    assert raw["uri"] == r["id"] and raw["uri"].startswith("at://did:plc:")
    assert (record["text"], record["createdAt"]) == (r["text"], r["created_at"])
    assert (raw["author"]["handle"], raw["author"]["did"]) == (r["author"], r["author_id"])
    assert (raw["likeCount"], raw["repostCount"], raw["replyCount"]) == (
        r["likes"],
        r["reposts"],
        r["replies"],
    )
    reply = record.get("reply")
    assert (reply["parent"]["uri"] if reply else None) == r.get("parent_id")
    assert (reply["root"]["uri"] if reply else None) == r.get("thread_id")
    for facet in record.get("facets", []):
        span = record["text"].encode()[facet["index"]["byteStart"] : facet["index"]["byteEnd"]]
        feature = facet["features"][0]
        assert span.decode() == f"#{feature['tag']}" if "tag" in feature else feature["uri"]


def _check_reddit(r: dict, raw: dict) -> None:
    assert raw["name"] == r["id"] and r["id"].startswith(("t1_", "t3_"))
    if r["id"].startswith("t3_"):
        text = raw["title"] + (f"\n\n{raw['selftext']}" if raw["selftext"] else "")
        assert raw["num_comments"] == r["replies"]
    else:
        text = raw["body"]
        assert raw["parent_id"] == r["parent_id"] and raw["link_id"] == r["thread_id"]
    assert text == r["text"]
    created = datetime.fromtimestamp(raw["created_utc"], UTC)
    assert created == datetime.fromisoformat(r["created_at"])
    assert (raw["author"], raw["author_fullname"], raw["score"]) == (
        r["author"],
        r["author_id"],
        r["likes"],
    )


def _check_twitter(r: dict, raw: dict) -> None:
    tweet, user = raw["data"], raw["includes"]["users"][0]
    assert (tweet["id"], tweet["text"], tweet["created_at"]) == (
        r["id"],
        r["text"],
        r["created_at"],
    )
    assert tweet["author_id"] == user["id"] == r["author_id"]
    assert (user["username"], user["public_metrics"]["followers_count"]) == (
        r["author"],
        r["author_followers"],
    )
    metrics = tweet["public_metrics"]
    assert (
        metrics["like_count"],
        metrics["retweet_count"],
        metrics["reply_count"],
        metrics["impression_count"],
    ) == (r["likes"], r["reposts"], r["replies"], r["views"])
    assert tweet["conversation_id"] == r.get("thread_id", r["id"])
    replied = [t["id"] for t in tweet.get("referenced_tweets", []) if t["type"] == "replied_to"]
    assert (replied[0] if replied else None) == r.get("parent_id")
    assert r.get("lang") == (None if tweet["lang"] == "und" else tweet["lang"])
    for kind, key in (("hashtags", "tag"), ("mentions", "username")):
        for entity in tweet.get("entities", {}).get(kind, []):
            assert tweet["text"][entity["start"] + 1 : entity["end"]] == entity[key]


def _check_youtube(r: dict, raw: dict) -> None:
    if raw["kind"] == "youtube#commentThread":
        comment = raw["snippet"]["topLevelComment"]
        assert raw["snippet"]["totalReplyCount"] == r["replies"]
        assert "parent_id" not in r
    else:
        comment = raw
        assert comment["snippet"]["parentId"] == r["parent_id"] == r["thread_id"]
    snippet = comment["snippet"]
    assert comment["id"] == raw["id"] == r["id"]
    assert (snippet["textOriginal"], snippet["publishedAt"]) == (r["text"], r["created_at"])
    assert snippet["authorChannelId"]["value"] == r["author_id"]
    assert snippet["authorDisplayName"] == f"@{r['author']}"
    assert snippet["likeCount"] == r["likes"]
    assert html.unescape(snippet["textDisplay"].replace("<br>", "\n")) == r["text"]


def _check_rss(r: dict, raw: dict) -> None:
    assert raw["guid"] == raw["link"] == r["id"] == r["url"]
    assert f"{raw['title']}\n\n{raw['description']}" == r["text"]
    assert parsedate_to_datetime(raw["pubDate"]) == datetime.fromisoformat(r["created_at"])
    assert raw["dc:creator"] == r["author_name"]


CHECKS = {
    "mastodon": _check_mastodon,
    "bluesky": _check_bluesky,
    "reddit": _check_reddit,
    "twitter": _check_twitter,
    "youtube": _check_youtube,
    "rss": _check_rss,
}


def test_storyline_is_anchored_on_the_end() -> None:
    assert CRISIS.at(END, "first complaint") == datetime(2026, 5, 22, 8, 40, tzinfo=UTC)
    start = CRISIS.window(END)[0]
    assert timedelta(hours=35) <= CRISIS.at(END, "refund promised") - start <= timedelta(hours=37)
    for episode in STORYLINE:
        first, last = episode.window(END)
        assert END - timedelta(days=30) < first < last < END
    with pytest.raises(KeyError, match="no beat"):
        CRISIS.at(END, "fireworks")


def test_moving_the_end_moves_the_crisis() -> None:
    later = END + timedelta(days=3)
    first = min(
        datetime.fromisoformat(r["created_at"])
        for r in generate(end=later, days=12, scale=0.2)
        if "FL-48213" in r.get("text", "")
    )
    assert first == CRISIS.at(later, "first complaint")


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        list(generate(end=END, days=0))
    with pytest.raises(ValueError, match="scale"):
        list(generate(end=END, scale=0))


def test_pipeline_puts_every_query_mentions_in_the_store(replay_file: Path, store) -> None:
    matcher = compile_matcher(DEMO_QUERIES)
    stages = [LanguageStage(), SentimentStage(), KeywordStage()]
    for page in read_file(replay_file, chunk_lines=2_000):
        assert not page.rejected
        store.upsert(matcher.tag(enrich(page.mentions, stages)))
    counts = {
        row["query"]: row["mentions"]
        for row in store.aggregate(Aggregate(by=("query",))).as_dicts()
    }
    for query in DEMO_QUERIES:
        assert counts.get(query.name, 0) >= 30, query.name
    assert counts["fleurimaud"] > counts["bouqueteo"] > 0
