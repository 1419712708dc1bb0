"""RSS and Atom feeds become mentions, safely."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ecoute.sources import rss
from ecoute.sources._parsing import PayloadError

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _feed(shared, name: str):
    return rss.parse_feed((shared / "fixtures" / "rss" / name).read_bytes(), collected_at=NOW)


def test_rss2_entry_uses_content_encoded_as_plain_text(shared):
    (entry,) = _feed(shared, "rss2_cloudflare_blog.xml").mentions
    assert entry.author.handle == "Luke Valenta"
    assert entry.created_at == datetime(2021, 10, 14, 12, 59, 53, tzinfo=UTC)
    assert (
        entry.url
        == "https://blog.cloudflare.com/privacy-preserving-compromised-credential-checking/"
    )
    assert entry.text.startswith(
        "Privacy-Preserving Compromised Credential Checking\n\nToday we’re"
    )
    assert "announcing a public demo and an open-sourced Go implementation" in entry.text
    assert "<" not in entry.text and "href" not in entry.text
    assert entry.native_id == "https://blog.cloudflare.com/#6166e7e065133e02a961145d"


def test_atom_entries_have_authors_times_and_feed_scoped_ids(shared):
    parsed = _feed(shared, "atom_reddit_homelab_new.xml")
    assert len(parsed.mentions) == 25 and not parsed.rejected
    first = parsed.mentions[0]
    assert first.author.handle == "/u/Remarkable_Housing61"
    assert first.created_at == datetime(2023, 7, 23, 17, 38, 30, tzinfo=UTC)
    assert first.text.startswith("Any reason to keep 1G connections to my servers?\n\nHello all,")
    assert first.native_id.endswith("#t3_157kyrd")
    assert len({m.native_id for m in parsed.mentions}) == 25


def test_namespaced_rss_reads_dublin_core_dates_and_feed_language(shared):
    (entry,) = _feed(shared, "rss2_pocketsoap_ns_modules.xml").mentions
    assert entry.text.startswith(
        "Test Item - RSS2.0 w/ NS\n\nThis is a fairly standard RSS 2.0 feed"
    )
    assert entry.created_at == datetime(2002, 9, 28, 20, 1, 19, tzinfo=UTC)
    assert (entry.lang, entry.lang_by) == ("en", "source")


def test_entity_bombs_external_entities_and_scripts_stay_inert():
    feed = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><link>https://ex.fr/</link>
<item><guid>1</guid><title>&h;</title><description>&x;</description></item>
<item><guid>2</guid><title>Bonjour</title><description><![CDATA[<p>Super <script>alert(1)</script>
<img src=x onerror=alert(2)>produit</p>]]></description></item></channel></rss>"""
    parsed = rss.parse_feed(feed, collected_at=NOW)
    texts = [m.text for m in parsed.mentions]
    assert all(len(t) < 200 for t in texts)
    assert not any("root:" in t for t in texts)
    assert "Bonjour\n\nSuper produit" in texts
    assert parsed.mentions[-1].created_at == NOW  # undated entry: dated when collected


def test_a_path_is_not_opened_as_a_feed():
    with pytest.raises(PayloadError, match="not an RSS or Atom feed"):
        rss.parse_feed(b"/etc/hostname", collected_at=NOW)


def test_oversized_feed_is_refused(monkeypatch):
    monkeypatch.setattr(rss, "MAX_FEED_BYTES", 100)
    with pytest.raises(PayloadError, match="refused"):
        rss.parse_feed(b"<rss>" + b" " * 200 + b"</rss>", collected_at=NOW)
