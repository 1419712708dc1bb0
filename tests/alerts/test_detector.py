"""The detector in simulated time: spikes against a seasonal baseline, grouping, explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ecoute.alerts.backtest import backtest, replay
from ecoute.alerts.detector import Detector
from ecoute.alerts.rules import compile_rules
from ecoute.model import Sentiment
from ecoute.store.alerts import AlertRule
from tests.alerts.traffic import QUERY, complaint, everyday, post, storm

START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
SPIKES = [AlertRule(name="volume", kind="volume"), AlertRule(name="negative", kind="negative")]


def _replayed(mentions, rules=None, **options):
    detector = Detector(compile_rules(rules if rules is not None else SPIKES), **options)
    return backtest(sorted(mentions, key=lambda m: m.created_at), detector)


def test_everyday_cycles_raise_no_alert():
    # Three weeks of busy noons, quiet nights and calm weekends are normal.
    raised = _replayed(everyday(START, 16 * 24, rate=15))
    assert [r for r in raised if r.at >= START + timedelta(days=3)] == []


def test_storm_opens_one_alert_explained_and_resolved():
    history = everyday(START, 9 * 24, rate=12)
    crisis_at = START + timedelta(days=8, hours=10)
    crisis = storm(crisis_at, minutes=180, per_minute=1.0)
    raised = _replayed(history + crisis)
    late = [r for r in raised if r.at >= START + timedelta(days=3)]
    assert len(late) == 1  # one crisis, one alert, updated rather than repeated
    alert = late[0]
    assert alert.query == QUERY
    assert alert.kind == "negative"
    assert crisis_at <= alert.at <= crisis_at + timedelta(minutes=15)
    assert alert.observed > 3 * alert.expected
    assert alert.updates > 10
    assert alert.resolved_at is not None and alert.resolved_at > crisis_at + timedelta(hours=3)


def test_explanation_names_posts_terms_and_link():
    history = everyday(START, 6 * 24, rate=12)
    crisis = storm(START + timedelta(days=6, hours=11), minutes=30, per_minute=1.5)
    detector = Detector(compile_rules(SPIKES), link_base="https://ecoute.example")
    opened = [e for e in replay(history + crisis, detector) if e.what == "opened"]
    explanation = opened[0].incident.explanation
    assert explanation["observed"] > explanation["expected"]
    assert {"supprime", "remboursement"} <= {t["term"] for t in explanation["terms"]}
    assert "fleurimaud" not in {t["term"] for t in explanation["terms"]}  # usual, not driving
    assert explanation["posts"] and all(p["sentiment"] == "negative" for p in explanation["posts"])
    assert explanation["link"].startswith("https://ecoute.example/?query=fleurimaud")
    assert "sentiment=negative" in explanation["link"]


def test_weekend_night_spike_is_caught_against_its_own_baseline():
    history = everyday(START, 20 * 24, rate=12)
    saturday_night = START + timedelta(days=19, hours=22)  # Saturday 23:00 in Paris
    assert saturday_night.weekday() == 5
    crisis = storm(saturday_night, minutes=60, per_minute=0.5)
    raised = [r for r in _replayed(history + crisis) if r.at >= START + timedelta(days=3)]
    assert len(raised) == 1
    assert saturday_night <= raised[0].at <= saturday_night + timedelta(minutes=30)


def test_influential_complaint_alerts_at_once_by_followers_or_influence():
    rules = [
        AlertRule(name="vip", kind="influencer", params={"min_followers": 50_000, "vip": True})
    ]
    at = START + timedelta(hours=9)
    mentions = [
        complaint(1, at, followers=120_000),  # no influence score: followers
        complaint(2, at + timedelta(hours=5), followers=900_000, influence=10.0),
        post(3, at + timedelta(hours=10), Sentiment.POSITIVE, followers=900_000),
        complaint(4, at + timedelta(hours=15), followers=20, is_vip=True),
    ]
    raised = _replayed(mentions, rules, cooldown=timedelta(minutes=1))
    # The second author has a low influence score despite followers; the third praises.
    assert [(r.kind, r.at) for r in raised] == [
        ("influencer", at.replace(second=0) + timedelta(minutes=1)),
        ("influencer", at.replace(second=0) + timedelta(hours=15, minutes=1)),
    ]


def test_vip_flag_counts_only_when_the_rule_asks():
    rules = [AlertRule(name="vip", kind="influencer")]
    at = START + timedelta(hours=9)
    assert _replayed([complaint(1, at, followers=20, is_vip=True)], rules) == []


def test_doubtful_negative_by_a_large_account_alerts_only_when_echoed():
    rules = [AlertRule(name="vip", kind="influencer")]
    history = everyday(START, 6 * 24, rate=6)
    at = START + timedelta(days=6, hours=10)
    # Labelled negative, but no complaint heard: a large account's offhand remark.
    remark = post(10**6, at, Sentiment.NEGATIVE, followers=400_000, author="star")
    quiet = [r for r in _replayed([*history, remark], rules) if r.at >= at]
    assert quiet == []
    # Then the query's volume takes off: two posts a minute where one in six is usual.
    echo = [
        post(2 * 10**6 + i, at + timedelta(minutes=2 + i / 2), Sentiment.NEGATIVE)
        for i in range(20)
    ]
    (raised,) = [r for r in _replayed([*history, remark, *echo], rules) if r.at >= at]
    assert raised.kind == "influencer"
    assert at <= raised.at <= at + timedelta(minutes=20)
    assert raised.observed > raised.expected


def test_crisis_words_need_several_authors():
    rules = [AlertRule(name="words", kind="keyword")]
    at = START + timedelta(days=1, hours=10)
    one_voice = [
        post(
            i,
            at + timedelta(minutes=i),
            Sentiment.NEGATIVE,
            author="angry",
            text="#boycott Fleurimaud, arnaque",
        )
        for i in range(5)
    ]
    assert _replayed(one_voice, rules) == []
    many = [
        post(
            10 + i,
            at + timedelta(minutes=i),
            Sentiment.NEGATIVE,
            text="Fleurimaud c'est une ARNAQUE, boycottez",
        )
        for i in range(3)
    ]
    raised = _replayed(many, rules)
    assert [(r.kind, r.observed) for r in raised] == [("keyword", 3)]


def test_flare_up_within_cooldown_reopens_the_same_alert():
    history = everyday(START, 9 * 24, rate=12)
    first = storm(START + timedelta(days=8, hours=9), minutes=40, per_minute=1.2)
    second = storm(
        START + timedelta(days=8, hours=12), minutes=40, per_minute=1.2, first_id=2_000_000
    )
    detector = Detector(compile_rules(SPIKES), resolve_after=timedelta(minutes=60))
    events = [
        e for e in replay(history + first + second, detector) if e.at >= START + timedelta(days=8)
    ]
    assert [e.what for e in events if e.what not in ("updated", "escalated")] == [
        "opened",
        "resolved",
        "reopened",
        "resolved",
    ]
    assert len({e.incident.number for e in events}) == 1


def test_an_edited_post_is_counted_once():
    at = START + timedelta(days=1)
    detector = Detector(compile_rules(SPIKES))
    m = post(1, at, Sentiment.NEGATIVE)
    detector.observe([m], at + timedelta(minutes=1))
    detector.observe([m], at + timedelta(minutes=2))
    state = detector.states[QUERY]
    assert sum(row[0] for row in state.minutes.values()) == 1
    assert sum(row[0] for row in state.baseline.counts.values()) == 1
