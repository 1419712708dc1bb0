"""Customer-care signals: is a post a question, a complaint, praise, or an intent to buy?

Rules written for French and English customer talk, reading the sentiment already
computed: a complaint is a negative post that names something a brand owes its
customer (an order, a refund, an outage, a wait) or a verdict such as « arnaque »;
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
_CUSTOMER_MATTER = re.compile(
    r"\b(?:commande|commandes|livraison|livre|colis|rembourse\w*|sav|service client|"
    r"facture\w*|facturation|preleve\w*|abonnement|resiliation|resilier|panne|en panne|"
    r"retard|attente|attends|bloque\w*|toujours pas|depuis \d+ (?:jours|semaines|mois)|"
    r"aucune reponse|pas de reponse|injoignable|hotline|conseiller|ticket|reclamation|"
    r"order|orders|delivery|delivered|package|parcel|refund\w*|support|customer service|"
    r"charged|billing|bill|subscription|cancel\w*|outage|down again|not working|"
    r"doesn't work|broken|still waiting|waiting for|no response|no answer|on hold|"
    r"account|app crash\w*|crash\w*)\b"
)
_VERDICT = re.compile(
    r"\b(?:arnaque\w*|inadmissible|inacceptable|honteux|honte|scandale\w*|plus jamais|"
    r"nul a chier|escroc\w*|boycott\w*|never again|worst|scam\w*|unacceptable|"
    r"disgrace\w*|ripped off|rip off|fed up|ras le bol|marre)\b"
)
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
    # « Quelle arnaque ! » opens like a question but exclaims: without "?", "!" wins.
    if "?" in folded or ("!" not in folded and _QUESTION.search(folded)):
        found.append(QUESTION)
    # Cheapest tests first: praise never holds a verdict, and a customer matter settles it.
    if (sentiment is Sentiment.NEGATIVE and _CUSTOMER_MATTER.search(folded)) or (
        sentiment is not Sentiment.POSITIVE and _VERDICT.search(folded)
    ):
        found.append(COMPLAINT)
    if sentiment is Sentiment.POSITIVE and _THANKS.search(folded):
        found.append(PRAISE)
    if _PURCHASE.search(folded):
        found.append(PURCHASE_INTENT)
    return found


class CareStage:
    """Tag each mention with the customer-care signals it carries; run after sentiment."""

    name: ClassVar[str] = "care"
    version: ClassVar[str] = "rules-1"

    def __init__(self, text: BatchText = SHARED) -> None:
        self.text = text

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        folded = self.text.folded([m.text for m in mentions])
        for m, plain in zip(mentions, folded, strict=True):
            m.care = care_of(plain, m.sentiment)
            m.care_by = self.version
        return mentions
