"""Language of a post: the network's own label, else function words, else a 97-language model.

Most posts Écoute hears are French or English, and short: a tweet rarely holds
enough letters for a character model to be sure, but it nearly always holds a few
function words. So words that only French or only English use (« les », « est »,
"the", "is") decide first, when they agree and no word of a neighbour language
(Spanish, Italian, Portuguese, German, Dutch) is there to contradict them. Every
other post goes to py3langid, which names 97 languages, so a Spanish post is
called "es" rather than forced into French. A post with no letters to judge
(only a link, emojis or a handle) gets no language.
"""

from __future__ import annotations

import re
from functools import cache
from operator import itemgetter
from typing import ClassVar

import numpy as np

from ecoute.model import Mention
from ecoute.text import fold

# Words frequent in one language and absent, or rare, in its neighbours: « la », « de »,
# « que », "a", "in", "no", "on" are left out because Spanish, Italian or French share them.
_FRENCH = frozenset(
    "le les des du et est sont je tu nous vous ils elles ce cette ces avec pour dans sur "
    "mais donc car tres trop aussi encore deja toujours jamais rien tout tous toute "
    "toutes au aux ai avez avons ont suis etes sommes fait faire merci bonjour ca oui "
    "avoir etre quand comme chez vraiment bien alors meme apres avant depuis leur leurs "
    "notre votre mon ton ma mes ta tes sa ses une qui pas ne ni voila cest jai quil "
    "quon mdr ptdr bah bof hein nan ouais".split()
)
_ENGLISH = frozenset(
    "the and is are was were be been this that these those with for have has had it "
    "its it's not i i'm my your you he she we they them their our us of to by from at "
    "will would can could should just what who which when why how there here about "
    "all get got like don't doesn't didn't can't won't isn't so but if or do does did "
    "than then out up one very really thanks thank".split()
)
# Words of the neighbour languages that French or English function words would mistake.
_NEIGHBOURS = frozenset(
    # Spanish
    "el los las y por con una del muy pero esta porque como yo hay gracias hola tambien "
    "es esto eso mi su sus al lo le para"
    # Italian
    " di che per sono della questo anche grazie ciao gli perche molto nel alla delle "
    "degli sei siamo hanno"
    # Portuguese
    " nao os com uma voce muito obrigado obrigada isso tambem ele ela sao sim da do das dos"
    # German
    " der die und ist nicht ich das ein eine mit auf fur sie wir auch sehr danke aber "
    "oder wie zu den dem"
    # Dutch
    " het een niet van ik dat zijn wij maar ook heel bedankt dank je jij".split()
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")  # a letter outside the Latin script
_URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_MIN_LETTERS = 3
# The model reads bytes in a Python loop: a post's first 2,000 characters tell its language
# as well as an article's 100,000 would, at a fiftieth of the cost.
_SAMPLE = 2000
# _MIN_LETTERS letters, with anything but letters between them.
_ENOUGH_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{_MIN_LETTERS - 1}}}")
_DECISIVE = 2  # function-word hits that settle French or English without a model
_MIN_CONFIDENCE = 0.5
_NEAR_TOP = 0.5
_MIN_FR_EN = 0.1
_CHUNK = 256  # texts walked together: bounds the padded byte grid to a few MB
_FR, _EN, _OTHER = 0, 1, 2
# French first, then English: a word both lists hold counts as French, as it always has.
_CATEGORY = {
    **dict.fromkeys(_NEIGHBOURS, _OTHER),
    **dict.fromkeys(_ENGLISH, _EN),
    **dict.fromkeys(_FRENCH, _FR),
}


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _model() -> _BatchModel:
    return _BatchModel(_identifier())


class _BatchModel:
    """py3langid's naive Bayes over byte n-grams, run on many posts at once with numpy.

    py3langid walks its n-gram automaton one byte at a time in Python, which costs a
    tenth of a millisecond per tweet. The walk is sequential along a text but
    independent across texts, so here every text of a batch takes its step together:
    one numpy gather per byte position instead of one Python step per byte. The
    tables, the encoding and the scoring are py3langid's own, so the answers are its.
    """

    def __init__(self, identifier) -> None:  # type: ignore[no-untyped-def]
        self.identifier = identifier
        self.nextmove = np.frombuffer(identifier.tk_nextmove, dtype=identifier.tk_nextmove.typecode)
        row = np.frombuffer(identifier.tk_row, dtype=identifier.tk_row.typecode)
        self.rowbase = row.astype(np.int64) << 8
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.table = identifier.nb_ptc
        self.prior = identifier.nb_pc
        self.labels: list[str] = list(identifier.nb_classes)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Return the (len(texts), n_labels) language probabilities py3langid gives each text."""
        encoded = [self.identifier._encode(text) for text in texts]
        n = len(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
        # Longest first, so the texts still walking at any position are a prefix, and
        # texts of like length share a chunk, which bounds the padding.
        order = np.argsort(-lengths, kind="stable")
        ranked = lengths[order]
        pairs = [
            self._walk([encoded[i] for i in order[start : start + _CHUNK].tolist()], start)
            for start in range(0, n, _CHUNK)
        ]
        rows = np.concatenate([r for r, _ in pairs]) if pairs else np.empty(0, np.int64)
        found = np.concatenate([f for _, f in pairs]) if pairs else np.empty(0, np.int64)
        # Counts of each (text, feature) pair, then log(1 + count) x the feature's row.
        n_features = len(self.table)
        keys, counts = np.unique(rows * n_features + found, return_counts=True)
        owner, feature = keys // n_features, keys % n_features
        scores = np.zeros((n, len(self.labels)), dtype=np.float32)
        if len(keys):
            weights = np.log1p(counts.astype(np.float32))
            seen, starts = np.unique(owner, return_index=True)
            ends = np.append(starts[1:], len(owner))
            table = self.table
            # One small product per text, as py3langid does: BLAS beats a batch-wide
            # gather-and-reduce over every (n-gram, language) cell.
            for row, start, end in zip(seen.tolist(), starts.tolist(), ends.tolist(), strict=True):
                scores[row] = weights[start:end] @ table[feature[start:end]]
            scores[seen] += self.prior
        # A text without any known n-gram keeps all zeros: a uniform belief, as in py3langid.
        scores *= (1.0 / np.sqrt(np.maximum(ranked, 1))).astype(np.float32)[:, None]
        np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        for first, dupe in self.identifier._alias_pairs:
            scores[:, first] += scores[:, dupe]
            scores[:, dupe] = 0.0
        out = np.empty_like(scores)
        out[order] = scores
        return out

    def _walk(self, encoded: list[bytes], first: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, feature) for every n-gram met in `encoded`, longest text first.

        Rows are numbered from `first`.
        """
        n = len(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
        width = int(lengths[0])
        grid = np.zeros((n, width), dtype=np.uint8)
        grid[np.arange(width) < lengths[:, None]] = np.frombuffer(b"".join(encoded), np.uint8)
        walking = np.searchsorted(-lengths, -np.arange(width))  # texts longer than t
        features = np.full((n, width), -1, dtype=np.int32)
        state = np.zeros(n, dtype=np.int64)
        nextmove, rowbase, output = self.nextmove, self.rowbase, self.output
        for t, k in enumerate(walking.tolist()):
            now = nextmove[rowbase[state[:k]] + grid[:k, t]]
            state[:k] = now
            features[:k, t] = output[now]
        rows, cols = np.nonzero(features >= 0)
        return rows + first, features[rows, cols].astype(np.int64)

    def rank(self, probabilities: list[float]) -> list[tuple[str, float]]:
        """Return every language with its probability, likeliest first, as py3langid's rank."""
        merged: dict[str, float] = {}
        for label, probability in zip(self.labels, probabilities, strict=True):
            merged.setdefault(label, probability)
        return sorted(merged.items(), key=itemgetter(1), reverse=True)


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of `text`, or None when it holds too little to tell."""
    return detect_languages([text])[0]


def detect_languages(texts: list[str]) -> list[str | None]:
    """Return the ISO 639-1 code of each text, or None where it holds too little to tell.

    Function words settle most posts one by one; the rest go to the model together.
    """
    found: list[str | None] = [None] * len(texts)
    left: list[tuple[int, str, int, int, int]] = []  # (position, sample, fr, en, other)
    category = _CATEGORY.get
    for i, text in enumerate(texts):
        plain = _URL_OR_HANDLE.sub(" ", text)
        if not _ENOUGH_LETTERS.search(plain, 0, _SAMPLE):
            continue
        if not _LATIN.search(plain):
            seen = list(map(category, _WORD.findall(fold(plain).replace("’", "'"))))
            fr, en, other = seen.count(_FR), seen.count(_EN), seen.count(_OTHER)
            if other == 0 or max(fr, en) >= 3 * other:
                if fr >= _DECISIVE and fr >= 2 * en + 1:
                    found[i] = "fr"
                    continue
                if en >= _DECISIVE and en >= 2 * fr + 1:
                    found[i] = "en"
                    continue
        else:
            fr = en = other = 0
        left.append((i, plain[:_SAMPLE], fr, en, other))
    if left:
        model = _model()
        labels = model.labels
        beliefs = model.probabilities([sample for _, sample, *_ in left])
        best = beliefs.argmax(axis=1).tolist()
        for (i, _, fr, en, other), top, belief in zip(left, best, beliefs, strict=True):
            found[i] = _decide(labels[top], float(belief[top]), belief, fr, en, other, model)
    return found


def _decide(
    code: str,
    confidence: float,
    belief: np.ndarray,
    fr: int,
    en: int,
    other: int,
    model: _BatchModel,
) -> str | None:
    # Most posts that reach the model get a confident answer; only the others need the
    # full ranking.
    if confidence >= _MIN_CONFIDENCE:
        return code
    ranked = model.rank(belief.tolist())
    # Short posts spread the model's belief thin ("Service client nul" is 20 % Romanian,
    # 18 % French); social posts are far likelier French or English than Latin or
    # Esperanto, so either wins when the model ranks it near the top.
    for candidate, probability in ranked[:3]:
        near = probability >= max(_NEAR_TOP * confidence, _MIN_FR_EN)
        if candidate in ("fr", "en") and near:
            return candidate
    # Too short for the model ("Merci !", "Thanks!"): one clear function word will do.
    if other == 0 and fr != en and min(fr, en) == 0:
        return "fr" if fr else "en"
    return None


class LanguageStage:
    """Tag each mention with an ISO 639-1 code, keeping what the network said."""

    name: ClassVar[str] = "language"
    version: ClassVar[str] = "words+py3langid-1"

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        todo = [m for m in mentions if not (m.lang_by == "source" and m.lang)]
        for m, lang in zip(todo, detect_languages([m.text for m in todo]), strict=True):
            m.lang = lang
            m.lang_by = self.version
        return mentions
