"""The stories the demo tells, placed in time from its end so every replay holds them.

* ``ECO_PACKAGING``: Miettine launches an eco-packaging campaign (#EmballageMalin).
* ``PALM_OIL``: an NGO starts a copy-paste campaign against Miettine's palm oil; hundreds
  of near-identical messages flood the brand, its campaign included.
* ``CRISIS``: a Fleurimaud customer's flowers never arrive; her first complaint is
  ignored, customer service answers rudely, the brand deletes her comments, and the story
  snowballs for about 36 hours until the brand apologises and promises a refund.

Each episode is anchored on a calendar day counted back from the replay's end (UTC),
with beats at fixed times of that day, so tests and alert benchmarks can find them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ecoute.demo.cast import Persona, account_id
from ecoute.demo.payloads import Post
from ecoute.demo.vocabulary import roughen
from ecoute.demo.world import World, activity, brand_named, poisson
from ecoute.model import utc


@dataclass(frozen=True, slots=True)
class Beat:
    """One moment of an episode: how long after the episode's day began, and what happens."""

    offset: timedelta
    what: str


@dataclass(frozen=True, slots=True)
class Episode:
    """A story of the replay, anchored `days_before_end` days before the end's date."""

    name: str
    query: str  # the demo query whose mentions tell the story
    days_before_end: int
    beats: tuple[Beat, ...]

    def day(self, end: datetime) -> datetime:
        """Midnight UTC of the episode's first day."""
        return datetime.combine(utc(end).date(), time(), tzinfo=utc(end).tzinfo) - timedelta(
            days=self.days_before_end
        )

    def at(self, end: datetime, what: str) -> datetime:
        """When the beat named `what` happens in a replay ending at `end`."""
        beat = next((b for b in self.beats if b.what == what), None)
        if beat is None:
            raise KeyError(
                f"{self.name} has no beat {what!r}; it has {', '.join(b.what for b in self.beats)}"
            )
        return self.day(end) + beat.offset

    def window(self, end: datetime) -> tuple[datetime, datetime]:
        """(first beat, last beat) of the episode."""
        return self.day(end) + self.beats[0].offset, self.day(end) + self.beats[-1].offset


def _h(hours: float, days: int = 0) -> timedelta:
    return timedelta(days=days, hours=hours)


CRISIS = Episode(
    "florist-crisis",
    "fleurimaud",
    9,
    (
        Beat(_h(8 + 40 / 60), "first complaint"),
        Beat(_h(11 + 5 / 60), "rude answer"),
        Beat(_h(12 + 10 / 60), "second complaint"),
        Beat(_h(13 + 20 / 60), "deletion"),
        Beat(_h(13 + 45 / 60), "problem solved"),
        Beat(_h(14.5), "her story"),
        Beat(_h(7 + 50 / 60, 1), "pickup"),
        Beat(_h(10.25, 1), "blog post"),
        Beat(_h(16, 1), "peak"),
        Beat(_h(20.5, 1), "refund promised"),
        Beat(_h(0, 3), "calm"),
    ),
)
PALM_OIL = Episode(
    "palm-oil-campaign",
    "miettine",
    19,
    (
        Beat(_h(9), "call to action"),
        Beat(_h(19.5), "biggest wave"),
        Beat(_h(15, 1), "brand statement"),
        Beat(_h(23, 2), "end"),
    ),
)
ECO_PACKAGING = Episode(
    "eco-packaging",
    "emballage-malin",
    24,
    (
        Beat(_h(10), "launch"),
        Beat(_h(10, 14), "end"),
    ),
)
STORYLINE: tuple[Episode, ...] = (ECO_PACKAGING, PALM_OIL, CRISIS)

_FLEURIMAUD = "Fleurimaud"
_MIETTINE = "Miettine"


def play(world: World, scale: float) -> None:
    """Write every episode into `world`."""
    _eco_packaging(world, scale)
    _palm_oil(world, scale)
    _crisis(world, scale)


# -- the florist crisis ------------------------------------------------------------------------
_OUTRAGE = (
    (
        "Supprimer les commentaires d'une cliente au lieu de la rembourser… Bravo {b}, la honte.",
        "Plus jamais je commande chez {b}. Refuser un remboursement parce que la cliente s'est "
        "plainte en public, c'est scandaleux.",
        "{b} qui bloque une cliente au lieu de livrer ses fleurs 🤡 com de crise niveau zéro",
        "« Cette page n'est pas un défouloir » dit {b}. Non, c'est un service client. Enfin, ça "
        "devrait.",
        "Je viens d'annuler ma commande {b} pour la fête des mères. Hors de question.",
        "Bon courage à @claire_mrn, ce que fait {b} est honteux",
        "{b} nul. Supprimer les plaintes au lieu de les traiter 🤬",
        "Le community manager de {b} a vraiment cru que supprimer des commentaires allait régler "
        "le problème ?",
        "Effet Streisand en direct chez {b} 🍿",
        "J'avais commandé chez {b} le mois dernier, jamais plus. Arnaque.",
        "Le SAV de {b} : pas de remboursement si vous vous plaignez. Sinon, pas de remboursement "
        "non plus. Génial.",
        "Pire gestion de crise de l'année, et on est qu'en mai. {b}, sérieusement ?",
    ),
    (
        "A French florist, {b}, deleted a customer's complaints and banned her instead of "
        "refunding her. Never ordering from them.",
        "{b} refusing a refund BECAUSE the customer complained publicly is wild.",
        "Textbook Streisand effect from {b} 🍿",
        "Imagine deleting complaints instead of delivering the flowers. {b}, what are you doing?",
        "This {b} story is a masterclass in how not to do customer service.",
        "{b} deleted her comments and blocked her. Disgusting way to treat a customer.",
        "So {b} thinks a refund is optional if you complain in public? Awful.",
    ),
)
_QUOTES = (
    (
        "C'est quoi ce délire {b} ?? 👇",
        "Lisez ça 👇 {b} c'est non.",
        "{b} 👇 vous êtes sérieux ?",
        "Honteux. {b} doit rembourser cette cliente.",
    ),
    ("Wow. {b} 👇", "This is unbelievable, {b} 👇", "{b} needs to fix this. Now."),
)
_CHAIN = (
    "⚠️ {b} a refusé de rembourser une cliente parce qu'elle s'était plainte en public, puis a "
    "supprimé ses commentaires et l'a bloquée. Partagez pour qu'elle soit remboursée ! "
    "#Boycott{b}",
    "⚠️ {b} refused to refund a customer because she complained in public, then deleted her "
    "comments and banned her. Share so she gets her money back! #Boycott{b}",
)
_SOLVED_REPLIES = (
    (
        "Réglé ? Elle n'a toujours ni fleurs ni remboursement.",
        "« pas un défouloir » 😂 vous êtes sérieux ?",
        "Réglé en supprimant ses messages, c'est ça ?",
        "Le problème n'est pas réglé du tout. Remboursez-la.",
        "Quel mépris pour vos clients. Honteux.",
    ),
    (
        "Solved? She still has no flowers and no refund.",
        '"Not an outlet" lol. Yikes.',
        "Deleting her posts is not solving anything.",
    ),
)
_CHANNEL = (
    (
        "Rendez l'argent à Claire.",
        "Pourquoi vous supprimez les commentaires ? 🤔",
        "On veut des explications sur les commentaires supprimés.",
        "Jolie vidéo, dommage que le SAV soit aussi nul.",
    ),
    ("Give the customer her money back.", "Why are you deleting comments?"),
)
_AFTER = (
    (
        "Enfin ! {b} va rembourser Claire. Il aura fallu 36h de bad buzz.",
        "Trop tard {b}, vous avez perdu une cliente.",
        "Bien joué pour les excuses {b}, mais fallait commencer par là.",
        "Bon, {b} rembourse enfin. Leçon retenue j'espère.",
        "Les excuses de {b} sont correctes, mais la suppression des commentaires reste "
        "inacceptable.",
        "Fin de l'affaire {b}. Retenez : on ne supprime pas une plainte, on la traite.",
        "Je ne commanderai plus chez {b}, excuses ou pas.",
    ),
    (
        "Good on {b} for finally refunding her, but deleting her posts was a terrible call.",
        "{b} apologised. Took them 36 hours and a viral thread.",
        "Too little too late, {b}.",
        "Glad the customer got her refund. {b}, lesson learned I hope.",
    ),
)
_RIVALS = (
    (
        "J'ai commandé chez {r} à la place, livré à l'heure et un SAV qui répond 👌",
        "Au moins chez {r} ils répondent aux clients 😉",
    ),
    ("Switched to {r} after the whole mess, delivery was on time.",),
)


def _crisis(world: World, scale: float) -> None:
    end, rng, cast = world.end, world.rng, world.cast
    b = brand_named(_FLEURIMAUD)
    brand_x = cast.brand_account(b, "twitter")
    brand_yt = cast.brand_account(b, "youtube")
    brand_bsky = cast.brand_account(b, "bluesky")
    assert brand_x and brand_yt and brand_bsky
    claire, claire_yt, care = cast.named["claire"], cast.named["claire_yt"], cast.named["care"]
    video = world.video("florists", owner=brand_yt)

    def beat(what: str, minutes: float = 0) -> datetime:
        return CRISIS.at(end, what) + timedelta(minutes=minutes)

    first = world.post(
        "youtube",
        claire_yt,
        (
            "Bonjour, j'ai commandé un bouquet de pivoines (commande FL-48213) pour l'anniversaire "
            "de ma mère, livraison prévue samedi. Rien n'est arrivé et personne ne répond au "
            "téléphone. Pouvez-vous me rembourser ou livrer ? Très déçue."
        ),
        beat("first complaint"),
        lang="fr",
        venue=video.id,
        venue_owner=brand_yt,
        story="crisis",
    )
    tweet = world.post(
        "twitter",
        claire,
        (
            "@Fleurimaud commande FL-48213 jamais livrée, l'anniversaire de ma mère est passé. "
            "J'ai écrit au service client, pas de réponse. Vous pouvez m'aider ?"
        ),
        beat("first complaint", 12),
        lang="fr",
        story="crisis",
    )
    rude = world.post(
        "twitter",
        care,
        (
            "@claire_mrn Madame, vous avez choisi d'étaler votre problème en public. Dans ces "
            "conditions, nous ne procéderons ni au remboursement ni à la livraison. Le service "
            "client."
        ),
        beat("rude answer"),
        lang="fr",
        parent=tweet,
        reach=6,
        story="crisis",
    )
    world.post(
        "twitter",
        claire,
        (
            "@Fleurimaud_SAV Pardon ?? Pas de remboursement PARCE QUE je me plains en public ? "
            "C'est une blague ? 😡"
        ),
        beat("rude answer", 26),
        lang="fr",
        parent=rude,
        story="crisis",
    )
    second = world.post(
        "youtube",
        claire_yt,
        (
            "Je repose ma question puisque personne ne répond : commande FL-48213 jamais livrée, "
            "et votre SAV refuse de me rembourser parce que je me suis plainte publiquement. "
            "C'est honteux."
        ),
        beat("second complaint"),
        lang="fr",
        venue=video.id,
        venue_owner=brand_yt,
        story="crisis",
    )
    for i, removed in enumerate((first, second)):
        if removed is not None:
            removed.deleted_at = beat("deletion", 3 + 4 * i)
            removed.deleted_by = "moderator"
    solved_text = (
        "Le problème de notre cliente est réglé. Nous rappelons que cette page n'est "
        "pas un défouloir. Merci de votre compréhension."
    )
    solved = world.post(
        "twitter", brand_x, solved_text, beat("problem solved"), lang="fr", reach=3, story="crisis"
    )
    world.post(
        "bluesky", brand_bsky, solved_text, beat("problem solved", 1), lang="fr", story="crisis"
    )
    claire.surge = (beat("her story", 240), 4_870)
    story = world.post(
        "twitter",
        claire,
        (
            "Fleurimaud ne m'a jamais livré mes fleurs. Leur SAV refuse de me rembourser parce que "
            "je me suis plainte en public. Ils ont supprimé mes commentaires et m'ont bloquée. Et "
            "maintenant ils disent que « le problème est réglé ». Non, rien n'est réglé."
        ),
        beat("her story"),
        lang="fr",
        reach=160,
        story="crisis",
    )

    lucie = world.post(
        "twitter",
        cast.named["lucie"],
        (
            "Une cliente de @Fleurimaud n'a jamais reçu ses fleurs. Le SAV lui refuse le "
            "remboursement « parce qu'elle s'est plainte en public », puis la marque supprime ses "
            "commentaires et la bloque. J'ai contacté Fleurimaud, pas de réponse. 🧵 "
            "https://t.co/Qm8rLx2VfA"
        ),
        beat("pickup"),
        lang="fr",
        quoted=story,
        reach=4,
        story="crisis",
    )
    world.post(
        "twitter",
        cast.named["lucie"],
        (
            "Rappel : un vendeur en ligne doit livrer ou rembourser, que le client se plaigne en "
            "public ou non. Supprimer les avis n'y change rien."
        ),
        beat("pickup", 3),
        lang="fr",
        parent=lucie,
        reach=2,
        story="crisis",
    )
    world.post(
        "mastodon",
        cast.named["lucie_masto"],
        (
            "Une cliente de Fleurimaud n'a jamais reçu ses fleurs ; le SAV refuse de la rembourser "
            "parce qu'elle s'est plainte en public, puis la marque supprime ses commentaires. "
            "#consommation #Fleurimaud"
        ),
        beat("pickup", 15),
        lang="fr",
        reach=2,
        story="crisis",
    )
    blog = world.post(
        "rss",
        cast.named["margaux_blog"],
        "",
        beat("blog post"),
        lang="fr",
        title="Fleurimaud, ou comment transformer une livraison ratée en crise",
        body=(
            "Une commande jamais livrée, un service client qui refuse le "
            "remboursement, des commentaires supprimés : récit d'un bad buzz "
            "évitable, et ce que les marques devraient en retenir."
        ),
        venue="Le Carnet de Margaux",
        story="crisis",
    )
    if blog is not None:
        blog.text = f"{blog.title}\n\n{blog.body}"
        world.post(
            "mastodon",
            cast.named["margaux"],
            (
                f"J'ai écrit sur l'affaire Fleurimaud : ce qu'une marque ne doit jamais faire "
                f"avec une cliente mécontente. {blog.native_id}"
            ),
            beat("blog post", 6),
            lang="fr",
            reach=1.5,
            story="crisis",
        )
    apology = (
        "Nous avons eu tort. Claire, nous vous présentons nos excuses : votre commande "
        "sera intégralement remboursée et un bouquet vous sera livré demain. Supprimer "
        "vos commentaires était une erreur ; nous revoyons nos règles de modération."
    )
    world.post(
        "twitter", brand_x, apology, beat("refund promised"), lang="fr", reach=4, story="crisis"
    )
    world.post(
        "bluesky", brand_bsky, apology, beat("refund promised", 2), lang="fr", story="crisis"
    )
    world.post(
        "youtube",
        brand_yt,
        apology,
        beat("refund promised", 5),
        lang="fr",
        venue=video.id,
        venue_owner=brand_yt,
        story="crisis",
    )
    world.post(
        "twitter",
        claire,
        (
            "Fleurimaud m'a appelée et va me rembourser. Merci à toutes et à tous pour votre "
            "soutien ❤️"
        ),
        beat("refund promised", 40),
        lang="fr",
        reach=40,
        story="crisis",
    )
    world.post(
        "twitter",
        claire,
        "Les fleurs sont arrivées 💐 merci pour tout.",
        beat("refund promised", 14 * 60),
        lang="fr",
        reach=12,
        story="crisis",
    )
    for rival in ("Bouquetéo", "Tigelys"):
        account = cast.brand_account(brand_named(rival), "twitter")
        assert account is not None
        world.post(
            "twitter",
            account,
            ("Chez nous, une commande non livrée est remboursée. Point. 💐"),
            beat("peak", rng.uniform(-300, 60)),
            lang="fr",
            reach=2,
            story="crisis",
        )
    thread = world.post(
        "reddit",
        world.cast.someone(rng, "reddit", "fr"),
        "",
        beat("pickup", 80),
        lang="fr",
        venue="france",
        story="crisis",
        title="Fleurimaud supprime les commentaires d'une cliente au lieu de la rembourser",
        body="Le fil de LucieConso résume bien. Commande jamais livrée, refus "
        "de remboursement, commentaires supprimés, compte bloqué.",
    )
    if thread is not None:
        thread.text = f"{thread.title}\n\n{thread.body}"
    _crisis_crowd(world, scale, story, solved, lucie, thread, video.id)


def crisis_rate(world: World, moment: datetime) -> float:
    """Expected crowd posts per hour about the crisis at `moment`."""
    hours = (moment - CRISIS.day(world.end)).total_seconds() / 3600
    pickup = CRISIS.beats[6].offset.total_seconds() / 3600
    refund = CRISIS.beats[9].offset.total_seconds() / 3600
    if hours < 14.5:
        return 0.0
    if hours < pickup:
        level = 1.5 * math.exp(0.16 * (hours - 14.5))
    elif hours < refund:
        level = min(42.0, 18 * math.exp(0.12 * (hours - pickup)))
    else:
        level = 42.0 * 0.5 ** ((hours - refund) / 4)
    return level * activity(moment)


def _crisis_crowd(
    world: World,
    scale: float,
    story: Post | None,
    solved: Post | None,
    lucie: Post | None,
    thread: Post | None,
    video: str,
) -> None:
    rng, end = world.rng, world.end
    b = "Fleurimaud"
    pickup, refund = CRISIS.at(end, "pickup"), CRISIS.at(end, "refund promised")
    owner = world.cast.brand_account(brand_named(b), "youtube")
    hour = CRISIS.at(end, "her story").replace(minute=0, second=0, microsecond=0)
    stop = CRISIS.at(end, "calm") + timedelta(days=1)
    reddit_posts = [thread] if thread else []
    while hour < stop:
        for _ in range(poisson(rng, crisis_rate(world, hour) * scale)):
            at = hour + timedelta(seconds=rng.uniform(0, 3600))
            if at < CRISIS.at(end, "her story"):
                continue
            lang = "fr" if at < pickup or rng.random() < 0.62 else "en"
            i = 0 if lang == "fr" else 1
            roll = rng.random()
            platform = rng.choices(
                ("twitter", "mastodon", "bluesky", "reddit", "youtube"),
                (0.55, 0.12, 0.15, 0.1, 0.08),
            )[0]
            if at >= refund:
                kind = "rival" if roll < 0.06 else "after"
            elif platform == "twitter" and roll < 0.3 and story is not None:
                kind = "retweet"
            elif platform == "twitter" and roll < 0.42:
                kind = "quote"
            elif roll < 0.55:
                kind = "chain"
            elif platform == "twitter" and roll < 0.65 and solved is not None:
                kind = "solved"
            else:
                kind = "outrage"
            if platform == "youtube" and kind not in ("after", "rival"):
                kind = "channel"
            author = world.cast.someone(rng, platform, lang)
            kwargs: dict = {"lang": lang, "story": "crisis", "reach": rng.uniform(1, 4)}
            if kind == "retweet":
                source = lucie if lucie is not None and at > pickup and roll < 0.12 else story
                assert source is not None
                text = f"RT @{source.author.handle}: {source.text}"
                text = text if len(text) <= 140 else text[:139] + "…"
                world.post("twitter", author, text, at, quoted=source, is_repost=True, **kwargs)
                continue
            if kind == "quote":
                text = (
                    rng.choice(_QUOTES[i]).format(b=b)
                    + " https://t.co/"
                    + "".join(
                        rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                        for _ in range(10)
                    )
                )
                world.post("twitter", author, text, at, quoted=story, **kwargs)
                continue
            if kind == "chain":
                text = _vary_copy(rng, _CHAIN[i].format(b=b))
            elif kind == "solved":
                kwargs["parent"] = solved
                text = roughen(rng, rng.choice(_SOLVED_REPLIES[i]), lang, "negative")
            elif kind == "channel":
                kwargs.update(venue=video, venue_owner=owner)
                text = roughen(rng, rng.choice(_CHANNEL[i]), lang, "negative")
            elif kind == "after":
                text = roughen(rng, rng.choice(_AFTER[i]).format(b=b), lang, "neutral")
            elif kind == "rival":
                rival = rng.choice(("Bouquetéo", "Tigelys"))
                text = roughen(rng, rng.choice(_RIVALS[i]).format(r=rival), lang, "positive")
            else:
                text = roughen(
                    rng,
                    rng.choice(_OUTRAGE[i]).format(b=b),
                    lang,
                    "negative",
                    (f"#Boycott{b}", "#Fleurimaudgate"),
                )
            if platform == "reddit":
                if not reddit_posts:
                    continue
                kwargs["parent"] = rng.choice(reddit_posts[-12:])
                kwargs["venue"] = kwargs["parent"].venue
            post = world.post(platform, author, text, at, **kwargs)
            if post is None:
                continue
            if platform == "reddit":
                reddit_posts.append(post)
            # The community manager keeps deleting critical comments under the brand's videos
            # until the story is everywhere.
            if kind == "channel" and at < pickup and rng.random() < 0.7:
                post.deleted_at = at + timedelta(minutes=rng.uniform(4, 50))
                post.deleted_by = "moderator"
        hour += timedelta(hours=1)


def _vary_copy(rng: random.Random, text: str) -> str:
    """A copy-pasted message, as people re-paste it: same words, small changes."""
    if rng.random() < 0.3:
        text = text.replace("!", "!!", 1)
    if rng.random() < 0.35:
        text = f"{text} {rng.choice(('🙏', '😡', '🌳', '🦧', '‼️', '👇', '🔁'))}"
    if rng.random() < 0.2:
        text = text.replace("⚠️ ", "", 1)
    if rng.random() < 0.15:
        text = (
            f"{rng.choice(('Partagez :', 'Encore et encore :', 'RT svp', 'Please share:'))} {text}"
        )
    return text


# -- Miettine: eco packaging and the palm-oil campaign -----------------------------------------
_ECO = (
    (
        "Enfin un emballage recyclable, bravo {b} #EmballageMalin",
        "#EmballageMalin de {b} : ça va dans quelle poubelle du coup ?",
        "Le carton {b} c'est bien, mais le paquet est toujours à moitié vide 🙃 #EmballageMalin",
        "Vu la pub #EmballageMalin de {b}, plutôt réussie",
        "{b} passe au carton, pas trop tôt. #EmballageMalin",
        "#EmballageMalin mais toujours l'huile de palme dans la pâte à tartiner {b} 🙄",
    ),
    (
        "Love the new {b} cardboard packs #EmballageMalin",
        "Is the new {b} packaging actually recyclable? #EmballageMalin",
        "{b} going plastic-free is a good move",
    ),
)
_CALL = (
    "🌳 {b} utilise encore de l'huile de palme dans sa pâte à tartiner. Demandez-leur "
    "d'arrêter : copiez ce message et envoyez-le à @Miettine_FR ! #StopHuileDePalme"
)
_COPY = (
    "@Miettine_FR Arrêtez l'huile de palme dans vos produits ! Elle détruit les forêts et "
    "l'habitat des orangs-outans. #StopHuileDePalme",
    "@Miettine_FR Stop using palm oil in your products! It destroys rainforests and "
    "orangutan habitat. #StopPalmOil",
)
_REACTIONS = (
    (
        "Des centaines de messages identiques sous les posts de {b}, c'est une campagne organisée "
        "ou quoi ?",
        "Perso j'achète plus {b} tant qu'il y aura de l'huile de palme dedans",
        "Les sablés {b} sont sans huile de palme depuis des années, renseignez-vous",
        "L'huile de palme c'est un vrai problème, mais le copier-coller en masse sur {b} c'est "
        "pénible aussi",
        "Quelqu'un sait si la pâte à tartiner {b} contient vraiment de l'huile de palme ?",
        "Boycott {b} jusqu'à ce qu'ils arrêtent l'huile de palme.",
    ),
    (
        "{b}'s mentions are flooded with the same palm oil message, wild",
        "Is {b} still using palm oil? Genuine question",
        "Palm oil is bad but copy-paste campaigns against {b} feel like spam",
    ),
)
# Coordinated waves: (hours after the call's day began, copies at scale 1).
_WAVES = ((9.8, 40), (12.8, 70), (19.5, 85), (36.5, 50), (43.5, 45), (61, 20), (68, 15))


def _eco_packaging(world: World, scale: float) -> None:
    rng, end = world.rng, world.end
    b = brand_named(_MIETTINE)
    launch = ECO_PACKAGING.at(end, "launch")
    closing = ECO_PACKAGING.at(end, "end")
    brand_x = world.cast.brand_account(b, "twitter")
    channel = world.cast.brand_account(b, "youtube")
    assert brand_x and channel
    video = world.video("biscuits", owner=channel)
    announcements = (
        "Nouveau : nos paquets passent au carton 100 % recyclable et sans plastique ♻️ "
        "Un geste simple pour la planète. #EmballageMalin",
        "#EmballageMalin : le saviez-vous ? Notre nouveau carton se recycle avec les papiers. "
        "Moins de plastique, même goût 🍪",
        "Merci pour vos retours sur #EmballageMalin ! On vous répond à toutes vos questions ici.",
    )
    day = 0
    while launch + timedelta(days=day) < closing:
        at = launch + timedelta(days=day, minutes=rng.uniform(0, 90))
        post = world.post(
            "twitter",
            brand_x,
            announcements[min(day // 4, 2)],
            at,
            lang="fr",
            reach=2,
            story="eco-packaging",
        )
        if post is not None:
            world.remember(post, "biscuits:campaign")
        day += 3 if day else 4
    world.post(
        "youtube",
        channel,
        announcements[0],
        launch + timedelta(minutes=20),
        lang="fr",
        venue=video.id,
        venue_owner=channel,
        story="eco-packaging",
    )
    moment = launch
    while moment < closing:
        days_in = (moment - launch).total_seconds() / 86400
        for _ in range(poisson(rng, 0.6 * math.exp(-days_in / 6) * activity(moment) * scale)):
            lang = "fr" if rng.random() < 0.7 else "en"
            platform = rng.choices(
                ("twitter", "bluesky", "mastodon", "youtube"), (0.55, 0.2, 0.1, 0.15)
            )[0]
            text = roughen(rng, rng.choice(_ECO[lang != "fr"]).format(b=b.name), lang, "neutral")
            at = moment + timedelta(seconds=rng.uniform(0, 3600))
            extra: dict = (
                {"venue": video.id, "venue_owner": channel} if platform == "youtube" else {}
            )
            world.post(
                platform,
                world.cast.someone(rng, platform, lang),
                text,
                at,
                lang=lang,
                story="eco-packaging",
                **extra,
            )
        moment += timedelta(hours=1)


def _palm_oil(world: World, scale: float) -> None:
    rng, end, cast = world.rng, world.end, world.cast
    b = brand_named(_MIETTINE)
    day = PALM_OIL.day(end)
    brand_x = cast.brand_account(b, "twitter")
    channel = cast.brand_account(b, "youtube")
    assert brand_x and channel
    video = world.video("biscuits", owner=channel)
    call = world.post(
        "twitter",
        cast.named["ngo"],
        _CALL.format(b=b.name),
        PALM_OIL.at(end, "call to action"),
        lang="fr",
        reach=3,
        story="palm-oil",
    )
    campaign_posts = [
        p
        for p in world.posts
        if p.author is brand_x and p.story == "eco-packaging" and p.created_at < day
    ]
    for center, count in _WAVES:
        for _ in range(poisson(rng, count * scale)):
            at = day + timedelta(hours=center + rng.gauss(0, 0.8))
            lang = "fr" if rng.random() < 0.78 else "en"
            text = _vary_copy(rng, _COPY[lang != "fr"])
            roll = rng.random()
            platform = (
                "twitter"
                if roll < 0.62
                else "youtube"
                if roll < 0.77
                else ("mastodon" if roll < 0.88 else "bluesky")
            )
            if rng.random() < 0.35 and platform == "twitter":
                author = _fresh_activist(world, at)
            else:
                author = cast.someone(rng, platform, lang)
            extra: dict = {}
            if platform == "youtube":
                extra = {"venue": video.id, "venue_owner": channel}
                text = text.replace("@Miettine_FR ", "")
            elif platform == "twitter" and campaign_posts and rng.random() < 0.45:
                extra = {"parent": rng.choice(campaign_posts)}
            elif platform == "twitter" and call is not None and rng.random() < 0.2:
                extra = {"quoted": call}
            world.post(platform, author, text, at, lang=lang, reach=0.5, story="palm-oil", **extra)
    statement = (
        "Nous entendons vos questions sur l'huile de palme. Nos sablés et cookies n'en "
        "contiennent pas ; notre pâte à tartiner en contient encore, issue de filières "
        "certifiées, et nous travaillons à la remplacer d'ici la fin de l'année."
    )
    for platform in ("twitter", "bluesky"):
        account = cast.brand_account(b, platform)
        assert account is not None
        world.post(
            platform,
            account,
            statement,
            PALM_OIL.at(end, "brand statement"),
            lang="fr",
            reach=2,
            story="palm-oil",
        )
    for _ in range(poisson(rng, 70 * scale)):
        at = day + timedelta(hours=rng.uniform(10, 80))
        lang = "fr" if rng.random() < 0.7 else "en"
        platform = rng.choice(("twitter", "twitter", "bluesky", "mastodon", "reddit"))
        text = roughen(rng, rng.choice(_REACTIONS[lang != "fr"]).format(b=b.name), lang, "neutral")
        # On Reddit the reaction opens a thread: the text is its title.
        extra = {"title": text, "venue": "france" if lang == "fr" else "snacks"}
        world.post(
            platform,
            cast.someone(rng, platform, lang),
            text,
            at,
            lang=lang,
            story="palm-oil",
            **(extra if platform == "reddit" else {}),
        )


def _fresh_activist(world: World, at: datetime) -> Persona:
    """A days-old account with a handful of followers, as campaigns recruit them."""
    rng = world.rng
    created = at - timedelta(days=rng.uniform(1, 20))
    handle = (
        f"{rng.choice(('foret', 'planete', 'eco', 'vert', 'nature'))}_{rng.randint(100, 99999)}"
    )
    persona = world.cast.named.setdefault(
        f"activist:{handle}",
        Persona(
            platform="twitter",
            handle=handle,
            native_id=account_id("twitter", rng, created),
            name=handle.replace("_", " ").title(),
            followers=rng.randint(0, 40),
            lang="fr",
            created_at=created,
            role="activist",
            following=rng.randint(50, 400),
            statuses=rng.randint(3, 120),
        ),
    )
    return persona
