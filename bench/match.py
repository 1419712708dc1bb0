"""Posts per second of the query matcher against a naive loop over queries, in one run.

    taskset -c 0 .venv/bin/python bench/match.py [--posts 20000] [--seed 7] [--texts FILE ...]

Generates realistic French and English posts (brand and product names, crisis
words, hashtags, handles, emojis, accents, elongations) and standing queries
of the kinds an agency keeps per brand (brand, products, crisis, care,
competitor, filters), then tags the same posts with 100, 1,000 and 10,000
queries, on two kinds of traffic:

- typical: each post names zero to two brands out of a thousand;
- one brand everywhere: one brand (and so its ten queries) is named in 80%
  of the posts, besides the brands of typical traffic;
- real texts, with --texts: real posts (the labelled tweets of
  /work/shared/data/sentiment, say), whose vocabulary is as large as life:
  the matcher remembers what each chunk of text holds, and here it keeps
  meeting new ones.

Rates are posts per second of CPU time on the one core the process runs on
(another engineer's job on that core does not count against ours). "first"
is a newly compiled matcher's first pass, which cuts every new chunk;
"again" is the same posts once more, as a long-running ingest mostly sees.

The naive baseline is what one would write without a shared index: for
each post, cut the text into words once and index them, then evaluate every
query's tree in turn. It runs on fewer posts (it is slow) and both must
give the same tags on those posts.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime

from ecoute.model import Author, Mention, Query, Sentiment
from ecoute.query import compile_matcher, parse
from ecoute.query.haystack import bare, cut, normalize, sigil
from ecoute.query.matcher import _field_test
from ecoute.query.syntax import And, Field, Near, Node, Not, Or, Term

SYLLABLES = "ka lo ve mi ra tan dor bel sa fi no ze lu pra vin ko mé lé stra gé ni".split()
PRODUCTS = "crunch cola bar max pro lite zéro bio original classic gold x5 plus mini".split()
CRISIS_FR = "rappel scandale boycott grève panne intoxication arnaque fuite plainte".split()
CRISIS_EN = "recall scandal boycott strike outage poisoning scam leak lawsuit".split()
CARE = ['"service client"', "remboursement", "refund", '"customer service"', "livraison"]
EMOJIS = ["😡", "🤮", "🔥", "😍", "👍🏽", "💔", "🙏", "😂", "❤️", "🇫🇷"]
FILLER_FR = (
    "je tu il on nous vous ils le la les un une des de du et ou mais donc car pas "
    "très trop vraiment encore toujours jamais hier demain aujourd'hui magasin produit "
    "acheté commandé reçu goût prix cher pas_cher qualité franchement sérieux nul génial "
    "incroyable déçu content merci bravo honte attendre semaine mois enfants maison "
    "café matin soir train retard colis client avis"
).split()
FILLER_EN = (
    "i you he she we they the a an of and or but so not very too really still always "
    "never yesterday tomorrow today store product bought ordered got taste price cheap "
    "quality honestly seriously awful great amazing disappointed happy thanks shame wait "
    "week month kids home coffee morning night train late parcel customer review"
).split()


def brand_names(count: int, rng: random.Random) -> list[str]:
    """Distinct made-up brand names such as « Velméra » or « Kostrani »."""
    names: set[str] = set()
    while len(names) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))
        names.add(word.capitalize())
    return sorted(names)


def brand_queries(brand: str, rival: str, rng: random.Random) -> list[str]:
    """Ten queries an agency would keep for one brand."""
    b = brand.lower()
    p1, p2 = rng.sample(PRODUCTS, 2)
    fr, en = rng.choice(CRISIS_FR), rng.choice(CRISIS_EN)
    return [
        f"{brand} OR #{b} OR @{b}_fr",
        f'"{brand} {p1}" OR ({b} NEAR/3 ({p2} OR {p1}))',
        f"{b} AND ({fr} OR {en} OR contamin*) AND NOT (recrute OR hiring)",
        f"(@{b} OR {b}) AND ({rng.choice(CARE)} OR {rng.choice(CARE)})",
        f"{rival} OR #{rival.lower()}",
        f"{b} AND lang:fr AND followers:>1000",
        f"case:{brand} AND sentiment:negative",
        f"{b} AND ({EMOJIS[0]} OR {EMOJIS[1]} OR {EMOJIS[5]})",
        f"#{b}fail OR #boycott{b} OR ({b} NEAR/5f {fr})",
        f"{b} AND (prix OR price OR goût OR taste OR magasin OR store)",
    ]


def make_queries(brands: list[str], count: int, rng: random.Random) -> list[Query]:
    """`count` queries over the first count/10 brands."""
    queries: list[Query] = []
    for i, brand in enumerate(brands[: count // 10]):
        rival = brands[(i * 7 + 3) % len(brands)]
        for j, expr in enumerate(brand_queries(brand, rival, rng)):
            queries.append(Query(name=f"{brand.lower()}-{j}", expr=expr))
    return queries[:count]


def say(brand: str, rng: random.Random) -> str:
    """One way of naming a brand in a post."""
    roll = rng.random()
    if roll < 0.5:
        return brand
    if roll < 0.65:
        return brand.upper()
    if roll < 0.8:
        return "#" + brand.lower()
    if roll < 0.9:
        return "@" + brand.lower() + "_fr"
    return f"{brand} {rng.choice(PRODUCTS)}"


def make_post(named: list[str], rng: random.Random, i: int) -> Mention:
    """A post of 8 to 40 words in French or English naming the `named` brands."""
    french = rng.random() < 0.6
    filler = FILLER_FR if french else FILLER_EN
    crisis = CRISIS_FR if french else CRISIS_EN
    words = [rng.choice(filler) for _ in range(rng.randint(8, 40))]
    for brand in named:
        words.insert(rng.randrange(len(words) + 1), say(brand, rng))
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words) + 1), rng.choice(crisis))
    if rng.random() < 0.3:
        words.append(rng.choice(EMOJIS) * rng.randint(1, 3))
    if rng.random() < 0.1:
        words.append("nuuuuul" if french else "soooo bad")
    text = " ".join(words).replace("_", " ") + rng.choice([".", "!", " !!", "?", ""])
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    return Mention(
        platform=rng.choice(["mastodon", "bluesky", "reddit"]),
        native_id=str(i),
        text=text[0].upper() + text[1:],
        created_at=moment,
        collected_at=moment,
        author=Author(
            platform="mastodon",
            handle=f"user{i % 997}",
            followers=rng.choice([None, 12, 350, 4_000, 120_000]),
        ),
        lang="fr" if french else "en",
        sentiment=rng.choice(list(Sentiment)),
    )


def read_posts(paths: list[str], count: int, rng: random.Random) -> list[Mention]:
    """Up to `count` real posts: one per line, the text in the last tab-separated column."""
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            texts += [line.rstrip("\n").split("\t")[-1] for line in lines]
    rng.shuffle(texts)
    posts = []
    for i, text in enumerate(texts[:count]):
        post = make_post([], rng, i)
        post.text = text
        posts.append(post)
    return posts


def make_posts(
    brands: list[str], count: int, rng: random.Random, *, star: str | None
) -> list[Mention]:
    posts = []
    for i in range(count):
        named = rng.sample(brands, rng.choice((0, 1, 1, 2)))
        if star is not None and rng.random() < 0.8:
            named.append(star)
        posts.append(make_post(named, rng, i))
    return posts


# -- the naive baseline ----------------------------------------------------------------------
class Words:
    """A post cut into words once, with an index from each word to its positions."""

    def __init__(self, text: str) -> None:
        tokens = cut(normalize(text))
        self.cased = [bare(t) for t in tokens]
        self.folded = [w.lower() for w in self.cased]
        self.sigils = [sigil(t) for t in tokens]
        self.index: dict[tuple[bool, str], list[int]] = {}
        for i, (c, f) in enumerate(zip(self.cased, self.folded, strict=True)):
            self.index.setdefault((True, c), []).append(i)
            self.index.setdefault((False, f), []).append(i)


def occurrences(term: Term, post: Words) -> list[tuple[int, int]]:
    seq = post.cased if term.exact_case else post.folded
    n = len(term.words)
    if n == 1 and not term.prefix:
        firsts = post.index.get((term.exact_case, term.words[0].text), [])
    else:
        firsts = range(len(seq) - n + 1)
    found = []
    for i in firsts:
        if i + n > len(seq):
            continue
        ok = True
        for k, word in enumerate(term.words):
            here = seq[i + k]
            same = here.startswith(word.text) if term.prefix and k == n - 1 else here == word.text
            if not same or (word.sigil and post.sigils[i + k] != word.sigil):
                ok = False
                break
        if ok:
            found.append((i, i + n - 1))
    return found


def evaluate(node: Node, post: Words, mention: Mention) -> bool:
    if isinstance(node, Term):
        return bool(occurrences(node, post))
    if isinstance(node, And):
        return all(evaluate(c, post, mention) for c in node.children)
    if isinstance(node, Or):
        return any(evaluate(c, post, mention) for c in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, post, mention)
    if isinstance(node, Field):
        return _field_test(node)(mention)
    assert isinstance(node, Near)
    left = [s for t in node.left for s in occurrences(t, post)]
    right = [s for t in node.right for s in occurrences(t, post)]
    for a, b in left:
        for c, d in right:
            if b < c and c - b - 1 <= node.distance:
                return True
            if not node.ordered and d < a and a - d - 1 <= node.distance:
                return True
    return False


def naive_tag(queries: list[Query], posts: list[Mention]) -> list[list[str]]:
    trees = [(q.name, parse(q.expr)) for q in queries]
    out = []
    for mention in posts:
        post = Words(mention.text)
        out.append([name for name, tree in trees if evaluate(tree, post, mention)])
    return out


# -- the run ---------------------------------------------------------------------------------
def rate(fn, count: int) -> tuple[float, object]:
    """Items per second of CPU time: on a shared machine, waiting for the core is not ours."""
    start = time.process_time()
    result = fn()
    return count / (time.process_time() - start), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--naive-posts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--texts",
        action="append",
        default=[],
        help="a file of real posts, one per line (text in the last tab-separated column); "
        "adds a traffic whose words are real, so the matcher meets new words as it would live",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    brands = brand_names(1_000, rng)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or '?'}"
    )
    print(f"cpus allowed: {cpus}; posts: {args.posts:,} (naive: {args.naive_posts:,})")
    traffics = {
        "typical": make_posts(brands, args.posts, rng, star=None),
        "one brand everywhere": make_posts(brands, args.posts, rng, star=brands[0]),
    }
    if args.texts:
        traffics["real texts"] = read_posts(args.texts, args.posts, rng)
    words = sum(len(p.text.split()) for p in traffics["typical"]) / args.posts
    print(f"mean post length: {words:.0f} words")
    header = f"{'traffic':<22}{'queries':>8}{'compile s':>11}{'first posts/s':>15}"
    header += f"{'again posts/s':>15}{'naive posts/s':>15}{'speed-up':>10}{'matches/post':>14}"
    header += f"{'agree':>7}"
    print(header)
    for label, posts in traffics.items():
        for count in (100, 1_000, 10_000):
            queries = make_queries(brands, count, random.Random(count))
            start = time.process_time()
            matcher = compile_matcher(queries)
            compile_s = time.process_time() - start
            for p in posts:
                p.queries = []
            ours, _ = rate(lambda m=matcher, ps=posts: m.tag(ps), len(posts))
            again, _ = rate(lambda m=matcher, ps=posts: m.tag(ps), len(posts))
            per_post = sum(len(p.queries) for p in posts) / len(posts)
            sample = posts[: args.naive_posts]
            naive, expected = rate(lambda q=queries, s=sample: naive_tag(q, s), len(sample))
            agree = all(p.queries == e for p, e in zip(sample, expected, strict=True))
            print(
                f"{label:<22}{count:>8,}{compile_s:>11.2f}{ours:>15,.0f}{again:>15,.0f}{naive:>15,.0f}"
                f"{ours / naive:>10,.0f}{per_post:>14.2f}{'yes' if agree else 'NO':>7}"
            )
            if not agree:
                sys.exit("the matcher and the naive loop disagree")


if __name__ == "__main__":
    main()
