"""The alerts plugin: the ``mentions_stored`` hook feeds each workspace's monitor.

Registered under the entry-point group ``ecoute.hooks``. One `Monitor` (and one
delivery thread) is started per store the first time a batch of it is stored.
Whoever runs a pipeline may call `configure` first (the web app's public
address for links, whether webhooks may reach private addresses) and `close`
when done; undelivered messages wait in the outbox either way.
"""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import replace
from typing import Any

from ecoute.alerts.monitor import Monitor, MonitorOptions
from ecoute.hookspecs import hookimpl
from ecoute.model import Mention
from ecoute.store.alerts import AlertStore

log = logging.getLogger(__name__)


class AlertsPlugin:
    """Raises alerts on every workspace whose batches it hears about."""

    def __init__(self, options: MonitorOptions | None = None, **monitor_args: Any) -> None:
        self.options = options or MonitorOptions()
        self.monitor_args = monitor_args
        self.monitors: dict[int, Monitor] = {}
        self._lock = threading.Lock()
        self._warned: set[int] = set()

    def configure(self, **changes: Any) -> None:
        """Change the options of monitors started from now on (e.g. link_base, allow_private)."""
        self.options = replace(self.options, **changes)

    @hookimpl
    def settings_loaded(self, settings: Any) -> None:
        """Take the web app's public address and the private-address policy from settings."""
        link = settings.public_url or f"http://{settings.host}:{settings.port}"
        self.configure(link_base=link.rstrip("/"), allow_private=settings.allow_private_urls)

    def monitor(self, store: Any) -> Monitor:
        """Return the monitor of `store`, starting it on first use."""
        with self._lock:
            found = self.monitors.get(id(store))
            if found is None or found.store is not store:
                found = Monitor(store, options=self.options, **self.monitor_args)
                self.monitors[id(store)] = found
            return found

    @hookimpl
    def mentions_stored(self, store: Any, mentions: list[Mention]) -> None:
        """Feed the batch to the store's monitor; a failure is logged, never raised to ingest."""
        if not isinstance(store, AlertStore):
            if id(store) not in self._warned:
                self._warned.add(id(store))
                log.warning("%s keeps no alerts; alerting is off", type(store).__name__)
            return
        try:
            self.monitor(store).handle(mentions)
        except Exception:  # the mentions are stored; an alerting bug must not stop listening
            log.exception("alert detection failed on a batch of %d mentions", len(mentions))

    def close(self) -> None:
        """Stop every monitor's delivery thread."""
        with self._lock:
            monitors, self.monitors = list(self.monitors.values()), {}
        for m in monitors:
            m.close()


plugin = AlertsPlugin()
atexit.register(plugin.close)
