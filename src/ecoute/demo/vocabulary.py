"""The demo's brands, queries and the words people use about them, in French and English.

Every brand here is invented. Posts are composed from templates whose slots are
filled from per-market word lists, then roughened the way people really type:
emojis, hashtags, elongations (« nuuuul »), dropped accents, slang, and a mix of
French and English. Complaint and praise templates carry the words a lexicon
hears (« nul », « remboursement », "refund"), ironic ones say the opposite of
what they mean, as people do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ecoute.model import Query, QueryKind
from ecoute.text import fold


@dataclass(frozen=True, slots=True)
class Brand:
    """An invented brand, the market it competes in and its accounts per platform."""

    name: str
    market: str
    kind: QueryKind
    weight: float  # share of its market's everyday conversation
    handles: tuple[tuple[str, str], ...]  # (platform, handle)

    @property
    def query(self) -> str:
        return fold(self.name)

    def handle(self, platform: str) -> str | None:
        return next((h for p, h in self.handles if p == platform), None)


BRANDS: tuple[Brand, ...] = (
    Brand(
        "Fleurimaud",
        "florists",
        QueryKind.BRAND,
        0.5,
        (
            ("twitter", "Fleurimaud"),
            ("youtube", "fleurimaud"),
            ("bluesky", "fleurimaud.fr"),
            ("mastodon", "fleurimaud@pro.social.example"),
        ),
    ),
    Brand("Bouquetéo", "florists", QueryKind.COMPETITOR, 0.3, (("twitter", "Bouqueteo"),)),
    Brand("Tigelys", "florists", QueryKind.COMPETITOR, 0.2, (("twitter", "tigelys_fleurs"),)),
    Brand(
        "Miettine",
        "biscuits",
        QueryKind.BRAND,
        0.5,
        (
            ("twitter", "Miettine_FR"),
            ("youtube", "miettine"),
            ("bluesky", "miettine.bsky.social"),
        ),
    ),
    Brand("Croquembel", "biscuits", QueryKind.COMPETITOR, 0.3, (("twitter", "croquembel"),)),
    Brand("Tartinoa", "biscuits", QueryKind.COMPETITOR, 0.2, (("twitter", "Tartinoa"),)),
    Brand(
        "Volterre",
        "ebikes",
        QueryKind.BRAND,
        0.6,
        (
            ("twitter", "volterre_bikes"),
            ("mastodon", "volterre@velo.social.example"),
            ("youtube", "volterre"),
        ),
    ),
    Brand("Roulivo", "ebikes", QueryKind.COMPETITOR, 0.4, (("twitter", "roulivo"),)),
)
BRAND_BY_NAME = {b.name: b for b in BRANDS}
MARKETS: dict[str, float] = {"florists": 0.36, "biscuits": 0.36, "ebikes": 0.28}

TOPICS: tuple[tuple[str, str], ...] = (
    ("huile-de-palme", "huile de palme"),
    ("palm-oil", "palm oil"),
    ("emballage-malin", "EmballageMalin"),
)

DEMO_QUERIES: list[Query] = [
    Query(name=b.query, expr=b.name, kind=b.kind, group=b.market) for b in BRANDS
] + [Query(name=name, expr=expr, kind=QueryKind.TOPIC) for name, expr in TOPICS]
"""The standing queries the demo workspace listens with: brands, competitors, topics."""


# -- market words ----------------------------------------------------------------------------
# Each slot list is (French, English). Products carry their article so templates agree.
WORDS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "florists": {
        "product": (
            (
                "un bouquet de pivoines",
                "un bouquet de roses",
                "une composition de saison",
                "un bouquet champêtre",
                "une orchidée",
                "un bouquet de tulipes",
                "un abonnement fleurs",
                "un bouquet de renoncules",
            ),
            (
                "a peony bouquet",
                "a dozen roses",
                "a seasonal arrangement",
                "a tulip bouquet",
                "an orchid",
                "a flower subscription",
                "a wildflower bouquet",
            ),
        ),
        "occasion": (
            (
                "l'anniversaire de ma mère",
                "la fête des mères",
                "notre anniversaire de mariage",
                "un enterrement",
                "le pot de départ d'une collègue",
                "la naissance de ma nièce",
            ),
            (
                "my mum's birthday",
                "our anniversary",
                "a funeral",
                "my sister's graduation",
                "a colleague's farewell",
                "Mother's Day",
            ),
        ),
        "issue": (
            (
                "livré avec deux jours de retard",
                "arrivé complètement fané",
                "jamais arrivé",
                "livré à la mauvaise adresse",
                "la moitié des fleurs cassées",
                "rien à voir avec la photo",
                "facturé deux fois",
            ),
            (
                "arrived two days late",
                "showed up completely wilted",
                "never arrived",
                "went to the wrong address",
                "looked nothing like the photo",
                "was charged twice",
            ),
        ),
        "praise": (
            (
                "les fleurs ont tenu deux semaines",
                "livraison pile à l'heure",
                "la composition était magnifique",
                "le livreur était super sympa",
                "ma mère a pleuré de joie",
                "emballage soigné et carte écrite à la main",
            ),
            (
                "the flowers lasted two weeks",
                "delivered right on time",
                "the arrangement was gorgeous",
                "my mum cried happy tears",
                "lovely packaging and a handwritten card",
            ),
        ),
        "question": (
            (
                "vous livrez le dimanche ?",
                "c'est possible de livrer à Lille demain matin ?",
                "il y a un code promo en ce moment ?",
                "on peut ajouter un mot écrit à la main ?",
                "vous livrez en Belgique ?",
                "comment je modifie l'adresse de livraison ?",
            ),
            (
                "do you deliver on Sundays?",
                "can you deliver to Brussels tomorrow?",
                "is there a promo code right now?",
                "can I add a handwritten note?",
                "how do I change the delivery address?",
            ),
        ),
        "tag": (
            ("#fleurs", "#bouquet", "#fêtedesmères", "#livraison"),
            ("#flowers", "#bouquet", "#delivery"),
        ),
    },
    "biscuits": {
        "product": (
            (
                "des sablés au beurre",
                "la pâte à tartiner",
                "des cookies aux pépites",
                "des barres de céréales",
                "des galettes bretonnes",
                "des biscuits fourrés",
                "le nouveau goûter au chocolat",
            ),
            (
                "butter shortbread",
                "the chocolate spread",
                "chocolate chip cookies",
                "cereal bars",
                "the new chocolate biscuits",
                "sandwich cookies",
            ),
        ),
        "occasion": (
            (
                "le goûter des enfants",
                "la pause café au bureau",
                "un pique-nique",
                "le dessert de ce soir",
                "un apéro improvisé",
            ),
            ("the kids' snack", "the office coffee break", "a picnic", "movie night"),
        ),
        "issue": (
            (
                "le paquet est à moitié vide",
                "la recette a changé et c'est moins bon",
                "le prix a encore augmenté",
                "ils étaient tous cassés",
                "trouvé un bout de plastique dedans",
                "date de péremption dépassée",
            ),
            (
                "came half empty",
                "tastes worse since the recipe changed",
                "got more expensive again",
                "arrived all broken",
                "had a bit of plastic inside",
            ),
        ),
        "praise": (
            (
                "le goûter parfait",
                "les enfants adorent",
                "les meilleurs sablés du rayon",
                "pur beurre et ça se sent",
                "enfin un emballage qui se recycle",
            ),
            (
                "the perfect snack",
                "the kids love them",
                "best shortbread in the aisle",
                "real butter and you can taste it",
                "finally packaging that recycles",
            ),
        ),
        "question": (
            (
                "il y a de l'huile de palme dedans ?",
                "c'est sans gluten ?",
                "on les trouve où à Toulouse ?",
                "l'emballage va au tri ou pas ?",
                "pourquoi ils ont disparu des rayons ?",
            ),
            (
                "is there palm oil in them?",
                "are they gluten free?",
                "where can I find them in London?",
                "is the packaging recyclable?",
            ),
        ),
        "tag": (("#goûter", "#biscuits", "#miam", "#courses"), ("#snacks", "#cookies", "#yum")),
    },
    "ebikes": {
        "product": (
            (
                "un vélo électrique",
                "un vélo cargo",
                "une batterie de rechange",
                "un vélo pliant",
                "le modèle City",
                "le nouveau VTT électrique",
            ),
            (
                "an e-bike",
                "a cargo bike",
                "a spare battery",
                "a folding e-bike",
                "the City model",
                "the new e-MTB",
            ),
        ),
        "occasion": (
            (
                "le vélotaf",
                "emmener les enfants à l'école",
                "les balades du week-end",
                "remplacer la voiture",
            ),
            ("my commute", "the school run", "weekend rides", "replacing the car"),
        ),
        "issue": (
            (
                "la batterie tient 20 km au lieu de 80",
                "trois semaines pour une pièce détachée",
                "le moteur grince",
                "l'appli ne se connecte plus",
                "le frein arrière lâche déjà",
            ),
            (
                "only does 20 km instead of 80",
                "needed three weeks for a spare part",
                "squeaks like crazy",
                "won't connect to the app",
                "lost its rear brake already",
            ),
        ),
        "praise": (
            (
                "80 km d'autonomie sans forcer",
                "le vélotaf a changé ma vie",
                "le SAV a changé la pièce en 48h",
                "ça monte les côtes comme rien",
            ),
            (
                "80 km of range easily",
                "commuting by bike changed my life",
                "support swapped the part in 48h",
                "it climbs hills like nothing",
            ),
        ),
        "question": (
            (
                "quelqu'un a testé le cargo ?",
                "ça vaut le coup avec la prime vélo ?",
                "autonomie réelle en hiver ?",
                "vous avez un atelier à Nantes ?",
            ),
            (
                "has anyone tried the cargo?",
                "what's the real range in winter?",
                "is it worth it over a regular bike?",
                "do you ship to Ireland?",
            ),
        ),
        "tag": (("#vélotaf", "#VAE", "#vélo"), ("#ebike", "#bikecommute", "#cycling")),
    },
}


# -- intent templates --------------------------------------------------------------------------
# Slots: {brand} {rival} {at} (the brand's @handle or its name) and the market words above.
TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "complaint": (
        (
            "Commandé {product} chez {brand} pour {occasion}… {issue}. Franchement nul.",
            "{brand} c'est vraiment nul, {issue} 😡",
            "Deuxième fois avec {brand} : {issue}. Et le service client ne répond pas.",
            "{at} {issue}, je fais comment pour être remboursée ?",
            "Déçue par {brand}. {issue}. Je ne recommande pas.",
            "Alors {brand}, on se moque des clients ? {issue}, toujours pas de remboursement",
            "Plus jamais {brand}. {issue} et personne au téléphone.",
            "{at} bonjour, {issue}. C'est inadmissible, j'attends une réponse.",
        ),
        (
            "Ordered {product} from {brand} for {occasion} and it {issue}. Terrible.",
            "{at} my order {issue}. Who do I talk to about a refund?",
            "{brand} customer service is useless. It {issue} and still no answer 🙄",
            "Never ordering from {brand} again, it {issue}.",
            "Really disappointed with {brand}: it {issue}.",
            "{at} hello? My order {issue} and nobody replies. Unacceptable.",
        ),
    ),
    "praise": (
        (
            "Merci {brand} ! {praise} 😍",
            "Franchement {brand} c'est top, {praise}.",
            "Je recommande {brand} les yeux fermés : {praise} 👏",
            "{praise}, bravo {brand} !",
            "{product} de chez {brand} pour {occasion} : {praise}. Merci !",
            "{at} merci pour {product}, {praise} 🙏",
        ),
        (
            "Thank you {brand}! {praise} 😍",
            "Honestly {brand} is great, {praise}.",
            "Can't recommend {brand} enough: {praise} 👏",
            "Got {product} from {brand} for {occasion} and {praise}. Love it!",
            "{at} thanks so much, {praise} 🙏",
        ),
    ),
    "question": (
        (
            "{at} {question}",
            "Quelqu'un a déjà commandé chez {brand} ? {question}",
            "Question pour {brand} : {question}",
            "{brand} ou {rival} pour {occasion} ? Et {question}",
        ),
        (
            "{at} quick question: {question}",
            "Has anyone tried {brand}? {question}",
            "{brand} or {rival} for {occasion}? Also {question}",
        ),
    ),
    "intent": (
        (
            "Je crois que je vais craquer pour {product} chez {brand} 😅",
            "J'hésite entre {brand} et {rival} pour {product}, des avis ?",
            "Ça y est, commande passée chez {brand} pour {occasion} ! Hâte de voir ça",
            "Je cherche {product} pour {occasion}, {brand} ça vaut le coup ?",
        ),
        (
            "Thinking about getting {product} from {brand}, any thoughts?",
            "{brand} or {rival}? I need {product} for {occasion}",
            "Just placed my first order with {brand} for {occasion}, fingers crossed",
            "About to buy {product} from {brand}, should I?",
        ),
    ),
    "irony": (
        (
            "Merci {brand} pour {product}… {issue}, vraiment au top 🙃",
            "Bravo {brand}, {issue}. Quel talent 👏👏",
            "Génial, {issue}. Merci {brand}, toujours un plaisir 🙄",
            "Super expérience avec {brand} : {issue}. Je recommande… ou pas.",
        ),
        (
            "Love how my {brand} order {issue}. Great job guys 🙃",
            "Wow {brand}, it {issue}. Truly next level service.",
            "Five stars to {brand} for the surprise: it {issue} 🙄",
        ),
    ),
    "chatter": (
        (
            "Pub {brand} vue trois fois ce matin dans le métro 😂",
            "Quelqu'un d'autre trouve que {brand} a changé de logo ?",
            "{brand} sort {product}, ça a l'air pas mal",
            "Petit passage chez {brand} pour {occasion}",
            "Entre {brand} et {rival} mon cœur balance",
            "{brand} en rupture partout, c'est normal ?",
        ),
        (
            "Just saw a {brand} ad on the subway lol",
            "{brand} vs {rival}: which one do you use?",
            "Did {brand} change their logo?",
            "{brand} is everywhere in my feed today",
            "Picked up {product} from {brand} for {occasion}",
        ),
    ),
    "mixed": (
        (
            "Le SAV de {brand} is a joke honestly 😩",
            "{brand} c'est trop good, best shop ever",
            "ngl {brand} ça passe crème 👌",
            "{brand} en mode customer first, j'avoue respect",
            "{issue}… {brand} what are you doing",
        ),
        (
            "Le SAV de {brand} is a joke honestly 😩",
            "{brand} c'est so good, best brand ever",
            "Weekend shopping chez {brand}, very chill",
        ),
    ),
}
INTENT_WEIGHTS: dict[str, float] = {
    "chatter": 0.24,
    "praise": 0.2,
    "complaint": 0.16,
    "question": 0.15,
    "intent": 0.1,
    "irony": 0.06,
    "mixed": 0.09,
}

# Blog and news headlines; the post's text becomes the article's summary.
HEADLINES: tuple[tuple[str, ...], tuple[str, ...]] = (
    (
        "{brand} : notre avis après un mois",
        "Test : {product} de chez {brand}",
        "{brand} ou {rival} : lequel choisir ?",
        "On a testé le service client de {brand}",
        "Bon plan : {brand} en promotion cette semaine",
        "Ce que vous dites de {brand}",
    ),
    (
        "{brand} review: one month later",
        "Tested: {product} from {brand}",
        "{brand} vs {rival}: which one should you pick?",
        "We tried {brand}'s customer service",
    ),
)
OFF_TOPIC_HEADLINES: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("Nos lecteurs ont la parole", "La revue de la semaine", "Vos questions, nos réponses"),
    ("Reader mailbag", "This week in review"),
)

# Posts about none of the brands: streams picked up on hashtags and keywords hear them too.
OFF_TOPIC: tuple[tuple[str, ...], tuple[str, ...]] = (
    (
        "Quelqu'un a une adresse de fleuriste sympa à Nantes ?",
        "Les pivoines du marché ce matin 😍 #fleurs",
        "Recette des sablés de ma grand-mère, un régal #goûter",
        "Vélotaf sous la pluie, motivation zéro ☔ #vélotaf",
        "On dit pain au chocolat, point final.",
        "Le marché aux fleurs de la place est ouvert jusqu'à 19h ce soir",
        "Qui a un bon plan pour réparer une crevaison sans démonte-pneu ?",
        "Il pleut, il fait froid, vivement le printemps 🌷",
        "Trop bien la balade à vélo le long du canal ce matin",
        "Goûter maison : cookies pépites et chocolat chaud. La vie est belle.",
    ),
    (
        "Anyone know a good florist in Manchester?",
        "Peonies are finally in season 🌸 #flowers",
        "Baked shortbread with the kids today, total chaos but delicious",
        "Rainy bike commute again, why do I live here ☔",
        "Hot take: tulips are overrated",
        "What's the best snack for a long train ride?",
        "Finally fixed my bike chain myself, feeling like a pro",
        "The farmers market had the most beautiful ranunculus today",
    ),
)

SLANG_OPENERS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("Bon.", "Bref,", "Sérieux", "Wesh", "Franchement", "Ptdr", "Mdr", "Bon bah", "Alors"),
    ("Ok so", "lol", "Honestly", "ngl", "tbh", "Not gonna lie,", "lowkey"),
)
MOOD_EMOJIS: dict[str, tuple[str, ...]] = {
    "negative": ("😡", "🤬", "😤", "😒", "👎", "😩", "💔"),
    "positive": ("😍", "🥰", "👏", "🎉", "💯", "✨", "❤️", "🙏"),
    "neutral": ("🤔", "👀", "😅", "🙂", "😂"),
}
# « nul » becomes « nuuuul »: the letter that people stretch in each word.
ELONGATIONS: dict[str, str] = {
    "nul": "u",
    "trop": "o",
    "top": "o",
    "bien": "e",
    "so": "o",
    "love": "o",
    "good": "o",
    "jamais": "a",
    "honte": "o",
    "merci": "i",
    "great": "a",
    "never": "e",
    "super": "u",
}

FR_NAMES = (
    "Camille Léa Manon Chloé Inès Sarah Julie Emma Louise Alice Clara Lucie Anaïs Pauline "
    "Marion Élodie Thomas Lucas Hugo Nicolas Julien Maxime Antoine Louis Paul Théo Mathieu "
    "Karim Yanis Mehdi Nadia Sofia Bastien Cédric Aurélie Sandrine Valérie Yasmine Gaëlle"
).split()
FR_SURNAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Bonnet Dupont "
    "Lambert Fontaine Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Mathieu Benali"
).split()
EN_NAMES = (
    "Emily Olivia Sophie Grace Chloe Hannah Jessica Amy Lucy Megan James Oliver Harry Jack "
    "Daniel Ryan Liam Ethan Noah Connor Priya Aisha Sam Alex Jordan Taylor Chris"
).split()
EN_SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Evans Walker Wright Thompson "
    "White Hughes Edwards Green Hall Wood Harris Clarke Patel Khan Murphy Kelly O'Brien"
).split()


def compose(
    rng: random.Random, market: str, intent: str, lang: str, brand: Brand, rival: Brand, at: str
) -> str:
    """Return a post of `intent` about `brand` in `lang`, roughened like a real one."""
    index = 0 if lang == "fr" else 1
    words = WORDS[market]
    template = rng.choice(TEMPLATES[intent][index])
    # A mixed post borrows the other language's word list half the time.
    slots = index if intent != "mixed" else rng.randrange(2)
    text = template.format(
        brand=brand.name,
        rival=rival.name,
        at=at,
        **{slot: rng.choice(values[slots]) for slot, values in words.items() if slot != "tag"},
    )
    mood = {"complaint": "negative", "praise": "positive", "irony": "negative"}.get(
        intent, "neutral"
    )
    return roughen(rng, text, lang, mood, words["tag"][index])


def roughen(rng: random.Random, text: str, lang: str, mood: str, tags: tuple[str, ...] = ()) -> str:
    """Type `text` the way people do: emojis, a hashtag, a stretched word, no accents."""
    index = 0 if lang == "fr" else 1
    roll = rng.random()
    if roll < 0.08:
        text = f"{rng.choice(SLANG_OPENERS[index])} {text[0].lower()}{text[1:]}"
    if rng.random() < 0.12:
        text = _elongate(rng, text)
    if rng.random() < 0.3:
        text = f"{text} {rng.choice(MOOD_EMOJIS[mood])}"
    if tags and rng.random() < 0.18:
        text = f"{text} {rng.choice(tags)}"
    if rng.random() < 0.06:
        text = text.lower()
    if lang == "fr" and rng.random() < 0.08:
        text = fold(text)  # typed on a phone without accents
    return text


def _elongate(rng: random.Random, text: str) -> str:
    tokens = text.split(" ")
    candidates = [i for i, t in enumerate(tokens) if t.lower().strip(",.!?") in ELONGATIONS]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = tokens[i]
    letter = ELONGATIONS[word.lower().strip(",.!?")]
    at = word.lower().index(letter)
    tokens[i] = word[: at + 1] + letter * rng.randint(2, 5) + word[at + 1 :]
    return " ".join(tokens)


def headline(
    rng: random.Random, market: str, lang: str, brand: Brand | None, rival: Brand | None
) -> str:
    """A blog or news title about `brand`, or a generic one when it is about no brand."""
    index = 0 if lang == "fr" else 1
    if brand is None or rival is None:
        return rng.choice(OFF_TOPIC_HEADLINES[index])
    product = rng.choice(WORDS[market]["product"][index])
    title = rng.choice(HEADLINES[index]).format(brand=brand.name, rival=rival.name, product=product)
    return title[0].upper() + title[1:]


def summary(rng: random.Random, market: str, lang: str, brand: Brand) -> str:
    """An article's summary: a few weeks with `brand`, and the verdict."""
    index = 0 if lang == "fr" else 1
    good = rng.random() < 0.6
    detail = rng.choice(WORDS[market]["praise" if good else "issue"][index])
    if lang == "fr":
        return f"Nous avons testé {brand.name} pendant plusieurs semaines. Le verdict : {detail}."
    return f"We spent a few weeks with {brand.name}. The verdict: {'' if good else 'it '}{detail}."


def person_name(rng: random.Random, lang: str) -> str:
    """Return an invented full name that sounds French or English."""
    if lang == "fr":
        return f"{rng.choice(FR_NAMES)} {rng.choice(FR_SURNAMES)}"
    return f"{rng.choice(EN_NAMES)} {rng.choice(EN_SURNAMES)}"
