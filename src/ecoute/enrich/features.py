"""Features of a post for the fast sentiment model: n-grams plus lexicon and rule scores.

Sparse features are named strings ("w|nul", "b|pas terrible", "c|uul", "e|😡"), so
a trained model is a vocabulary and a weight matrix that anyone can read. Words
under a negation get their own feature ("n|bon"), which lets the model learn that
« pas bon » is not « bon ». Dense features carry the lexicon's verdict, so an
emoji or slang word the training tweets never used still moves the score.
"""

from __future__ import annotations

from ecoute.enrich.lexicon import NEGATIONS, Valence
from ecoute.enrich.tokens import EMOJI, EMOTICON, HANDLE, HASHTAG, NUMBER, PUNCT, URL, WORD, Token

CHAR_MIN = 3
CHAR_MAX = 5
NEGATION_REACH = 3  # tokens after a negation that it still reaches
DENSE = ("positive", "negative", "total", "negations", "irony", "shouts", "contrast")


def sparse(tokens: list[Token]) -> tuple[list[str], list[str]]:
    """Return the feature names of a post's token sequence, and its words.

    Each word's own features (itself, its char n-grams) are left to `word_features`
    so a scorer can cache them per word: words repeat far more than posts do.
    """
    out: list[str] = []
    words: list[str] = []
    add = out.append
    previous = "^"
    negated_until = -1
    # Unpacking the tuple is much cheaper than reading NamedTuple attributes by name.
    for i, (kind, text, norm, shouted, stretched) in enumerate(tokens):
        if kind in (WORD, HASHTAG):
            if kind == HASHTAG:
                word = norm[1:]
                add(f"h|{word}")
            else:
                word = norm
            if i <= negated_until:
                add(f"n|{word}")
            if word in NEGATIONS:
                negated_until = i + NEGATION_REACH
            if shouted:
                add("f|shout")
            if stretched:
                add("f|stretch")
            words.append(word)
            unit = word
        elif kind == EMOJI:
            unit = text
            add(f"e|{unit}")
        elif kind == EMOTICON:
            unit = norm
            add(f"o|{unit}")
        elif kind == PUNCT:
            unit = norm
            add(f"p|{unit}+" if stretched else f"p|{unit}")
            negated_until = -1  # a sentence break ends a negation's reach
        elif kind == URL:
            unit = "<url>"
            add("f|url")
        elif kind == HANDLE:
            unit = "<user>"
            add("f|handle")
        elif kind == NUMBER:
            unit = "<num>"
        else:
            continue
        add(f"b|{previous} {unit}")
        previous = unit
    if tokens:
        add(f"b|{previous} $")
    return out, words


def char_grams(word: str) -> list[str]:
    """Return the char n-gram feature names of one word, padded with spaces at both ends."""
    padded = f" {word} "
    size = len(padded)
    return [
        "c|" + padded[start : start + n]
        for n in range(CHAR_MIN, CHAR_MAX + 1)
        for start in range(size - n + 1)
    ]


def word_features(word: str) -> list[str]:
    """Return the feature names a word brings wherever it stands: itself and its char n-grams."""
    return ["w|" + word, *char_grams(word)]


def names(tokens: list[Token]) -> list[str]:
    """Return every distinct sparse feature name of one post (what training counts)."""
    found, words = sparse(tokens)
    for word in words:
        found.extend(word_features(word))
    return list(dict.fromkeys(found))


def dense(valence: Valence) -> tuple[float, ...]:
    """Return the lexicon scores in the order of DENSE, scaled to about -1..1."""
    return (
        min(valence.positive / 4, 2.0),
        max(valence.negative / 4, -2.0),
        max(min(valence.total / 4, 2.0), -2.0),
        min(valence.negations, 3) / 3,
        min(valence.irony, 2) / 2,
        min(valence.shouts, 3) / 3,
        1.0 if valence.contrast else 0.0,
    )
