"""Events plugins may react to, declared once (pluggy), implemented anywhere.

A plugin registers under the entry-point group ``ecoute.hooks`` and implements
any of these with ``@hookimpl``. Hooks run in the thread that stored the batch:
keep them quick and hand slow work (delivery, I/O) to a queue of your own.
"""

from __future__ import annotations

import pluggy

from ecoute.model import Mention
from ecoute.settings import Settings
from ecoute.store.base import Store

hookspec = pluggy.HookspecMarker("ecoute")
hookimpl = pluggy.HookimplMarker("ecoute")


class EcouteSpecs:
    @hookspec
    def settings_loaded(self, settings: Settings) -> None:
        """The deployment's settings, given once before any batch is stored."""

    @hookspec
    def mentions_stored(self, store: Store, mentions: list[Mention]) -> None:
        """A batch was committed to `store`: `mentions` are its live posts added or changed.

        `mentions` is a sequence; for posts stored in bulk it builds each Mention only
        when read, which costs more than storing it. A plugin that needs only the
        posts some query matched, created since a moment, may call
        ``mentions.tagged_since(moment)`` when the sequence has it.
        """


def plugin_manager(
    settings: Settings | None = None, *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """Return a plugin manager with the specs and the installed hook plugins, configured."""
    pm = pluggy.PluginManager("ecoute")
    pm.add_hookspecs(EcouteSpecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints("ecoute.hooks")
    if settings is not None:
        pm.hook.settings_loaded(settings=settings)
    return pm


def close_hooks(pm: pluggy.PluginManager) -> None:
    """Let plugins that keep threads (alert delivery) finish: call their ``close``."""
    for plugin in pm.get_plugins():
        close = getattr(plugin, "close", None)
        if callable(close):
            close()
