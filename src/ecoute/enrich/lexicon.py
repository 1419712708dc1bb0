"""A bilingual sentiment lexicon with the rules social posts need, and its explanations.

Words, slang, emojis and emoticons carry a valence; rules then adjust it the way
people write online: a negation flips and softens what follows (« pas terrible »,
"not bad"), an intensifier or a stretched word (« nuuuul ») strengthens it, capitals
shout it, a "but" / « mais » moves the weight onto what comes after, and irony
markers (#ironie, /s, 🙃) warn that praise may be mockery. The result is both a
set of features for the trained model and the human explanation of a label.

The emoji valences not written here come from the Emoji Sentiment Ranking
(CC BY-SA 4.0, see data/emoji_sentiment.tsv).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from ecoute.enrich.tokens import EMOJI, EMOTICON, HASHTAG, PUNCT, WORD, Token, unstretch
from ecoute.text import fold

# Valences on a -2..+2 scale, keyed by folded, de-stretched words. French and English
# share one table: a post often mixes them, and the few false friends are handled below.
_WORDS: dict[float, str] = {
    2.0: (
        # French
        "adore adorer adorons genial geniale geniaux excellent excellente parfait parfaite "
        "magnifique magnifiques merveilleux merveilleuse incroyable sublime extraordinaire "
        "fantastique formidable exceptionnel exceptionnelle ravi ravie ravis enchante "
        "enchantee bravo felicitations meilleur meilleure meilleurs kiffe kiffer kif "
        "ouf dinguerie masterclass pepite "
        # English
        "love loved loving lovely awesome amazing excellent perfect fantastic wonderful "
        "brilliant superb outstanding incredible best delighted thrilled congrats "
        "congratulations masterpiece goat"
    ),
    1.0: (
        # French
        "bien bon bonne bons bonnes super top cool sympa chouette beau belle beaux belles "
        "jolie joli content contente contents heureux heureuse satisfait satisfaite "
        "satisfaits aime aimer aimons aimez plaisir merci efficace rapide agreable fiable "
        "impeccable nickel delicieux delicieuse recommande recommander conseille pratique "
        "utile qualite gentil gentille serviable reactif reactive facile bienvenue espoir "
        "bonheur joie rire sourire gagne gagner victoire reussi reussite succes fier fiere "
        "enfin solide clair propre classe style frais fraiche drole marrant "
        "resolu regle confortable bonjour youpi yes "
        # English
        "good great nice enjoy enjoyed enjoying happy glad pleased fun "
        "thanks thank thx ty helpful fast easy reliable recommend recommended beautiful "
        "pretty cute delicious favourite favorite fav win wins won winning fixed resolved "
        "smooth impressive cool excited exciting proud hope hopefully yay wow lit fire "
        "solid fresh clean worth welcome glad kind friendly support supportive safe "
        "interesting"
    ),
    0.5: "ok okay correct fine decent alright interessant like liked likes",
    -0.5: (
        "bof moyen moyenne mouais meh mid hmm lent lente cher chere chers cheres "
        "complique attente slow expensive pricey waiting wait "
        "confusing weird bizarre chelou relou"
    ),
    -1.0: (
        # French
        "mauvais mauvaise mal decu decue decus deception probleme problemes panne pannes "
        "bug bugs bugue plainte retard retards triste colere enerve enervee enervant fache "
        "fachee casse cassee perdu perdue naze pourri pourrie galere galerer marre "
        "fatigue fatigant arnaquer rembourser remboursement annule annulation "
        "erreur faux fausse mensonge ment mentir menteur injuste peur inquiet inquiete "
        "danger dangereux grave malheureusement helas dommage tristesse mort morts tue "
        "crise menace echec rate ratee pire bloque bloquee supprime censure "
        "honte ridicule stupide bete debile chiant chiante "
        "insupportable lamentable mediocre inutile incompetent incompetents degueu "
        "sale sales beurk triste attaque polluer pollution catastrophique "
        # English
        "bad poor sad angry upset annoyed annoying broken lost late delay delayed "
        "problem problems issue issues bug error fail failed fails failure wrong refund "
        "cancel cancelled canceled sorry unfortunately worried worry afraid fear scared "
        "danger dangerous crisis threat dead death died kill killed hurt pain sick tired "
        "stupid dumb ugly boring useless rude slowest lie lies lied liar unfair "
        "ridiculous shame sucks suck trash crap meh smh ugh wtf damn hell blocked "
        "deleted censored disappointed disappointing mess struggle stuck"
    ),
    -2.0: (
        # French
        "nul nulle nuls nulles horrible horribles honte honteux honteuse arnaque "
        "arnaques arnaqueur scandale scandaleux scandaleuse inadmissible inacceptable "
        "catastrophe deteste detester hais hair degoute degoutee degoutant degueulasse "
        "escroc escrocs escroquerie voleur voleurs furieux furieuse ecoeure ecoeurant "
        "immonde minable pathetique pitoyable merde merdique putain boycott boycotter "
        "connard connards fdp enfoires abominable odieux horreur cauchemar "
        # English
        "terrible awful horrible worst hate hated hates hating disgusting disgusted "
        "scam scammed fraud furious outrageous unacceptable pathetic shit shitty fuck "
        "fucking garbage nightmare boycott lawsuit abysmal atrocious appalling"
    ),
}
WORDS: dict[str, float] = {
    word.replace("_", " "): valence for valence, text in _WORDS.items() for word in text.split()
}
# « terrible » means great in French slang but awful in English; alone it stays mildly
# negative, and « pas terrible » (not great) is handled as a phrase below.
WORDS["terrible"] = -1.0
# Words whose accent changes their meaning: « j'ai hâte » (can't wait) is not "hate".
ACCENTED: dict[str, float] = {"hâte": 1.0, "hâtes": 1.0, "hâté": 0.0}
# Two-word phrases whose meaning is not the sum of their words.
PHRASES: dict[tuple[str, str], float] = {
    ("pas", "mal"): 1.0,  # « pas mal » is praise
    ("pas", "terrible"): -1.0,  # « pas terrible » is disappointment
    ("pas", "top"): -1.0,
    ("plus", "jamais"): -2.0,  # « plus jamais » is a customer lost
    ("never", "again"): -2.0,
    ("trop", "bien"): 2.0,
    ("trop", "cool"): 2.0,
    ("de", "ouf"): 1.0,
    ("not", "bad"): 1.0,
    ("no", "problem"): 0.5,
    ("no", "worries"): 0.5,
    ("aucun", "probleme"): 0.5,
    ("sans", "souci"): 0.5,
    ("sans", "probleme"): 0.5,
    ("well", "done"): 2.0,
    ("thank", "you"): 1.0,
    ("merci", "beaucoup"): 1.0,
}
NEGATIONS = frozenset(
    "pas ne n jamais aucun aucune sans rien ni guere "
    "not no never none nobody nothing without neither nor cannot cant dont doesnt didnt "
    "isnt wasnt arent werent wont wouldnt shouldnt couldnt havent hasnt hadnt aint "
    "don't doesn't didn't isn't wasn't aren't weren't won't wouldn't shouldn't couldn't "
    "haven't hasn't hadn't ain't can't".split()
)
INTENSIFIERS: dict[str, float] = {
    "tres": 1.5, "trop": 1.5, "vraiment": 1.5, "grave": 1.5, "tellement": 1.5, "hyper": 1.6,
    "ultra": 1.6, "completement": 1.5, "totalement": 1.5, "absolument": 1.6,
    "extremement": 1.8, "carrement": 1.5, "vachement": 1.5, "archi": 1.6,
    "very": 1.5, "really": 1.5, "so": 1.3, "soo": 1.5, "extremely": 1.8, "totally": 1.5,
    "absolutely": 1.6, "super": 1.4, "incredibly": 1.7, "truly": 1.4, "damn": 1.3,
    "fucking": 1.6, "sooo": 1.6, "mega": 1.5, "such": 1.3, "most": 1.3,
    "un peu": 0.6, "assez": 0.8, "plutot": 0.8, "slightly": 0.6, "somewhat": 0.7,
    "kinda": 0.7, "fairly": 0.8, "bit": 0.6, "little": 0.7,
}  # fmt: skip
# After these, what follows weighs more than what came before: "nice app but it crashes".
CONTRASTS = frozenset("mais pourtant cependant toutefois neanmoins but however though yet".split())
IRONY_TAGS = frozenset("ironie sarcasme sarcasm sarcastic irony not jk".split())
# Emojis and emoticons people use to wink or to mock.
IRONY_SIGNS = frozenset({"🙃", "😏", "🤡", "🙄", "😒", "/s"})
EMOTICONS: dict[str, float] = {
    ":)": 1.0, ":-)": 1.0, "(:": 1.0, ":]": 1.0, "=)": 1.0, ":d": 1.5, ":-d": 1.5, "xd": 1.0,
    ";)": 1.0, ";-)": 1.0, ":p": 0.5, ":-p": 0.5, "<3": 1.5, "^^": 1.0, "^_^": 1.0,
    ":(": -1.5, ":-(": -1.5, ":'(": -1.5, "):": -1.5, ":[": -1.0, ":/": -1.0, ":-/": -1.0,
    ":\\": -1.0, ":|": -0.5, "-_-": -1.0, "</3": -1.5, "t_t": -1.5, "o_o": -0.5,
}  # fmt: skip
# Faces whose everyday use differs from the ranking's average (😂 mocks as often as it laughs).
_EMOJIS_WRITTEN: dict[str, float] = {
    "😍": 2, "🥰": 2, "😘": 1.5, "❤": 1.5, "💕": 1.5, "💖": 1.5, "💙": 1.5, "💚": 1.5,
    "😀": 1.5, "😃": 1.5, "😄": 1.5, "😁": 1.5, "😊": 1.5, "🙂": 0.5, "😉": 1, "🤩": 2,
    "👍": 1.5, "👏": 1.5, "🎉": 1.5, "🥳": 1.5, "🙏": 0.5, "✨": 0.5, "💯": 1, "🔥": 1,
    "👌": 1, "💪": 1, "✅": 0.5, "⭐": 1, "🌟": 1, "😎": 1, "🤗": 1.5, "😆": 1, "🤣": 0.5,
    "😂": 0.3, "😅": 0, "🤔": 0, "😐": -0.5, "😑": -0.5, "😶": -0.5, "🙃": -0.5,
    "😡": -2, "🤬": -2, "😠": -1.5, "😤": -1.5, "😢": -1.5, "😭": -1.5, "😞": -1.5,
    "😔": -1, "😩": -1.5, "😫": -1.5, "😖": -1.5, "😣": -1, "😟": -1, "😕": -1, "🙁": -1,
    "☹": -1.5, "👎": -1.5, "💩": -1.5, "🙄": -1, "😒": -1, "💔": -1.5, "🤮": -2,
    "🤢": -1.5, "😱": -1, "😨": -1, "😰": -1, "🤦": -1, "🤡": -1, "❌": -0.5, "⚠": -0.5,
}  # fmt: skip
_NEGATION_REACH = 3
_NEGATION_FACTOR = -0.7  # negation softens as it flips: "not good" is less than "bad"
_SHOUT = 1.3
_STRETCH = 1.3
_EXCLAIM = 1.2
_CONTRAST_BEFORE = 0.5
_CONTRAST_AFTER = 1.5


# Every folded word that some rule of `score` reads; any other word only resets a boost.
_RULED = frozenset(
    {*WORDS, *NEGATIONS, *CONTRASTS, *INTENSIFIERS, *IRONY_TAGS, "un"}
    | {head for head, _ in PHRASES}
    | {fold(word) for word in ACCENTED}
)


@cache
def emojis() -> dict[str, float]:
    """Return emoji valences: the ones written here, then the ranking's, on the -2..2 scale."""
    table: dict[str, float] = {}
    data = files("ecoute.enrich").joinpath("data/emoji_sentiment.tsv").read_text("utf-8")
    for line in data.splitlines():
        if not line or line.startswith("#") or line.startswith("emoji\t"):
            continue
        emoji, _occurrences, score = line.split("\t")
        table[emoji.rstrip("\ufe0f")] = round(2 * float(score), 2)
    table.update(_EMOJIS_WRITTEN)
    return table


@dataclass(slots=True)
class Valence:
    """What the lexicon and rules found in one post."""

    positive: float = 0.0
    negative: float = 0.0
    hits: int = 0
    negations: int = 0
    irony: int = 0
    shouts: int = 0
    contrast: bool = False
    explanation: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return self.positive + self.negative


def _lookup(norm: str, is_stretched: bool) -> float | None:
    value = WORDS.get(norm)
    if value is None and is_stretched:
        value = WORDS.get(unstretch(norm))
    return value


def score(tokens: list[Token]) -> Valence:
    """Sum the valence of `tokens` under the negation, intensity, contrast and irony rules."""
    found = Valence()
    table = emojis()
    negated_until = -1
    boost = 1.0
    contrast_at = -1
    values: list[tuple[int, float, str]] = []
    skip = 0
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        kind, text, norm, shouted, stretched = tok  # unpacking beats NamedTuple attributes
        if kind in (WORD, HASHTAG):
            word = norm[1:] if kind == HASHTAG else norm
            if word not in _RULED and not stretched:
                boost = 1.0  # most words carry no valence and start no rule
                continue
            if kind == HASHTAG and word in IRONY_TAGS:
                found.irony += 1
                found.explanation.append(f"irony: {text}")
                continue
            if i + 1 < n and tokens[i + 1].kind == WORD:
                nxt = tokens[i + 1].norm
                phrase = PHRASES.get((word, nxt))
                if phrase is not None:
                    values.append((i, phrase * boost, f"{text} {tokens[i + 1].text}"))
                    boost = 1.0
                    skip = 1
                    continue
                if word == "un" and nxt == "peu":
                    boost = INTENSIFIERS["un peu"]
                    skip = 1
                    continue
            if word in NEGATIONS:
                negated_until = i + _NEGATION_REACH
                found.negations += 1
                found.explanation.append(f"negation: {text}")
                continue
            if word in CONTRASTS and values:
                contrast_at = len(values)
                found.contrast = True
                found.explanation.append(f"contrast: {text}")
                continue
            if word in INTENSIFIERS and word not in WORDS:
                boost = INTENSIFIERS[word]
                continue
            value = ACCENTED.get(text.lower()) or _lookup(word, stretched)
            if value is None:
                boost = 1.0
                continue
            why = text
            value *= boost
            if stretched:
                value *= _STRETCH
                why += " (stretched)"
            if shouted:
                value *= _SHOUT
                found.shouts += 1
                why += " (caps)"
            if i <= negated_until:
                value *= _NEGATION_FACTOR
                why += " (negated)"
            if i + 1 < n and tokens[i + 1].kind == PUNCT and tokens[i + 1].norm == "!":
                value *= _EXCLAIM
            values.append((i, value, why))
            boost = 1.0
        elif kind == EMOJI:
            value = table.get(text)
            if text in IRONY_SIGNS:
                found.irony += 1
            if value:
                values.append((i, value, text))
        elif kind == EMOTICON:
            value = EMOTICONS.get(norm)
            if value:
                values.append((i, value, text))
        elif kind == PUNCT and norm in ("!", "?!") and stretched:
            found.explanation.append(f"emphasis: {text}")
        elif norm == "/s":
            found.irony += 1
    for j, (_i, value, why) in enumerate(values):
        if contrast_at >= 0:
            value *= _CONTRAST_BEFORE if j < contrast_at else _CONTRAST_AFTER
        if value > 0:
            found.positive += value
        else:
            found.negative += value
        found.hits += 1
        found.explanation.append(f"{why}({value:+.1f})")
    if found.irony and found.positive > 0 and found.negative == 0:
        found.explanation.append("irony marker with praise: may be mockery")
    return found
