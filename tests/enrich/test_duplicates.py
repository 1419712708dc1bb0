"""Near-duplicates share a story id across batches, with bounded memory."""

from __future__ import annotations

from ecoute.enrich.duplicates import DuplicateStage, normalise, normalise_folded
from ecoute.text import fold
from tests.factories import mention

CAMPAIGN = "La SNCF annonce une grève massive le 12 mars, tous les TGV annulés"


def test_copies_retweets_and_commented_copies_share_the_first_key():
    posts = [
        mention("1", CAMPAIGN),
        mention("2", f"RT @bob: {CAMPAIGN} http://t.co/a"),
        mention("3", CAMPAIGN.replace("12", "14") + " https://x.y/z"),
        mention("4", f"Incroyable : {CAMPAIGN}"),
        mention("5", "Completely unrelated post about the weather in Lyon today"),
    ]
    DuplicateStage().apply(posts)
    assert [p.story_id for p in posts[:4]] == ["mastodon:1"] * 4
    assert posts[4].story_id == "mastodon:5"


def test_spam_campaign_is_found_across_batches():
    stage = DuplicateStage()
    first = [mention("a", "Win a free iPhone now!!! click here http://spam1 @alice")]
    later = [mention("b", "Win a free iPhone now!!! click here http://spam2 @bob")]
    stage.apply(first)
    stage.apply(later)
    assert later[0].story_id == "mastodon:a" and later[0].story_by == stage.version


def test_short_posts_are_never_grouped():
    posts = [mention("1", "merci !"), mention("2", "merci !")]
    DuplicateStage().apply(posts)
    assert posts[0].story_id != posts[1].story_id


def test_index_forgets_oldest_stories_beyond_its_bound():
    stage = DuplicateStage(max_stories=3)
    texts = [
        "Le nouveau forfait mobile double la data sans changer le prix",
        "Panne géante du réseau fibre dans tout le sud-ouest ce matin",
        "The flagship store on Main Street closes for renovation in May",
        "Quarterly results beat expectations thanks to strong exports",
        "Festival lineup announced: three headliners and forty bands",
    ]
    stage.apply([mention(str(i), t) for i, t in enumerate(texts)])
    assert len(stage.index) == 3
    again = [mention("x", texts[0])]
    stage.apply(again)
    assert again[0].story_id == "mastodon:x"  # the first story was forgotten


def test_batch_normalisation_matches_one_text_at_a_time():
    texts = [
        "RT @bob: La SNCF annonce 12 grèves http://t.co/a",
        "rt: Win_a free iPhone www.spam.example now!!!",
        "Texte avec \x1e un séparateur, 2024",
        "",
        "42",
    ]
    folded = [fold(t) for t in texts]
    assert normalise_folded(folded) == [normalise(t) for t in texts]
    assert normalise(texts[0]) == "la sncf annonce 0 greves"


def test_text_holding_the_batch_separator_keeps_its_neighbours_apart():
    posts = [mention("1", CAMPAIGN), mention("2", "Tout autre sujet\x1e" + " ici" * 8),
             mention("3", f"{CAMPAIGN} !")]  # fmt: skip
    DuplicateStage().apply(posts)
    assert [p.story_id for p in posts] == ["mastodon:1", "mastodon:2", "mastodon:1"]
