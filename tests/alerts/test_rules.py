"""Rules and the seasonal baseline."""

from __future__ import annotations

import random

import pytest

from ecoute.alerts.baseline import Baseline, robust_mean
from ecoute.alerts.rules import DEFAULT_RULES, RuleError, TermMatcher, compile_rule, compile_rules
from ecoute.store.alerts import AlertRule


def test_defaults_apply_until_a_rule_is_saved():
    assert {r.kind for r in compile_rules([])} == {"volume", "negative", "influencer", "keyword"}
    own = compile_rules([AlertRule(name="mine", kind="volume", params={"z": "6"})])
    assert [(r.name, r.params.z) for r in own] == [("mine", 6.0)]
    assert len(DEFAULT_RULES) == 4


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (AlertRule(name="a", kind="tsunami"), "unknown kind"),
        (AlertRule(name="a", kind="volume", params={"zz": 3}), "unknown parameter"),
        (AlertRule(name="a", kind="volume", params={"z": "high"}), "z: 'high'"),
        (AlertRule(name="a", kind="volume", params={"windows": "0,15"}), "windows"),
        (AlertRule(name="a", kind="keyword", params={"terms": ""}), "terms"),
        (AlertRule(name="a", kind="influencer", params={"sentiments": "angry"}), "sentiments"),
    ],
)
def test_bad_rules_say_what_is_wrong(rule, message):
    with pytest.raises(RuleError, match=message):
        compile_rule(rule)


def test_terms_match_folded_words_prefixes_and_phrases():
    m = TermMatcher(("boycott*", "arnaqu*", "class action", "proces", "rappel conso*"))
    assert m.find("#BoycottFleurimaud : c'est une ARNAQUE !") == ["boycott*", "arnaqu*"]
    assert m.find("Un procès, une class action et un rappel consommateurs") == [
        "proces",
        "class action",
        "rappel conso*",
    ]
    assert m.find("le processus de classe") == []


def test_robust_mean_ignores_a_past_crisis():
    # The storm is clipped to what noise could give (median + 3 sd), not averaged in.
    assert robust_mean([10, 11, 9, 10, 12, 10, 95]) == pytest.approx(11.6, abs=0.1)
    assert robust_mean([0, 1, 0, 2, 1]) == pytest.approx(0.8)


def test_baseline_follows_hour_of_day_and_weekday():
    base = Baseline()
    day0 = 20_000 * 24 + 24 * 4  # a Monday (epoch day 20004 is a Monday)
    for d in range(21):
        weekend = (d % 7) >= 5
        for h in range(24):
            count = (30 if 9 <= h < 18 else 3) // (3 if weekend else 1)
            base.add(day0 + d * 24 + h, count, count // 5)
    monday_noon = day0 + 21 * 24 + 12
    saturday_noon = day0 + 26 * 24 + 12
    monday_night = day0 + 21 * 24 + 3
    assert base.expected_hour(monday_noon, 0) == pytest.approx(30, rel=0.15)
    assert base.expected_hour(saturday_noon, 0) == pytest.approx(10, rel=0.25)
    assert base.expected_hour(monday_night, 0) < 4
    assert base.expected(monday_noon * 60, monday_noon * 60 + 30, 0) == pytest.approx(15, rel=0.15)


def test_young_history_has_no_baseline_yet():
    base = Baseline()
    base.add(1000, 5, 1)
    assert base.expected_hour(1005, 0) is None
    assert base.expected_hour(1020, 0) is not None  # half a day: a flat level


def test_overdispersion_grows_with_the_count_tested():
    # Days 40 % busier or calmer than usual, at 60 mentions an hour: the hourly
    # counts vary far more than Poisson, but five minutes of them hardly more.
    rng = random.Random(3)
    base = Baseline()
    day0 = 20_000 * 24 + 24 * 4
    for d in range(21):
        busy = rng.choice((0.6, 1.0, 1.4))
        for h in range(24):
            base.add(day0 + d * 24 + h, int(rng.gauss(60 * busy, 60**0.5)), 0)
    now = day0 + 21 * 24 + 12
    hourly = base.dispersion(now, 0, 60.0)
    assert hourly > 3
    assert 1.0 <= base.dispersion(now, 0, 5.0) < 1 + hourly / 6
    assert base.dispersion(now, 0, 0.0) == 1.0
    steady = Baseline()
    for h in range(21 * 24):
        steady.add(day0 + h, int(rng.gauss(60, 60**0.5)), 0)
    assert steady.dispersion(now, 0, 60.0) < 1.6
