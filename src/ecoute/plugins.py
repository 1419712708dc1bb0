"""Entry-point discovery: built-in stores, sources and stages register like third parties."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any

log = logging.getLogger(__name__)

GROUPS = {
    "stores": "ecoute.stores",
    "sources": "ecoute.sources",
    "stages": "ecoute.stages",
    "hooks": "ecoute.hooks",
}


class PluginError(RuntimeError):
    """A plugin is missing or failed to load."""


def load(kind: str, only: set[str] | None = None) -> dict[str, Any]:
    """Return the plugins of one kind ("stores", "sources", "stages") by name."""
    found = {}
    for ep in entry_points(group=GROUPS[kind]):
        if only is not None and ep.name not in only:
            continue
        try:
            found[ep.name] = ep.load()
        except Exception as exc:
            raise PluginError(f"the {kind[:-1]} plugin {ep.name!r} failed to load: {exc}") from exc
    return found


def describe(only: set[str] | None = None) -> list[dict[str, str]]:
    """List every installed plugin with its kind, name, target and distribution."""
    rows = []
    for kind, group in GROUPS.items():
        for ep in entry_points(group=group):
            rows.append(
                {
                    "kind": kind[:-1],
                    "name": ep.name,
                    "target": ep.value,
                    "package": ep.dist.name if ep.dist else "?",
                    "enabled": "yes" if only is None or ep.name in only else "no",
                }
            )
    return sorted(rows, key=lambda r: (r["kind"], r["name"]))
