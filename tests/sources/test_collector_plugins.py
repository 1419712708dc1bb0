"""Every installed source plugin keeps the collector contract (run over the entry points)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, SecretStr

from ecoute.model import SourceSpec
from ecoute.pipeline import ConfigError, shown_config, source_classes, validate_source
from ecoute.sources.base import Source, StreamingSource
from ecoute.sources.http import make_client

PLUGINS = source_classes()
BUILT_IN = {"bluesky-jetstream", "bluesky-search", "mastodon", "mastodon-stream", "reddit",
            "rss", "youtube"}  # fmt: skip

# The least each built-in needs to be valid, secrets included.
MINIMAL = {
    "bluesky-jetstream": {},
    "bluesky-search": {"query": "fleurissimo", "handle": "a.example", "app_password": "Secret-1"},
    "mastodon": {"instance": "https://m.example", "token": "Secret-2"},
    "mastodon-stream": {"instance": "https://m.example", "token": "Secret-3"},
    "reddit": {"client_id": "id", "client_secret": "Secret-4", "subreddits": "france"},
    "rss": {"url": "https://blog.example/feed"},
    "youtube": {"api_key": "Secret-5", "videos": "F1UP7wRCPH8"},
}


def test_every_built_in_collector_is_registered():
    assert set(PLUGINS) >= BUILT_IN


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_a_plugin_is_a_polling_or_streaming_source_named_like_its_entry_point(kind):
    cls = PLUGINS[kind]
    assert cls.name == kind
    assert issubclass(cls.Config, BaseModel) and (cls.__doc__ or "").strip()
    if kind in MINIMAL:
        source = cls(validate_source(SourceSpec(name="x", kind=kind, config=MINIMAL[kind])),
                     make_client())  # fmt: skip
        assert isinstance(source, Source | StreamingSource)


@pytest.mark.parametrize("kind", sorted(BUILT_IN))
def test_unknown_settings_are_refused_and_secrets_are_masked(kind):
    with pytest.raises(ConfigError, match="Extra inputs are not permitted"):
        validate_source(SourceSpec(name="x", kind=kind, config={**MINIMAL[kind], "typo": 1}))
    spec = SourceSpec(name="x", kind=kind, config=MINIMAL[kind])
    config = validate_source(spec)
    secrets = [n for n, v in config if isinstance(v, SecretStr)]
    shown = shown_config(spec)
    assert all(shown[n] == "**********" for n in secrets)
    for name in secrets:
        assert MINIMAL[kind][name] not in repr(config)
