"""Events plugins may react to, declared once (pluggy), implemented anywhere.

A plugin registers under the entry-point group ``ecoute.hooks`` and implements
any of these with ``@hookimpl``. Hooks run in the thread that stored the batch:
keep them quick and hand slow work (delivery, I/O) to a queue of your own.
"""

from __future__ import annotations

import pluggy

from ecoute.model import Mention
from ecoute.store.base import Store

hookspec = pluggy.HookspecMarker("ecoute")
hookimpl = pluggy.HookimplMarker("ecoute")


class EcouteSpecs:
    @hookspec
    def mentions_stored(self, store: Store, mentions: list[Mention]) -> None:
        """A batch was committed to `store`: `mentions` are its live posts added or changed."""


def plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """Return a plugin manager with the specs and the installed hook plugins."""
    pm = pluggy.PluginManager("ecoute")
    pm.add_hookspecs(EcouteSpecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints("ecoute.hooks")
    return pm
