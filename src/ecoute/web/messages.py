"""The interface's words in French and English, and how numbers and times are written.

A small catalogue is enough until translators join; each locale must hold the
same keys (a test checks), and a missing one fails loudly rather than showing a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
        "axis_hour": "Hour ({zone})",
        "axis_day": "Day ({zone})",
        "axis_week": "Week starting Monday ({zone})",
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
        "times_in_utc": "Times are in {zone}.",
        "api_docs": "API documentation",
        "at": "{date}, {time}",
        "navigation": "Pages",
        "nav_overview": "Overview",
        "nav_mentions": "Mentions",
        "nav_queries": "Queries",
        "nav_share": "Share of voice",
        "nav_authors": "Authors",
        "nav_topics": "Topics",
        "nav_platforms": "Platforms",
        "nav_live": "Live",
        "nav_roi": "ROI",
        "nav_reports": "Reports",
        "filter_author": "Author (handle)",
        "filter_match": "Boolean search",
        "match_placeholder": "acme AND (livraison OR delivery) NOT merci",
        "error_match": "Boolean search, at character {position}: {reason}.",
        "figure_reach": "Estimated reach",
        "figure_engagement": "Engagement",
        "figure_net_sentiment": "Net sentiment",
        "vs_previous": "vs previous period",
        "no_previous": "no previous period to compare",
        "points": "pts",
        "percent_sign": "%",
        "top_terms": "Top keywords",
        "top_hashtags": "Top hashtags",
        "emerging_terms": "Emerging terms",
        "emerging_hint": (
            "Said at least twice as often as in the previous period of the same length."
        ),
        "emerging_needs_period": "Choose a period (not all time) to compare with the one before.",
        "see_all_mentions": "See all {total} mentions",
        "engagement_short": "{n} interactions",
        "export": "Export",
        "live_list_hint": "This list updates itself when mentions arrive.",
        "live_list_paused": "Live updates are paused on older pages.",
        "showing_at_least": "{first}–{last} of at least {total} (search stopped early)",
        "column_kind": "Kind",
        "column_group": "Group",
        "column_share": "Share of voice",
        "column_negative_share": "Share of negative voice",
        "column_author": "Author",
        "column_followers": "Followers",
        "column_term": "Term",
        "column_before": "Before",
        "no_queries": "No query yet: add one with `ecoute query add`.",
        "no_compared_queries": "No brand or competitor query to compare.",
        "share_heading": "Share of voice",
        "share_hint": (
            "Each brand's mentions as a share of all the brands compared; a post naming two "
            "brands counts for both."
        ),
        "share_chart_title": "Mentions per {bucket} by query, {start} to {end}",
        "platform_chart_title": "Mentions per {bucket} by platform, {start} to {end}",
        "share_chart_heading": "Voices over time",
        "ranking_influencers": "Top influencers",
        "ranking_fans": "Most engaged fans",
        "ranking_detractors": "Detractors",
        "ranking_influencers_hint": "Authors whose mentions may have reached the most people.",
        "ranking_fans_hint": "Authors with the most positive mentions: thank them.",
        "ranking_detractors_hint": "Authors with the most negative mentions: answer them first.",
        "elsewhere_heading": "The same handle on other platforms",
        "elsewhere_hint": "Probably the same person; check before treating them as one.",
        "live_title": "The last 60 seconds",
        "live_per_minute": "in the last minute",
        "live_hint": "Mentions stored in the last 60 seconds",
        "live_counter_hint": "mentions stored in the last 60 seconds",
        "live_stored": "Stored since the dashboard started:",
        "roi_title": "Return on investment",
        "roi_lede": (
            "Social media is not free: the hours spent are its main cost. Record what each "
            "day or week cost and brought; the page does the sums."
        ),
        "roi_day": "Day",
        "roi_hours": "Hours spent",
        "roi_hourly_cost": "Cost of an hour",
        "roi_spend": "Money spent",
        "roi_currency": "Currency",
        "roi_reach": "People reached",
        "roi_leads": "Leads",
        "roi_answered": "Customers answered",
        "roi_note": "Note",
        "roi_save": "Record",
        "roi_delete": "Delete",
        "roi_add": "Record an effort",
        "roi_efforts": "Recorded efforts",
        "roi_none": "Nothing recorded in this period.",
        "roi_cost": "Total cost",
        "roi_cost_hint": "hours × cost of an hour + money spent",
        "roi_time_share": "time is {share} of the cost",
        "roi_no_effort": "nothing recorded",
        "roi_per_lead": "Cost per lead",
        "roi_per_answered": "Cost per customer answered",
        "roi_per_thousand": "Cost per 1,000 reached",
        "roi_leads_count": "{n} leads",
        "roi_answered_count": "{n} customers answered",
        "roi_reach_count": "{n} people reached (recorded)",
        "roi_measured": "Mentions heard",
        "roi_measured_hint": "estimated reach of the mentions: {reach}",
        "error_amount": "{field}: {value} is not a positive number.",
        "error_currency": "The ledger is kept in {currency}; record this effort in it too.",
        "error_currency_code": "{value} is not a currency code such as EUR.",
        "reports_lede": (
            "A report for the chosen period: the main figures against the previous period, "
            "the charts and the notable posts."
        ),
        "report_open_html": "Open the report",
        "report_download_pdf": "Download as PDF",
        "report_no_pdf": "PDF needs Chromium on this machine; open the report and print it.",
        "reports_weekly": "Weekly reports",
        "reports_not_scheduled": (
            "Weekly reports are off: start the app with a reports folder to write one every Monday."
        ),
        "reports_none_yet": "The first weekly report will be written shortly.",
        "report_title": "Listening report",
        "report_figure_mentions": "Mentions",
        "report_figure_reach": "Estimated reach",
        "report_figure_engagement": "Engagement",
        "report_figure_net_sentiment": "Net sentiment",
        "report_notable": "Notable posts (most engagement)",
        "report_footer": (
            "Written by Écoute. Reach is estimated from followers; net sentiment is (positive"
            " − negative) / (positive + negative) × 100."
        ),
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
        "axis_hour": "Heure ({zone})",
        "axis_day": "Jour ({zone})",
        "axis_week": "Semaine commençant le lundi ({zone})",
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
        "times_in_utc": "Les heures sont à l’heure de {zone}.",
        "api_docs": "Documentation de l’API",
        "at": "{date} à {time}",
        "navigation": "Pages",
        "nav_overview": "Vue d’ensemble",
        "nav_mentions": "Mentions",
        "nav_queries": "Requêtes",
        "nav_share": "Part de voix",
        "nav_authors": "Auteurs",
        "nav_topics": "Sujets",
        "nav_platforms": "Plateformes",
        "nav_live": "En direct",
        "nav_roi": "ROI",
        "nav_reports": "Rapports",
        "filter_author": "Auteur (identifiant)",
        "filter_match": "Recherche booléenne",
        "match_placeholder": "acme AND (livraison OR delivery) NOT merci",
        "error_match": "Recherche booléenne, au caractère {position} : {reason}.",
        "figure_reach": "Portée estimée",
        "figure_engagement": "Engagement",
        "figure_net_sentiment": "Tonalité nette",
        "vs_previous": "par rapport à la période précédente",
        "no_previous": "pas de période précédente à comparer",
        "points": "pts",
        "percent_sign": "\u202f%",
        "top_terms": "Mots-clés principaux",
        "top_hashtags": "Hashtags principaux",
        "emerging_terms": "Termes émergents",
        "emerging_hint": (
            "Au moins deux fois plus cités que pendant la période précédente de même durée."
        ),
        "emerging_needs_period": (
            "Choisissez une période (pas « depuis le début ») pour comparer avec la précédente."
        ),
        "see_all_mentions": "Voir les {total} mentions",
        "engagement_short": "{n} interactions",
        "export": "Exporter",
        "live_list_hint": "Cette liste se met à jour quand des mentions arrivent.",
        "live_list_paused": "La mise à jour en direct est suspendue sur les pages suivantes.",
        "showing_at_least": (
            "{first} à {last} sur au moins {total} (recherche arrêtée avant la fin)"
        ),
        "column_kind": "Type",
        "column_group": "Groupe",
        "column_share": "Part de voix",
        "column_negative_share": "Part de voix négative",
        "column_author": "Auteur",
        "column_followers": "Abonnés",
        "column_term": "Terme",
        "column_before": "Avant",
        "no_queries": "Aucune requête : ajoutez-en une avec `ecoute query add`.",
        "no_compared_queries": "Aucune requête de marque ou de concurrent à comparer.",
        "share_heading": "Part de voix",
        "share_hint": (
            "Les mentions de chaque marque rapportées à celles de toutes les marques "
            "comparées ; un message qui en cite deux compte pour les deux."
        ),
        "share_chart_title": "Mentions par {bucket} selon la requête, du {start} au {end}",
        "platform_chart_title": "Mentions par {bucket} selon la plateforme, du {start} au {end}",
        "share_chart_heading": "Les voix dans le temps",
        "ranking_influencers": "Influenceurs principaux",
        "ranking_fans": "Fans les plus engagés",
        "ranking_detractors": "Détracteurs",
        "ranking_influencers_hint": (
            "Les auteurs dont les mentions ont pu toucher le plus de monde."
        ),
        "ranking_fans_hint": "Les auteurs aux mentions les plus positives : remerciez-les.",
        "ranking_detractors_hint": (
            "Les auteurs aux mentions les plus négatives : répondez-leur d’abord."
        ),
        "elsewhere_heading": "Le même identifiant sur d’autres plateformes",
        "elsewhere_hint": "Probablement la même personne ; vérifiez avant de les confondre.",
        "live_title": "Les 60 dernières secondes",
        "live_per_minute": "dans la dernière minute",
        "live_hint": "Mentions enregistrées dans les 60 dernières secondes",
        "live_counter_hint": "mentions enregistrées dans les 60 dernières secondes",
        "live_stored": "Enregistrées depuis le démarrage du tableau de bord :",
        "roi_title": "Retour sur investissement",
        "roi_lede": (
            "Les réseaux sociaux ne sont pas gratuits : le temps passé en est le premier "
            "coût. Notez ce que chaque jour ou semaine a coûté et rapporté ; la page fait les"
            " comptes."
        ),
        "roi_day": "Jour",
        "roi_hours": "Heures passées",
        "roi_hourly_cost": "Coût d’une heure",
        "roi_spend": "Dépenses",
        "roi_currency": "Devise",
        "roi_reach": "Personnes touchées",
        "roi_leads": "Contacts commerciaux",
        "roi_answered": "Clients répondus",
        "roi_note": "Note",
        "roi_save": "Enregistrer",
        "roi_delete": "Supprimer",
        "roi_add": "Noter un effort",
        "roi_efforts": "Efforts notés",
        "roi_none": "Rien de noté sur cette période.",
        "roi_cost": "Coût total",
        "roi_cost_hint": "heures × coût d’une heure + dépenses",
        "roi_time_share": "le temps fait {share} du coût",
        "roi_no_effort": "rien de noté",
        "roi_per_lead": "Coût par contact",
        "roi_per_answered": "Coût par client répondu",
        "roi_per_thousand": "Coût pour 1 000 personnes touchées",
        "roi_leads_count": "{n} contacts",
        "roi_answered_count": "{n} clients répondus",
        "roi_reach_count": "{n} personnes touchées (notées)",
        "roi_measured": "Mentions entendues",
        "roi_measured_hint": "portée estimée des mentions : {reach}",
        "error_amount": "{field} : {value} n’est pas un nombre positif.",
        "error_currency": (
            "Le registre est tenu en {currency} ; notez cet effort dans cette devise."
        ),
        "error_currency_code": "{value} n’est pas un code de devise comme EUR.",
        "reports_lede": (
            "Un rapport pour la période choisie : les chiffres clés comparés à la période "
            "précédente, les graphiques et les messages marquants."
        ),
        "report_open_html": "Ouvrir le rapport",
        "report_download_pdf": "Télécharger en PDF",
        "report_no_pdf": (
            "Le PDF demande Chromium sur cette machine ; ouvrez le rapport et imprimez-le."
        ),
        "reports_weekly": "Rapports hebdomadaires",
        "reports_not_scheduled": (
            "Rapports hebdomadaires désactivés : démarrez l’application avec un dossier de "
            "rapports pour en écrire un chaque lundi."
        ),
        "reports_none_yet": "Le premier rapport hebdomadaire sera bientôt écrit.",
        "report_title": "Rapport d’écoute",
        "report_figure_mentions": "Mentions",
        "report_figure_reach": "Portée estimée",
        "report_figure_engagement": "Engagement",
        "report_figure_net_sentiment": "Tonalité nette",
        "report_notable": "Messages marquants (le plus d’engagement)",
        "report_footer": (
            "Écrit par Écoute. La portée est estimée d’après les abonnés ; la tonalité nette "
            "vaut (positives − négatives) / (positives + négatives) × 100."
        ),
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


def read_zone(name: str | None) -> tzinfo | None:
    """The IANA time zone called `name` (e.g. Europe/Paris), or None if there is none such."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Translator:
    """Words, numbers and times in one locale and time zone; templates call ``t(key, **values)``."""

    locale: Locale
    tz: tzinfo = field(default=UTC)

    def __call__(self, key: str, **values: object) -> str:
        text = MESSAGES[self.locale][key]
        if "{zone}" in text:
            values = {"zone": self.zone, **values}
        return text.format(**values) if values else text

    @property
    def zone(self) -> str:
        """The time zone's name as the reader chose it, e.g. Europe/Paris or UTC."""
        return str(getattr(self.tz, "key", None) or self.tz.tzname(None) or "UTC")

    def decimal(self, value: float, digits: int = 0) -> str:
        """Write a number with `digits` decimals in the locale's way."""
        text = f"{value:,.{digits}f}"
        if self.locale == "fr":
            return text.replace(",", "\u202f").replace(".", ",")
        return text

    def signed(self, value: float | None, digits: int = 0) -> str:
        """Write a change with its sign (+12, −3), or an en dash when unknown."""
        if value is None:
            return "–"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return sign + self.decimal(abs(value), digits)

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
        """Write the local date of `moment`, e.g. "2 May 2024" or "2 mai 2024"."""
        moment = utc(moment).astimezone(self.tz)
        month = _MONTHS[self.locale][moment.month - 1]
        text = f"{moment.day} {month}"
        return f"{text} {moment.year}" if with_year else text

    def moment(self, moment: datetime) -> str:
        """Write a local date and time."""
        moment = utc(moment).astimezone(self.tz)
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
