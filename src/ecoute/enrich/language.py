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
from typing import ClassVar

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


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of `text`, or None when it holds too little to tell."""
    plain = _URL_OR_HANDLE.sub(" ", text)
    if not _ENOUGH_LETTERS.search(plain, 0, _SAMPLE):
        return None
    if not _LATIN.search(plain):
        folded = fold(plain).replace("’", "'")
        fr = en = other = 0
        for word in _WORD.findall(folded):
            if word in _FRENCH:
                fr += 1
            elif word in _ENGLISH:
                en += 1
            elif word in _NEIGHBOURS:
                other += 1
        if other == 0 or max(fr, en) >= 3 * other:
            if fr >= _DECISIVE and fr >= 2 * en + 1:
                return "fr"
            if en >= _DECISIVE and en >= 2 * fr + 1:
                return "en"
    else:
        fr = en = other = 0
    identifier = _identifier()
    # Most posts that reach the model get a confident answer; only the others need the
    # full ranking, which costs as much again.
    sample = plain[:_SAMPLE]
    code, confidence = identifier.classify(sample)
    if confidence >= _MIN_CONFIDENCE:
        return str(code)
    ranked = identifier.rank(sample)
    # Short posts spread the model's belief thin ("Service client nul" is 20 % Romanian,
    # 18 % French); social posts are far likelier French or English than Latin or
    # Esperanto, so either wins when the model ranks it near the top.
    for candidate, probability in ranked[:3]:
        near = probability >= max(_NEAR_TOP * confidence, _MIN_FR_EN)
        if candidate in ("fr", "en") and near:
            return str(candidate)
    # Too short for the model ("Merci !", "Thanks!"): one clear function word will do.
    if other == 0 and fr != en and min(fr, en) == 0:
        return "fr" if fr else "en"
    return None


class LanguageStage:
    """Tag each mention with an ISO 639-1 code, keeping what the network said."""

    name: ClassVar[str] = "language"
    version: ClassVar[str] = "words+py3langid-1"

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        for m in mentions:
            if m.lang_by == "source" and m.lang:
                continue
            m.lang = detect_language(m.text)
            m.lang_by = self.version
        return mentions
