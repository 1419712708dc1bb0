"""The interface's words in French and English, and how numbers and times are written.

A small catalogue is enough until translators join; each locale must hold the
same keys (a test checks), and a missing one fails loudly rather than showing a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from ecoute.model import utc

Locale = Literal["en", "fr"]
LOCALES: tuple[Locale, ...] = ("en", "fr")
DEFAULT_LOCALE: Locale = "en"

MESSAGES: dict[Locale, dict[str, str]] = {
    "en": {
        "app_name": "Écoute",
        "overview_title": "Listening overview",
        "skip_to_content": "Skip to content",
        "interface_language": "Interface language",
        "filters": "Filters",
        "filter_query": "Query",
        "filter_platform": "Platform",
        "filter_language": "Language",
        "filter_sentiment": "Sentiment",
        "filter_period": "Period",
        "filter_since": "From",
        "filter_until": "To (included)",
        "filter_text": "Text contains",
        "any": "All",
        "apply": "Apply",
        "reset": "Reset",
        "period_24h": "Last 24 hours",
        "period_7d": "Last 7 days",
        "period_30d": "Last 30 days",
        "period_90d": "Last 90 days",
        "period_365d": "Last 12 months",
        "period_all": "All time",
        "period_custom": "Custom dates",
        "sentiment_negative": "Negative",
        "sentiment_neutral": "Neutral",
        "sentiment_positive": "Positive",
        "sentiment_unknown": "Not analysed",
        "unknown": "Unknown",
        "kind_brand": "brand",
        "kind_competitor": "competitor",
        "kind_topic": "topic",
        "totals": "Totals",
        "total_mentions": "Mentions",
        "negative_share": "Negative share",
        "negative_share_hint": "of the {judged} mentions with a sentiment",
        "no_sentiment": "no mention analysed yet",
        "top_queries": "Top queries",
        "platforms": "Platforms",
        "none_yet": "None yet",
        "chart_heading": "Mentions over time",
        "chart_title": "Mentions per {bucket} by sentiment, {start} to {end}",
        "chart_summary": "{total} mentions; busiest {bucket}: {peak_label} with {peak}.",
        "chart_empty": "No mention in this period.",
        "chart_axis_mentions": "Mentions",
        "axis_hour": "Hour (UTC)",
        "axis_day": "Day (UTC)",
        "axis_week": "Week starting Monday (UTC)",
        "bucket_hour": "hour",
        "bucket_day": "day",
        "bucket_week": "week",
        "bar_tooltip": "{label}: {total} mentions",
        "legend": "Legend",
        "chart_data": "Chart data as a table",
        "chart_period_too_long": (
            "The mentions span too long a period to chart: choose a period or dates."
        ),
        "column_period": "Period",
        "column_total": "Total",
        "latest_heading": "Latest mentions",
        "showing": "{first}–{last} of {total}",
        "no_mentions": "No mention matches these filters.",
        "open_original": "Open the original",
        "unsafe_link": "Link not opened (not http or https):",
        "matched_queries": "Matched queries",
        "sentiment_label": "Sentiment:",
        "newer": "Newer",
        "older": "Older",
        "pages": "Pages",
        "truncated": "(shortened)",
        "invalid_filters": "Some filters were not understood and were ignored:",
        "error_date": "{field}: {value} is not a date such as 2024-05-31.",
        "error_choice": "{field}: {value} is not one of the choices.",
        "error_order": "The start date must come before the end date.",
        "error_offset": "The page position must be a whole number from 0.",
        "error_too_long": "{field} is longer than {limit} characters.",
        "times_in_utc": "Times are in UTC.",
        "api_docs": "API documentation",
        "at": "{date}, {time} UTC",
    },
    "fr": {
        "app_name": "Écoute",
        "overview_title": "Vue d’ensemble de l’écoute",
        "skip_to_content": "Aller au contenu",
        "interface_language": "Langue de l’interface",
        "filters": "Filtres",
        "filter_query": "Requête",
        "filter_platform": "Plateforme",
        "filter_language": "Langue",
        "filter_sentiment": "Tonalité",
        "filter_period": "Période",
        "filter_since": "Du",
        "filter_until": "Au (inclus)",
        "filter_text": "Le texte contient",
        "any": "Toutes",
        "apply": "Appliquer",
        "reset": "Réinitialiser",
        "period_24h": "Dernières 24 heures",
        "period_7d": "7 derniers jours",
        "period_30d": "30 derniers jours",
        "period_90d": "90 derniers jours",
        "period_365d": "12 derniers mois",
        "period_all": "Depuis le début",
        "period_custom": "Dates choisies",
        "sentiment_negative": "Négative",
        "sentiment_neutral": "Neutre",
        "sentiment_positive": "Positive",
        "sentiment_unknown": "Non analysée",
        "unknown": "Inconnue",
        "kind_brand": "marque",
        "kind_competitor": "concurrent",
        "kind_topic": "sujet",
        "totals": "Totaux",
        "total_mentions": "Mentions",
        "negative_share": "Part négative",
        "negative_share_hint": "des {judged} mentions dont la tonalité est connue",
        "no_sentiment": "aucune mention analysée pour l’instant",
        "top_queries": "Requêtes principales",
        "platforms": "Plateformes",
        "none_yet": "Aucune pour l’instant",
        "chart_heading": "Mentions dans le temps",
        "chart_title": "Mentions par {bucket} selon la tonalité, du {start} au {end}",
        "chart_summary": "{total} mentions ; {bucket} le plus chargé : {peak_label}, avec {peak}.",
        "chart_empty": "Aucune mention sur cette période.",
        "chart_axis_mentions": "Mentions",
        "axis_hour": "Heure (UTC)",
        "axis_day": "Jour (UTC)",
        "axis_week": "Semaine commençant le lundi (UTC)",
        "bucket_hour": "heure",
        "bucket_day": "jour",
        "bucket_week": "semaine",
        "bar_tooltip": "{label} : {total} mentions",
        "legend": "Légende",
        "chart_data": "Données du graphique sous forme de tableau",
        "chart_period_too_long": (
            "Les mentions couvrent une période trop longue pour le graphique : "
            "choisissez une période ou des dates."
        ),
        "column_period": "Période",
        "column_total": "Total",
        "latest_heading": "Dernières mentions",
        "showing": "{first} à {last} sur {total}",
        "no_mentions": "Aucune mention ne correspond à ces filtres.",
        "open_original": "Voir l’original",
        "unsafe_link": "Lien non ouvert (ni http ni https) :",
        "matched_queries": "Requêtes correspondantes",
        "sentiment_label": "Tonalité :",
        "newer": "Plus récentes",
        "older": "Plus anciennes",
        "pages": "Pages",
        "truncated": "(raccourci)",
        "invalid_filters": "Certains filtres n’ont pas été compris et ont été ignorés :",
        "error_date": "{field} : {value} n’est pas une date comme 2024-05-31.",
        "error_choice": "{field} : {value} ne fait pas partie des choix.",
        "error_order": "La date de début doit précéder la date de fin.",
        "error_offset": "La position dans la liste doit être un nombre entier positif ou nul.",
        "error_too_long": "{field} dépasse {limit} caractères.",
        "times_in_utc": "Les heures sont en UTC.",
        "api_docs": "Documentation de l’API",
        "at": "{date} à {time} UTC",
    },
}

_MONTHS: dict[Locale, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.", "févr.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ),
}  # fmt: skip
# Language names for the codes the language stage emits most; others show their code.
_LANGUAGE_NAMES: dict[Locale, dict[str, str]] = {
    "en": {"fr": "French", "en": "English", "es": "Spanish", "de": "German", "it": "Italian",
           "pt": "Portuguese", "nl": "Dutch", "ar": "Arabic"},
    "fr": {"fr": "français", "en": "anglais", "es": "espagnol", "de": "allemand",
           "it": "italien", "pt": "portugais", "nl": "néerlandais", "ar": "arabe"},
}  # fmt: skip
_PLATFORM_NAMES = {
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "reddit": "Reddit",
    "rss": "RSS",
    "twitter": "X (Twitter)",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
}
# French sets a narrow no-break space between thousands and before "%".
_THOUSANDS: dict[Locale, str] = {"en": ",", "fr": "\u202f"}


def negotiate_locale(explicit: str | None, accept_language: str | None) -> Locale:
    """Choose the interface language: ``?lang=`` first, then Accept-Language, then English."""
    if explicit in LOCALES:
        return cast(Locale, explicit)
    best: Locale | None = None
    best_rank = (0.0, 0)
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LOCALES:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        # The highest weight wins; on a tie, the tag listed first.
        rank = (weight, -position)
        if weight > 0 and (best is None or rank > best_rank):
            best, best_rank = cast(Locale, primary), rank
    return best or DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class Translator:
    """Words, numbers and times in one locale; templates call it as ``t(key, **values)``."""

    locale: Locale

    def __call__(self, key: str, **values: object) -> str:
        text = MESSAGES[self.locale][key]
        return text.format(**values) if values else text

    def number(self, n: int) -> str:
        """Write a whole number with the locale's thousands separator."""
        return f"{n:,}".replace(",", _THOUSANDS[self.locale])

    def percent(self, share: float) -> str:
        """Write a share in [0, 1] as a whole percentage, or one decimal below 10 %."""
        value = share * 100
        if 0 < value < 0.1:
            text = "<0.1"  # "0.0 %" would read as none at all
        elif 0 < value < 10:
            text = f"{value:.1f}"
        else:
            text = f"{value:.0f}"
        if self.locale == "fr":
            return text.replace(".", ",") + "\u202f%"
        return text + "%"

    def date(self, moment: datetime, *, with_year: bool = True) -> str:
        """Write the UTC date of `moment`, e.g. "2 May 2024" or "2 mai 2024"."""
        moment = utc(moment)
        month = _MONTHS[self.locale][moment.month - 1]
        text = f"{moment.day} {month}"
        return f"{text} {moment.year}" if with_year else text

    def moment(self, moment: datetime) -> str:
        """Write a date and time in UTC with the zone named."""
        moment = utc(moment)
        return self("at", date=self.date(moment), time=f"{moment:%H:%M}")

    def language(self, code: str) -> str:
        """Name a mention's language code in the interface language."""
        if code == "unknown":
            return self("unknown")
        return _LANGUAGE_NAMES[self.locale].get(code, code)

    def platform(self, name: str) -> str:
        """Name a platform as its users write it."""
        if name == "unknown":
            return self("unknown")
        return _PLATFORM_NAMES.get(name, name)

    def sentiment(self, name: str) -> str:
        """Name a sentiment series; labels a newer stage adds show as they are."""
        key = f"sentiment_{name}"
        return self(key) if key in MESSAGES[self.locale] else name
