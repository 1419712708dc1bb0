"""Detection rules: what each kind watches, its thresholds, and the defaults.

Four kinds, each with its own thresholds:

* ``volume``: the query's mentions in a recent window against the seasonal baseline;
* ``negative``: its negative mentions, against their baseline, when their share rises too;
* ``influencer``: a complaint by an author whose audience or influence is large, when it
  is unmistakable or when the query's volume echoes it;
* ``keyword``: crisis words (« boycott », « arnaque », "lawsuit") said by several authors.

A rule watches one query or, with no query, each query separately. A workspace
without rules gets `DEFAULT_RULES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from ecoute.store.alerts import RULE_KINDS, AlertRule
from ecoute.text import fold, words


class RuleError(ValueError):
    """A rule's kind or parameters are invalid; the message names the parameter."""


@dataclass(frozen=True, slots=True)
class SpikeParams:
    """Thresholds of a volume or negative rule; each window is tested on its own."""

    # Short windows see a sudden storm within minutes; long ones add up a slow burn.
    windows: tuple[int, ...] = (5, 15, 45, 180)  # minutes
    z: float = 4.0  # standard deviations above the expected count (overdispersion included)
    ratio: float = 2.0  # and at least this many times the expected count
    min_count: int = 8  # and at least this many mentions in the window
    # negative only: the share of negatives must exceed the usual share by this z.
    share_z: float = 2.0


@dataclass(frozen=True, slots=True)
class InfluencerParams:
    """A complaint by an author at least this influential, sure at once or once echoed.

    A fast sentiment classifier calls many neutral posts negative, and a large
    account posts often: a negative label alone would cry wolf. A post whose
    complaint the care stage heard and whose negative score is confident alerts
    at once; any other negative post by such an author alerts only when the
    query's mentions in the minutes after it rise above what is normal then.
    """

    min_followers: int = 50_000  # used when the influence stage did not run
    min_influence: float = 60.0  # on the 0..100 scale of the influence stage
    sentiments: tuple[str, ...] = ("negative",)
    vip: bool = False  # also count authors the influence stage flags VIP
    confidence: float = 0.5  # a complaint scored at or below -confidence alerts at once
    echo_minutes: int = 45  # how long the echo of an uncertain complaint is awaited
    echo_z: float = 3.0  # how far above the expected count the echo must be
    min_echo: int = 3  # and at least this many other mentions


# Crisis words of both first languages; a trailing * matches any ending.
DEFAULT_TERMS: tuple[str, ...] = (
    "boycott*",
    "arnaqu*",
    "scandal*",
    "escroc*",
    "fraud*",
    "plainte*",
    "proces",
    "avocat*",
    "class action",
    "action de groupe",
    "rappel conso*",
    "intoxication*",
    "scam*",
    "lawsuit*",
    "sue",
    "suing",
    "recall*",
    "poisoning",
)


@dataclass(frozen=True, slots=True)
class KeywordParams:
    """Crisis words said by at least `min_authors` distinct authors within the window."""

    terms: tuple[str, ...] = DEFAULT_TERMS
    min_authors: int = 3
    window: int = 60  # minutes


PARAMS: dict[str, type] = {
    "volume": SpikeParams,
    "negative": SpikeParams,
    "influencer": InfluencerParams,
    "keyword": KeywordParams,
}


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule, ready for the detector."""

    name: str
    kind: str
    query: str | None
    params: Any
    matcher: TermMatcher | None = field(default=None, compare=False)

    def applies_to(self, query: str) -> bool:
        return self.query is None or self.query == query


DEFAULT_RULES: tuple[AlertRule, ...] = (
    # A storm of neutral posts is news; a storm of negative ones is the crisis: the
    # negative rule is the more sensitive. Tuned on the generated scenarios (bench/alerts.py).
    AlertRule(name="volume", kind="volume"),
    AlertRule(name="negative", kind="negative", params={"z": 3.5, "min_count": 6}),
    AlertRule(name="influencer", kind="influencer"),
    AlertRule(name="keywords", kind="keyword"),
)


def compile_rule(rule: AlertRule) -> Rule:
    """Validate a stored rule and return it ready for the detector, or raise RuleError."""
    if rule.kind not in RULE_KINDS:
        raise RuleError(
            f"rule {rule.name!r}: unknown kind {rule.kind!r}; choose among {', '.join(RULE_KINDS)}"
        )
    params = parse_params(rule.kind, rule.params)
    matcher = TermMatcher(params.terms) if rule.kind == "keyword" else None
    return Rule(rule.name, rule.kind, rule.query, params, matcher)


def compile_rules(rules: list[AlertRule]) -> list[Rule]:
    """Compile the enabled rules, or the defaults when the workspace has none."""
    chosen = rules if rules else list(DEFAULT_RULES)
    return [compile_rule(r) for r in chosen if r.enabled]


def parse_params(kind: str, given: dict[str, Any]) -> Any:
    """Return the typed parameters of a rule kind from a dict, checking names and ranges."""
    cls = PARAMS[kind]
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise RuleError(
            f"unknown parameter(s) for a {kind} rule: {', '.join(unknown)}; "
            f"known: {', '.join(known)}"
        )
    values: dict[str, Any] = {}
    for name, value in given.items():
        default = getattr(cls(), name)
        values[name] = _coerce(name, value, default)
    params = cls(**values)
    _check(kind, params)
    return params


def _coerce(name: str, value: Any, default: Any) -> Any:
    try:
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            kind = type(default[0]) if default else str
            return tuple(kind(v.strip() if isinstance(v, str) else v) for v in items if v != "")
        if isinstance(default, bool):
            if isinstance(value, str):
                return {
                    "true": True,
                    "yes": True,
                    "1": True,
                    "false": False,
                    "no": False,
                    "0": False,
                }[value.strip().lower()]
            return bool(value)
        return type(default)(value)
    except (TypeError, ValueError, KeyError):
        raise RuleError(f"{name}: {value!r} is not a valid {type(default).__name__}") from None


def _check(kind: str, p: Any) -> None:
    problems = []
    if isinstance(p, SpikeParams):
        if not p.windows or any(w < 1 or w > 24 * 60 for w in p.windows):
            problems.append("windows: give minutes between 1 and 1440")
        if p.z <= 0 or p.ratio < 1 or p.min_count < 1 or p.share_z < 0:
            problems.append("z > 0, ratio >= 1, min_count >= 1 and share_z >= 0")
    elif isinstance(p, InfluencerParams):
        if p.min_followers < 1 or not 0 <= p.min_influence <= 100:
            problems.append("min_followers >= 1 and min_influence in 0..100")
        if not 0 <= p.confidence <= 1 or not 1 <= p.echo_minutes <= 24 * 60:
            problems.append("confidence in 0..1 and echo_minutes in 1..1440")
        if p.echo_z <= 0 or p.min_echo < 1:
            problems.append("echo_z > 0 and min_echo >= 1")
        if any(s not in ("negative", "neutral", "positive") for s in p.sentiments):
            problems.append("sentiments: negative, neutral or positive")
    elif isinstance(p, KeywordParams):
        if not p.terms or any(not words(fold(t.rstrip("*"))) for t in p.terms):
            problems.append("terms: give at least one word")
        if p.min_authors < 1 or not 1 <= p.window <= 24 * 60:
            problems.append("min_authors >= 1 and window in 1..1440 minutes")
    if problems:
        raise RuleError(f"invalid {kind} rule: {'; '.join(problems)}")


class TermMatcher:
    """Finds crisis terms in a post: folded words, phrases, and prefixes ending in ``*``.

    All terms form one regular expression run over the post's folded words, so a
    post costs one scan whatever the number of terms.
    """

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = terms
        parts = []
        for i, term in enumerate(terms):
            body = " ".join(re.escape(t) for t in words(fold(term.rstrip("*"))))
            tail = r"\S*" if term.endswith("*") else ""
            parts.append(f"(?P<t{i}>(?<!\\S){body}{tail}(?!\\S))")
        self._pattern = re.compile("|".join(parts))
        # Most posts hold no crisis word: the first letters of each term's first word
        # let them skip the scan.
        self._heads = frozenset(words(fold(t.rstrip("*")))[0][:3] for t in terms)

    def find(self, text: str) -> list[str]:
        """Return the terms `text` contains, each once."""
        return self.find_tokens([t.lstrip("#") for t in words(fold(text))])

    def find_tokens(self, tokens: list[str]) -> list[str]:
        """Return the terms found in folded words without their '#', each once."""
        heads = self._heads
        if not any(t[:3] in heads for t in tokens):
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(" ".join(tokens)):
            found[self.terms[int(match.lastgroup[1:])]] = None  # type: ignore[index]
        return list(found)
