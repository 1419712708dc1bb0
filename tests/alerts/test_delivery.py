"""Delivery on loopback: signed webhooks, Slack-style hooks, SMTP, retries, quiet hours, digests."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime

import pytest

from ecoute.alerts.channels import ChannelError, check_channel, shown_config
from ecoute.alerts.delivery import DeliveryWorker, RetryPolicy, verify_signature
from ecoute.alerts.monitor import Monitor, MonitorOptions
from ecoute.model import now
from ecoute.store.alerts import AlertChannel, AlertRule, Delivery
from tests.alerts.conftest import Clock
from tests.alerts.traffic import complaint

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Paris
FAST = RetryPolicy(base=0.05, cap=0.2, max_attempts=4, jitter=0.0)


def _webhook(url: str, **routing: object) -> AlertChannel:
    return AlertChannel(
        name="hook",
        kind="webhook",
        config={"url": url, "secret": "s3cret"},
        routing={"lang": "en", **routing},
    )


def _influencer_alert(store, clock, channels, options=None):
    store.save_alert_rule(AlertRule(name="vip", kind="influencer"))
    for channel in channels:
        store.save_alert_channel(channel)
    monitor = Monitor(
        store,
        options=options or MonitorOptions(allow_private=True, retry=FAST, poll=0.05),
        clock=clock,
    )
    monitor.handle([complaint(1, clock(), followers=250_000, author="star")])
    return monitor


def test_webhook_is_signed_and_explains_the_alert(alert_store, receiver):
    clock = Clock(NOW)
    monitor = _influencer_alert(alert_store, clock, [_webhook(receiver.url)])
    try:
        (got,) = receiver.wait(1)
    finally:
        monitor.close()
    assert verify_signature("s3cret", got.body, got.headers["X-Ecoute-Signature"])
    assert not verify_signature("wrong", got.body, got.headers["X-Ecoute-Signature"])
    body = json.loads(got.body)
    assert body["event"] == "opened" and got.headers["X-Ecoute-Event"] == "opened"
    alert = body["alert"]
    assert (alert["query"], alert["kind"]) == ("fleurimaud", "influencer")
    assert alert["explanation"]["posts"][0]["author"] == "star"
    assert alert["explanation"]["link"].startswith("/?query=fleurimaud")
    (delivery,) = alert_store.list_deliveries()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_failing_receiver_is_retried_visibly_until_it_recovers(alert_store, receiver):
    receiver.fail_first = 2
    # Retries wait real (short) time: this test runs on the wall clock.
    monitor = _influencer_alert(alert_store, now, [_webhook(receiver.url)])
    try:
        assert len(receiver.wait(1)) == 1
    finally:
        monitor.close()
    (delivery,) = alert_store.list_deliveries()
    assert receiver.attempts == 3
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, None)


def test_receiver_that_never_recovers_ends_failed_and_can_be_retried(alert_store, receiver):
    receiver.fail_first = 100
    receiver.fail_status = 503
    clock = Clock(NOW)
    monitor = _influencer_alert(alert_store, clock, [_webhook(receiver.url)])
    monitor.close()  # stop the thread; drive the worker by hand
    worker = DeliveryWorker(alert_store, allow_private=True, retry=FAST, clock=clock)
    for _ in range(FAST.max_attempts):
        worker.deliver_due()
        clock.advance(seconds=1)
    (delivery,) = alert_store.list_deliveries(statuses=["failed"])
    assert delivery.attempts == FAST.max_attempts
    assert "503" in delivery.last_error
    receiver.fail_first = 0
    assert alert_store.retry_delivery(delivery.id, clock())
    worker.deliver_due()
    worker.stop()
    assert alert_store.list_deliveries()[0].status == "delivered"
    assert len(receiver.requests) == 1


def test_gone_endpoint_fails_at_once(alert_store, receiver):
    receiver.fail_first = 100
    receiver.fail_status = 404
    clock = Clock(NOW)
    monitor = _influencer_alert(alert_store, clock, [_webhook(receiver.url)])
    monitor.close()
    worker = DeliveryWorker(alert_store, allow_private=True, retry=FAST, clock=clock)
    worker.deliver_due()
    worker.stop()
    (delivery,) = alert_store.list_deliveries()
    assert (delivery.status, delivery.attempts) == ("failed", 1)


def test_slack_and_email_carry_the_same_alert(alert_store, receiver, smtp):
    slack = AlertChannel(
        name="team", kind="slack", config={"url": receiver.url}, routing={"lang": "fr"}
    )
    mail = AlertChannel(
        name="mail",
        kind="email",
        config={
            "host": smtp.host,
            "port": smtp.port,
            "security": "none",
            "sender": "ecoute@brand.example",
            "to": ["cm@brand.example"],
        },
        routing={"lang": "en"},
    )
    clock = Clock(NOW)
    monitor = _influencer_alert(alert_store, clock, [slack, mail])
    try:
        (got,) = receiver.wait(1)
        monitor.worker.wake()
        for _ in range(100):
            if smtp.messages:
                break
            receiver.arrived.wait(0.05)
    finally:
        monitor.close()
    text = json.loads(got.body)["text"]
    assert "plainte d'un auteur influent « fleurimaud »" in text
    assert "@star (250\u202f000 abonnés)" in text
    sender, recipients, raw = smtp.messages[0]
    assert (sender, recipients) == ("ecoute@brand.example", ["cm@brand.example"])
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert "complaint by an influential author « fleurimaud »" in message["Subject"]
    assert "See the mentions: /?query=fleurimaud" in message.get_content()


def test_quiet_hours_hold_a_warning_until_morning(alert_store, receiver):
    night = datetime(2026, 11, 3, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    clock = Clock(night)
    channel = _webhook(receiver.url, quiet_hours="22:00-07:00", timezone="Europe/Paris")
    monitor = _influencer_alert(alert_store, clock, [channel])
    monitor.close()
    (held,) = alert_store.list_deliveries()
    assert held.status == "held"
    assert held.next_attempt_at == datetime(2026, 11, 4, 6, 0, tzinfo=UTC)
    worker = DeliveryWorker(alert_store, allow_private=True, clock=clock)
    assert worker.deliver_due() == []
    clock.now = held.next_attempt_at
    assert [d.status for d in worker.deliver_due()] == ["delivered"]
    worker.stop()


def test_daily_digest_is_sent_once(alert_store, receiver):
    clock = Clock(NOW)
    channel = _webhook(receiver.url, digest_at="12:00", digest_only=True, timezone="Europe/Paris")
    monitor = _influencer_alert(alert_store, clock, [channel])
    monitor.close()
    assert alert_store.list_deliveries() == []  # digest only: nothing in real time
    clock.now = datetime(2026, 11, 3, 11, 5, tzinfo=UTC)  # 12:05 in Paris
    assert monitor.enqueue_digests(clock()) == 1
    assert monitor.enqueue_digests(clock()) == 0
    (digest,) = alert_store.list_deliveries()
    assert digest.event == "digest" and len(digest.payload["alerts"]) == 1


def test_private_webhook_is_refused_unless_allowed(receiver):
    channel = _webhook(receiver.url)
    with pytest.raises(ChannelError, match="private"):
        check_channel(channel)
    check_channel(channel, allow_private=True)
    with pytest.raises(ChannelError, match="secret"):
        check_channel(
            AlertChannel(name="x", kind="webhook", config={"url": receiver.url}), allow_private=True
        )


def test_secrets_are_never_shown():
    hook = _webhook("https://hooks.example/abc?token=zzz")
    assert shown_config(hook) == {"url": "https://hooks.example/abc?…", "secret": "**********"}
    slack = AlertChannel(
        name="s", kind="slack", config={"url": "https://hooks.example/services/T1/B2/XYZ"}
    )
    assert "XYZ" not in str(shown_config(slack))
    mail = AlertChannel(name="m", kind="email", config={"host": "smtp.example", "password": "pw"})
    assert "pw" not in str(shown_config(mail))


def test_outbox_survives_a_crash(alert_store, receiver):
    clock = Clock(NOW)
    monitor = Monitor(
        alert_store, clock=clock, start_worker=False, options=MonitorOptions(allow_private=True)
    )
    alert_store.save_alert_rule(AlertRule(name="vip", kind="influencer"))
    alert_store.save_alert_channel(_webhook(receiver.url))
    monitor.handle([complaint(1, NOW, followers=250_000)])
    # The process dies before sending: the delivery waits in the outbox.
    assert [d.status for d in alert_store.list_deliveries()] == ["pending"]
    restarted = Monitor(
        alert_store, clock=clock, options=MonitorOptions(allow_private=True, poll=0.05)
    )
    try:
        assert len(receiver.wait(1)) == 1
    finally:
        restarted.close()
        monitor.close()
    assert isinstance(alert_store.list_deliveries()[0], Delivery)
    assert alert_store.list_deliveries()[0].status == "delivered"
