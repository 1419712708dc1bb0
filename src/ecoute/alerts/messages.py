"""Alerts in words, in French and English: the subject and text people receive.

The payload of a delivery is data (the alert and its explanation); each channel
renders it here in its own language. Post excerpts are untrusted: they are
shown as text, cut short, with line breaks flattened so that no excerpt can
pretend to be a line of the message.
"""

from __future__ import annotations

from typing import Any

KIND_LABELS = {
    "fr": {
        "volume": "pic de mentions",
        "negative": "vague négative",
        "influencer": "plainte d'un auteur influent",
        "keyword": "mots de crise",
    },
    "en": {
        "volume": "mention spike",
        "negative": "negative turn",
        "influencer": "complaint by an influential author",
        "keyword": "crisis words",
    },
}
EVENT_LABELS = {
    "fr": {
        "opened": "",
        "updated": "mise à jour",
        "escalated": "aggravée",
        "reopened": "reprise",
        "resolved": "terminée",
        "test": "test",
    },
    "en": {
        "opened": "",
        "updated": "update",
        "escalated": "escalated",
        "reopened": "flared up again",
        "resolved": "resolved",
        "test": "test",
    },
}
_WORDS = {
    "fr": {
        "alert": "Alerte",
        "critical": "critique",
        "observed": "{observed} {series} en {window} min, {expected} attendues (×{ratio})",
        "mentions": "mentions",
        "negative mentions": "mentions négatives",
        "share": "Part négative : {share} % (d'habitude {usual} %)",
        "influencer": "@{author} ({followers} abonnés) s'est plaint",
        "keyword": "{observed} auteurs en {window} min disent : {terms}",
        "terms": "Termes en hausse : {terms}",
        "posts": "Messages :",
        "link": "Voir les mentions : {link}",
        "digest": "Écoute : {count} alerte(s) ces dernières 24 h",
        "test": "Écoute : message de test du canal {channel}",
        "test_body": "Si vous lisez ceci, le canal fonctionne.",
        "followers": "abonnés",
    },
    "en": {
        "alert": "Alert",
        "critical": "critical",
        "observed": "{observed} {series} in {window} min, {expected} expected (×{ratio})",
        "mentions": "mentions",
        "negative mentions": "negative mentions",
        "share": "Negative share: {share}% (usually {usual}%)",
        "influencer": "@{author} ({followers} followers) complained",
        "keyword": "{observed} authors in {window} min say: {terms}",
        "terms": "Rising terms: {terms}",
        "posts": "Posts:",
        "link": "See the mentions: {link}",
        "digest": "Écoute: {count} alert(s) in the last 24 h",
        "test": "Écoute: test message from channel {channel}",
        "test_body": "If you read this, the channel works.",
        "followers": "followers",
    },
}
EXCERPT_SHOWN = 160


def _number(value: float, lang: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.1f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _flat(text: str, limit: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def title(alert: dict[str, Any], event: str, lang: str) -> str:
    """One line naming the alert: kind, query, and what happened to it."""
    w = _WORDS[lang]
    kind = KIND_LABELS[lang].get(alert["kind"], alert["kind"])
    label = EVENT_LABELS[lang].get(event, event)
    severity = f" ({w['critical']})" if alert.get("severity") == "critical" else ""
    suffix = f" — {label}" if label else ""
    colon = " :" if lang == "fr" else ":"
    return f"{w['alert']} Écoute{severity}{colon} {kind} « {alert['query']} »{suffix}"


def lines(alert: dict[str, Any], lang: str) -> list[str]:
    """The body of an alert: observed versus expected, the driving terms and posts, the link."""
    w = _WORDS[lang]
    x = alert.get("explanation", {})
    kind = x.get("kind", alert["kind"])
    out: list[str] = []
    if kind in ("volume", "negative"):
        series = w["negative mentions" if kind == "negative" else "mentions"]
        out.append(
            w["observed"].format(
                observed=_number(x.get("observed", 0), lang),
                series=series,
                window=x.get("window_minutes", "?"),
                expected=_number(x.get("expected", 0), lang),
                ratio=_number(x.get("ratio", 0), lang),
            )
        )
        if "share" in x:
            out.append(
                w["share"].format(
                    share=round(100 * x["share"]), usual=round(100 * x["usual_share"])
                )
            )
    elif kind == "influencer":
        out.append(
            w["influencer"].format(
                author=_flat(x.get("author", "?"), 60),
                followers=_number(x.get("followers", 0), lang),
            )
        )
    elif kind == "keyword":
        found = ", ".join(_flat(t.rstrip("*"), 40) for t in x.get("terms_found", {}))
        out.append(
            w["keyword"].format(
                observed=_number(x.get("observed", 0), lang),
                window=x.get("window_minutes", "?"),
                terms=found,
            )
        )
    terms = x.get("terms") or []
    if terms:
        shown = ", ".join(f"{_flat(t['term'], 40)} ({t['count']})" for t in terms[:6])
        out.append(w["terms"].format(terms=shown))
    posts = x.get("posts") or []
    if posts:
        out.append(w["posts"])
        for p in posts[:5]:
            who = f"@{_flat(p.get('author', '?'), 60)}"
            if p.get("followers"):
                who += f" ({_number(p['followers'], lang)} {w['followers']})"
            link = f" {p['url']}" if p.get("url") else ""
            colon = " :" if lang == "fr" else ":"
            out.append(f"- {who}{colon} « {_flat(p.get('excerpt', ''), EXCERPT_SHOWN)} »{link}")
    if x.get("link"):
        out.append(w["link"].format(link=x["link"]))
    return out


def render(payload: dict[str, Any], lang: str) -> tuple[str, str]:
    """Return (subject, text) of a delivery's payload in `lang`."""
    w = _WORDS[lang]
    event = payload.get("event", "opened")
    if event == "test":
        return w["test"].format(channel=payload.get("channel", "")), w["test_body"]
    if event == "digest":
        alerts = payload.get("alerts", [])
        body = []
        for alert in alerts:
            body.append(title(alert, "", lang))
            body.extend("    " + line for line in lines(alert, lang)[:1])
            link = alert.get("explanation", {}).get("link")
            if link:
                body.append(f"    {link}")
        return w["digest"].format(count=len(alerts)), "\n".join(body)
    alert = payload["alert"]
    return title(alert, event, lang), "\n".join(lines(alert, lang))
