"""`ecoute alerts ...`: rules, channels, the alerts raised, their deliveries, and backtests."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from ecoute.alerts.channels import ChannelError, check_channel, routing_dict, shown_config
from ecoute.alerts.rules import DEFAULT_RULES, RuleError, compile_rule, compile_rules
from ecoute.cli._context import Context, err, fail, out
from ecoute.model import now
from ecoute.pipeline import default_stages
from ecoute.sources.files import FORMATS, FileFormatError
from ecoute.store.alerts import (
    CHANNEL_KINDS,
    RULE_KINDS,
    AlertChannel,
    AlertRule,
    AlertStore,
    Delivery,
)

alerts_app = typer.Typer(
    help="Crisis early warning: rules, channels, alerts and deliveries (see docs/alerts.md).",
    no_args_is_help=True,
)
rule_app = typer.Typer(help="Add, list and remove detection rules.", no_args_is_help=True)
channel_app = typer.Typer(
    help="Add, list, remove and test where alerts are sent.", no_args_is_help=True
)
alerts_app.add_typer(rule_app, name="rule")
alerts_app.add_typer(channel_app, name="channel")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def _alert_store(store: Any) -> Any:
    if not isinstance(store, AlertStore):
        fail(f"the {type(store).__name__} store cannot keep alerts")
    return store


def _json_line(value: Any) -> None:
    out.print(orjson.dumps(value, default=str).decode(), markup=False)


# -- rules ---------------------------------------------------------------------------------
def _parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--param takes KEY=VALUE, not {pair!r}")
        params[key.strip()] = value.strip()
    return params


@rule_app.command("add")
def rule_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name, e.g. 'boycott'.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help=f"One of {', '.join(RULE_KINDS)}.")],
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Watch only this query (default: each).")
    ] = None,
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A threshold as KEY=VALUE, e.g. z=4, min_count=10, windows=5,15,60, "
            "terms=boycott*,arnaqu*, min_authors=2, min_followers=20000.",
        ),
    ] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Save it switched off.")] = False,
) -> None:
    """Save a rule (or replace the one of that name); its thresholds are checked first.

    Once a workspace has rules of its own, the default rules no longer apply.
    """
    rule = AlertRule(
        name=name.strip(),
        kind=kind,
        query=query or None,
        params=_parse_params(params or []),
        enabled=not disabled,
    )
    if not rule.name:
        fail("a rule needs a name")
    try:
        compiled = compile_rule(rule)
    except RuleError as exc:
        fail(str(exc))
    # Store what validation made of the parameters (types and lists).
    rule.params = {k: _plain(getattr(compiled.params, k)) for k in rule.params}
    context: Context = ctx.obj
    with context.store() as store:
        _alert_store(store).save_alert_rule(rule)
    out.print(f"rule {escape(rule.name)!r} ({kind}) saved")


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@rule_app.command("list")
def rule_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the rules with their full thresholds; the defaults when none is saved."""
    context: Context = ctx.obj
    with context.store() as store:
        saved = _alert_store(store).list_alert_rules()
    rules = saved or list(DEFAULT_RULES)
    rows = []
    for rule in rules:
        try:
            params = compile_rule(rule).params
            shown = {f.name: _plain(getattr(params, f.name)) for f in fields(params)}
        except RuleError as exc:
            shown = {"error": str(exc)}
        rows.append(
            {
                "name": rule.name,
                "kind": rule.kind,
                "query": rule.query,
                "enabled": rule.enabled,
                "default": not saved,
                "params": shown,
            }
        )
    if as_json:
        for row in rows:
            _json_line(row)
        return
    if not saved:
        out.print("no rule saved: these defaults apply", markup=False)
    table = Table("name", "kind", "query", "enabled", "thresholds")
    for row in rows:
        params = ", ".join(
            f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in row["params"].items()
        )
        table.add_row(
            escape(row["name"]),
            row["kind"],
            escape(row["query"] or "(each)"),
            "yes" if row["enabled"] else "no",
            escape(params),
        )
    out.print(table)


@rule_app.command("remove")
def rule_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The rule's name.")]
) -> None:
    """Remove a rule; with no rule left, the defaults apply again."""
    context: Context = ctx.obj
    with context.store() as store:
        if not _alert_store(store).remove_alert_rule(name):
            fail(f"no rule named {name!r}")
    out.print(f"rule {escape(name)!r} removed")


# -- channels ------------------------------------------------------------------------------
@channel_app.command("add")
def channel_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name, e.g. 'oncall-slack'.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help=f"One of {', '.join(CHANNEL_KINDS)}.")],
    url: Annotated[str | None, typer.Option(help="Webhook or incoming-webhook URL.")] = None,
    secret: Annotated[
        str | None,
        typer.Option(
            help="Webhook signing secret (HMAC-SHA256); never shown again.",
            envvar="ECOUTE_ALERT_SECRET",
            show_envvar=True,
        ),
    ] = None,
    smtp_host: Annotated[str | None, typer.Option(help="SMTP server.")] = None,
    smtp_port: Annotated[int, typer.Option(help="SMTP port.")] = 587,
    smtp_security: Annotated[str, typer.Option(help="starttls, ssl or none.")] = "starttls",
    smtp_user: Annotated[str | None, typer.Option(help="SMTP user name.")] = None,
    smtp_password: Annotated[
        str | None,
        typer.Option(
            help="SMTP password; never shown again.",
            envvar="ECOUTE_SMTP_PASSWORD",
            show_envvar=True,
        ),
    ] = None,
    sender: Annotated[str | None, typer.Option("--from", help="Sender address.")] = None,
    to: Annotated[list[str] | None, typer.Option(help="Recipient; repeat for several.")] = None,
    user: Annotated[str | None, typer.Option(help="Whose channel this is.")] = None,
    query: Annotated[
        list[str] | None, typer.Option("--query", "-q", help="Only alerts on this query.")
    ] = None,
    alert_kind: Annotated[
        list[str] | None, typer.Option("--alert-kind", help="Only alerts of this kind.")
    ] = None,
    min_severity: Annotated[str, typer.Option(help="warning or critical.")] = "warning",
    quiet_hours: Annotated[
        str | None,
        typer.Option(help="Hold warnings during HH:MM-HH:MM (local); critical ones still go."),
    ] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of quiet hours and digest.")] = "UTC",
    digest: Annotated[
        str | None, typer.Option(help="Send a daily digest at HH:MM (local).")
    ] = None,
    digest_only: Annotated[bool, typer.Option(help="Only the daily digest.")] = False,
    lang: Annotated[str, typer.Option(help="Message language: fr or en.")] = "fr",
) -> None:
    """Save a channel (or replace the one of that name) after checking its settings."""
    context: Context = ctx.obj
    settings = context.settings()
    if kind in ("webhook", "slack"):
        config: dict[str, Any] = {"url": url}
        if secret:
            config["secret"] = secret
    else:
        config = {
            "host": smtp_host,
            "port": smtp_port,
            "security": smtp_security,
            "sender": sender,
            "to": list(to or []),
        }
        if smtp_user:
            config["username"] = smtp_user
        if smtp_password:
            config["password"] = smtp_password
    channel = AlertChannel(
        name=name.strip(),
        kind=kind,
        config=config,
        routing={
            "user": user,
            "queries": list(query or []),
            "kinds": list(alert_kind or []),
            "min_severity": min_severity,
            "quiet_hours": quiet_hours,
            "timezone": timezone,
            "digest_at": digest,
            "digest_only": digest_only,
            "lang": lang,
        },
    )
    try:
        routing = check_channel(channel, allow_private=settings.allow_private_urls)
    except ChannelError as exc:
        fail(f"channel {name!r}: {exc}")
    channel.routing = routing_dict(routing)
    with context.store(settings) as store:
        _alert_store(store).save_alert_channel(channel)
    out.print(
        f"channel {escape(channel.name)!r} ({kind}) saved; "
        f"try it with `ecoute alerts channel test {escape(channel.name)}`"
    )


@channel_app.command("list")
def channel_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the channels and their routing; secrets are masked."""
    context: Context = ctx.obj
    with context.store() as store:
        channels = _alert_store(store).list_alert_channels()
    rows = [
        {
            "name": c.name,
            "kind": c.kind,
            "enabled": c.enabled,
            "config": shown_config(c),
            "routing": c.routing,
        }
        for c in channels
    ]
    if as_json:
        for row in rows:
            _json_line(row)
        return
    if not rows:
        out.print(
            "no channel yet: add one with `ecoute alerts channel add NAME --kind ...`", markup=False
        )
        return
    table = Table("name", "kind", "settings", "routing")
    for row in rows:
        settings = ", ".join(f"{k}={v}" for k, v in row["config"].items())
        routing = ", ".join(
            f"{k}={v}" for k, v in row["routing"].items() if v not in (None, [], False)
        )
        table.add_row(escape(row["name"]), row["kind"], escape(settings), escape(routing))
    out.print(table)


@channel_app.command("remove")
def channel_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The channel's name.")]
) -> None:
    """Remove a channel; its deliveries still waiting are marked failed, not dropped."""
    context: Context = ctx.obj
    with context.store() as store:
        if not _alert_store(store).remove_alert_channel(name):
            fail(f"no channel named {name!r}")
    out.print(f"channel {escape(name)!r} removed")


@channel_app.command("test")
def channel_test(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The channel's name.")]
) -> None:
    """Send a test message through a channel now and say how it went."""
    context: Context = ctx.obj
    settings = context.settings()
    with context.store(settings) as store:
        alert_store = _alert_store(store)
        if name not in {c.name for c in alert_store.list_alert_channels()}:
            fail(f"no channel named {name!r}")
        moment = now()
        test = Delivery(
            channel=name,
            event="test",
            payload={"event": "test", "channel": name},
            next_attempt_at=moment,
            created_at=moment,
        )
        alert_store.enqueue_deliveries([test])
        queued = alert_store.list_deliveries(limit=1)[0]
        from ecoute.alerts.delivery import DeliveryWorker

        worker = DeliveryWorker(alert_store, allow_private=settings.allow_private_urls)
        try:
            worker.deliver_due(only=queued.id)
        finally:
            worker.stop()
        result = next(d for d in alert_store.list_deliveries(limit=20) if d.id == queued.id)
    if result.status == "delivered":
        out.print(f"test message delivered to {escape(name)!r}")
        return
    fail(f"test message to {name!r} {result.status}: {result.last_error}")


# -- alerts and deliveries -----------------------------------------------------------------
@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open or resolved.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Only this query.")] = None,
    days: Annotated[int, typer.Option(help="Alerts updated in the last N days.")] = 30,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    lang: Annotated[str, typer.Option(help="fr or en.")] = "fr",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List recent alerts, newest first, with what drove them."""
    from ecoute.alerts.views import recent_alerts

    if lang not in ("fr", "en"):
        fail("--lang takes fr or en")
    context: Context = ctx.obj
    with context.store() as store:
        views = recent_alerts(
            _alert_store(store),
            since=now() - timedelta(days=days),
            status=status,
            query=query,
            limit=limit,
            lang=lang,
        )
    if as_json:
        for view in views:
            _json_line(view.as_dict())
        return
    if not views:
        out.print("no alert in this period", markup=False)
        return
    for view in views:
        out.print(
            f"#{view.id} {view.opened_at:%Y-%m-%d %H:%M} UTC [{view.status}] {escape(view.title)}",
            markup=False,
        )
        for line in view.lines:
            out.print(f"    {line}", markup=False)


@alerts_app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    problems: Annotated[
        bool, typer.Option("--problems", help="Only failed, retrying and held deliveries.")
    ] = False,
    retry: Annotated[
        int | None, typer.Option(help="Put this failed delivery back in the queue.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Show the delivery outbox: what was sent, what is retrying, what failed and why."""
    context: Context = ctx.obj
    with context.store() as store:
        alert_store = _alert_store(store)
        if retry is not None:
            if not alert_store.retry_delivery(retry, now()):
                fail(f"no failed delivery {retry}")
            out.print(f"delivery {retry} queued again; a running `ecoute listen` sends it")
            return
        statuses = ("failed", "retrying", "held") if problems else None
        found = alert_store.list_deliveries(statuses=statuses, limit=limit)
    rows = [
        {
            "id": d.id,
            "alert": d.alert_id,
            "channel": d.channel,
            "event": d.event,
            "status": d.status,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at,
            "delivered_at": d.delivered_at,
            "error": d.last_error,
        }
        for d in found
    ]
    if as_json:
        for row in rows:
            _json_line(row)
        return
    if not rows:
        out.print("no delivery" + (" in trouble" if problems else " yet"), markup=False)
        return
    table = Table("id", "alert", "channel", "event", "status", "tries", "next / delivered", "error")
    for row in rows:
        when = row["delivered_at"] or (
            row["next_attempt_at"] if row["status"] not in ("failed",) else None
        )
        table.add_row(
            str(row["id"]),
            str(row["alert"] or ""),
            escape(row["channel"]),
            row["event"],
            row["status"],
            str(row["attempts"]),
            f"{when:%Y-%m-%d %H:%M:%S}" if when else "",
            escape(row["error"] or ""),
        )
    out.print(table)


# -- backtests and scenarios ---------------------------------------------------------------
@alerts_app.command("backtest")
def backtest_file(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Mentions in Écoute's import format (JSONL or CSV).",
            exists=True,
            dir_okay=False,
            readable=True,
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help=f"{' or '.join(FORMATS)}.")
    ] = None,
) -> None:
    """Replay a file in simulated time with the workspace's rules and queries.

    Prints one JSON line per alert the rules would have raised: time, query, kind,
    observed, expected (and severity, window, kinds, updates, resolved_at).
    """
    # Imported here, as in the other heavy commands: every `ecoute` command would
    # otherwise load the replay machinery (half a second of start-up).
    from ecoute.alerts.backtest import backtest, load_mentions
    from ecoute.alerts.detector import Detector

    context: Context = ctx.obj
    settings = context.settings()
    with context.store(settings) as store:
        queries = store.list_queries()
        saved = _alert_store(store).list_alert_rules()
    if not queries:
        fail("the workspace has no query: add one with `ecoute query add NAME EXPR` first")
    try:
        rules = compile_rules(saved)
    except RuleError as exc:
        fail(str(exc))
    stages = default_stages(None if settings.plugins is None else set(settings.plugins))
    try:
        mentions = load_mentions(
            file,
            stages,
            queries,
            fmt=fmt,
            on_rejected=lambda r: err.print(
                f"{escape(str(file))}:{r.where.removeprefix('line ')}: {escape(r.reason)}"
            ),
        )
    except (FileFormatError, OSError) as exc:
        fail(f"{file}: {exc}")
    for raised in backtest(mentions, Detector(rules)):
        _json_line(raised.as_dict())


@alerts_app.command("scenarios")
def scenarios(
    output: Annotated[Path, typer.Argument(help="The JSONL file to write.", dir_okay=False)],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same file.")] = 1,
    rate: Annotated[float, typer.Option(help="Average mentions an hour per brand.")] = 20.0,
    brands: Annotated[int, typer.Option(help="How many brands (one crisis set each).")] = 1,
    days: Annotated[int, typer.Option(help="Days of traffic; crises in the second half.")] = 28,
) -> None:
    """Write traffic with labelled crises (sudden, slow burn, weekend, influencer) to try rules.

    The labels (queries and crises) go to OUTPUT.labels.json.
    """
    from ecoute.alerts.scenarios import SHAPES, generate, write

    if not 1 <= brands <= 8 or days < 20 or rate <= 0:
        fail("give 1 to 8 brands, at least 20 days (crises need a week-end) and a positive rate")
    try:
        made = [
            generate(seed + i, rate=rate, days=days, warmup_days=days // 2, shapes=SHAPES)
            for i in range(brands)
        ]
    except ValueError as exc:
        fail(str(exc))
    labels = write(made, output)
    count = sum(len(s.records) for s in made)
    out.print(
        f"{count:,} mentions written to {escape(str(output))}, labels in "
        f"{escape(str(labels))}; add the queries with `ecoute query add`: "
        + ", ".join(f"{s.query.name}={s.query.expr!r}" for s in made),
        markup=False,
    )
