"""Discover modality plugins through the ``fakescope.plugins`` entry-point group."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

log = logging.getLogger(__name__)
_loaded = False
_failures: dict[str, str] = {}


def load_plugins() -> dict[str, str]:
    """Import every installed plugin once and call its ``register()``.

    A plugin that fails to import is skipped (its reason kept in the returned dict) so that one
    broken optional modality never takes the others down.
    """
    global _loaded
    if _loaded:
        return dict(_failures)
    _loaded = True
    for ep in entry_points(group="fakescope.plugins"):
        try:
            register = ep.load()
            register()
        except Exception as exc:  # a broken plugin must not break the others
            _failures[ep.name] = f"{type(exc).__name__}: {exc}"
            log.debug("plugin %s could not be loaded: %s", ep.name, exc)
    return dict(_failures)


def plugin_failures() -> dict[str, str]:
    """Plugins that failed to load, with the reason."""
    load_plugins()
    return dict(_failures)
