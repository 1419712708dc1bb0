"""Customer-care signals from rules and the sentiment."""

from __future__ import annotations

import pytest

from ecoute.enrich.care import CareStage, detect_care
from ecoute.model import Sentiment
from tests.factories import mention

NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE


def test_question_in_both_languages():
    assert "question" in detect_care("Comment je fais pour changer mon adresse", NEU)
    assert "question" in detect_care("does anyone know when the store opens", NEU)
    assert "question" not in detect_care("Le magasin ouvre à 9h.", NEU)


def test_complaint_needs_a_customer_matter_or_a_verdict():
    assert "complaint" in detect_care("Toujours pas reçu ma commande, 3 semaines", NEG)
    assert "complaint" in detect_care("Still waiting for my refund, terrible", NEG)
    assert "complaint" in detect_care("Quelle arnaque ce forfait", None)
    assert "complaint" not in detect_care("Triste de voir la pluie aujourd'hui", NEG)


@pytest.mark.parametrize(
    "text",
    [
        "Déçue par Fleurimaud. arrivé complètement fané. Je ne recommande pas. 🤬",
        "Plus jaaaamais Tartinoa, trouvé un bout de plastique dedans",
        "Never ordering from Fleurimaud again, it never arrived.",
        "Bouquetéo c'est vraiment nul, rien à voir avec la photo 😡",
        "Colis jamais reçu et personne au téléphone",
    ],
)
def test_complaints_without_the_word_order(text):
    assert "complaint" in detect_care(text, NEG)


def test_a_question_about_the_service_is_no_complaint_unless_something_went_wrong():
    # A classifier may read a question as negative; asking is not complaining.
    asked = detect_care("Quelqu'un a déjà commandé chez Bouquetéo ? vous livrez le dimanche ?", NEG)
    assert asked == ["question"]
    hurt = detect_care("ils étaient tous cassés, je fais comment pour être remboursée ?", NEG)
    assert hurt == ["question", "complaint"]
    assert "complaint" in detect_care("Ma commande est arrivée abîmée, vous remboursez ?", NEG)


def test_praise_is_positive_thanks():
    assert "praise" in detect_care("Merci pour votre réactivité !", POS)
    assert "praise" in detect_care("Thanks a lot, great job", POS)
    assert "praise" not in detect_care("Merci de rien, toujours en panne", NEG)


def test_purchase_intent():
    assert "purchase_intent" in detect_care("Je vais commander la nouvelle console", NEU)
    assert "purchase_intent" in detect_care("where can I buy the new model?", NEU)
    assert "purchase_intent" not in detect_care("J'ai acheté ça l'an dernier", NEU)


def test_stage_reads_sentiment_and_stamps_version():
    m = mention(text="Colis perdu, aucune réponse du SAV", sentiment=NEG)
    CareStage().apply([m])
    assert m.care == ["complaint"] and m.care_by == CareStage.version
