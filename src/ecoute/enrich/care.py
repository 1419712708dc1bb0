"""Customer-care signals: is a post a question, a complaint, praise, or an intent to buy?

Rules written for French and English customer talk, reading the sentiment already
computed: a complaint is a negative post that says something went wrong (a refund,
an outage, a wait, a parcel that never came) or, unless it only asks a question,
names something a brand owes its customer (an order, a delivery, the support); or
any post but a positive one that gives a verdict (« arnaque », « déçue », 😡);
praise is a positive post that thanks or congratulates. No labelled care data
exists that Écoute may train on, so these stay rules, each one a readable pattern.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ecoute.enrich.tokens import SHARED, BatchText
from ecoute.model import Mention, Sentiment
from ecoute.text import fold

QUESTION = "question"
COMPLAINT = "complaint"
PRAISE = "praise"
PURCHASE_INTENT = "purchase_intent"

_QUESTION = re.compile(
    r"^\s*(?:@\w+\s+)*(?:"
    r"comment|pourquoi|quand|ou est|ou sont|quel|quelle|quels|quelles|combien|est ce que|"
    r"est-ce que|qui peut|quelqu'un|savez vous|savez-vous|pouvez vous|pouvez-vous|"
    r"how|why|when|where|what|which|who|can you|could you|does anyone|anyone know|"
    r"is there|is it|are you|do you|did you|will you|any idea"
    r")\b"
)
# What a brand owes its customer: a negative post about one of these is a complaint,
# unless it only asks about it (« vous livrez le dimanche ? » is a question, whatever
# a classifier makes of its tone).
_CUSTOMER_TOPIC = re.compile(
    r"\b(?:commande|commandes|livraison|livre|colis|sav|service client|facture\w*|"
    r"facturation|abonnement|hotline|conseiller|ticket|telephone|"
    r"order|orders|delivery|delivered|package|parcel|support|customer service|"
    r"billing|bill|subscription|account|phone)\b"
)
# Something went wrong: a complaint when the post is negative, question or not
# (« ils étaient tous cassés, je fais comment pour être remboursée ? »).
_PROBLEM = re.compile(
    r"\b(?:rembourse\w*|preleve\w*|resiliation|resilier|panne|en panne|retard|attente|"
    r"attends|bloque\w*|toujours pas|depuis \d+ (?:jours|semaines|mois)|aucune reponse|"
    r"pas de reponse|personne (?:ne repond|au telephone)|injoignable|reclamation|"
    r"(?:jamais|pas) (?:recu|arrive\w*|livre\w*)|arrive\w* (?:casse|abime|fane|en retard)\w*|"
    r"casse\w*|abime\w*|fane\w*|perdu\w*|defectueu\w*|mauvaise adresse|"
    r"refund\w*|charged|cancel\w*|outage|down again|not working|doesn't work|broken|"
    r"damaged|defective|lost|wrong address|still waiting|waiting for|no response|"
    r"no answer|on hold|never (?:arrived|came|showed up|received)|app crash\w*|crash\w*)\b"
)
# A verdict on the brand: a complaint unless the post is positive.
_VERDICT = re.compile(
    r"\b(?:arnaque\w*|inadmissible|inacceptable|honteux|honte|scandale\w*|plus jamais|"
    r"nul a chier|escroc\w*|boycott\w*|decu|decue|decus|decues|decevant\w*|deception|"
    r"(?:je )?(?:ne )?recommande pas|deconseille\w*|a fuir|"
    r"never again|never (?:ordering|buying|using|shopping)|worst|scam\w*|unacceptable|"
    r"disgrace\w*|ripped off|rip off|fed up|ras le bol|marre|disappointed|disappointing|"
    r"(?:don't|do not|wouldn't|would not) recommend|avoid)\b|[🤬😡👎]"
)
# « jaaamais », "neverrrr": letters held for emphasis, squeezed before the rules read them.
_HELD = re.compile(r"([a-z])\1{2,}")
_THANKS = re.compile(
    r"\b(?:merci|bravo|felicitations|chapeau|top|genial|parfait|au top|nickel|"
    r"je recommande|thank you|thanks|thx|kudos|congrats|congratulations|well done|"
    r"great job|love (?:it|this|you)|recommend|best)\b|[👏🙏❤😍🥰]"
)
_PURCHASE = re.compile(
    r"\b(?:(?:je|j'|on) ?(?:vais|veux|voudrais|compte|pense|hesite a|aimerais) "
    r"(?:l'|les |le |la |m'|me )?(?:acheter|commander|prendre|m'abonner|abonner|reserver|"
    r"craquer|essayer|tester)|ou (?:acheter|trouver|commander)|combien (?:coute|ca coute)|"
    r"c'est combien|quel (?:est le )?prix|dispo en|disponible en|en stock|"
    r"(?:want|wanna|going|gonna|plan|planning|thinking about|thinking of|need) "
    r"(?:to )?(?:buy|order|get|purchase|subscribe|book|try)|where (?:can i|to) "
    r"(?:buy|get|order)|how much (?:is|does|for)|should i (?:buy|get)|"
    r"in stock|take my money|shut up and take)\b"
)


def detect_care(text: str, sentiment: Sentiment | None) -> list[str]:
    """Return the care signals of one post, in a fixed order, from its text and sentiment."""
    return care_of(fold(text), sentiment)


def care_of(folded: str, sentiment: Sentiment | None) -> list[str]:
    """Return the care signals of one post from its folded text (`ecoute.text.fold`)."""
    found: list[str] = []
    folded = _HELD.sub(r"\1", folded)
    # « Quelle arnaque ! » opens like a question but exclaims: without "?", "!" wins.
    if "?" in folded or ("!" not in folded and _QUESTION.search(folded)):
        found.append(QUESTION)
    if sentiment is not Sentiment.POSITIVE and _is_complaint(folded, sentiment, bool(found)):
        found.append(COMPLAINT)
    if sentiment is Sentiment.POSITIVE and _THANKS.search(folded):
        found.append(PRAISE)
    if _PURCHASE.search(folded):
        found.append(PURCHASE_INTENT)
    return found


def _is_complaint(folded: str, sentiment: Sentiment | None, question: bool) -> bool:
    """Whether a post that is not positive complains (cheapest and likeliest tests first)."""
    if sentiment is Sentiment.NEGATIVE:
        if _PROBLEM.search(folded):
            return True
        if not question and _CUSTOMER_TOPIC.search(folded):
            return True
    return _VERDICT.search(folded) is not None


class CareStage:
    """Tag each mention with the customer-care signals it carries; run after sentiment."""

    name: ClassVar[str] = "care"
    version: ClassVar[str] = "rules-2"

    def __init__(self, text: BatchText = SHARED) -> None:
        self.text = text

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        folded = self.text.folded([m.text for m in mentions])
        for m, plain in zip(mentions, folded, strict=True):
            m.care = care_of(plain, m.sentiment)
            m.care_by = self.version
        return mentions
