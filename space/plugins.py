"""The plugin contract: a plugin is a module exposing ``plugin = Plugin(...)``.

Enabled plugins are an ordered list in ``SPACE_PLUGINS``. A name is looked up as a
built-in plugin (``plugins.<name>``), then as an entry point of the ``space.plugins``
group, then as an importable module path. The manager is created per app and lives in
``app.extensions["space.plugins"]``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy
from flask import Blueprint, current_app

from space import hookspecs

ENTRY_POINT_GROUP = "space.plugins"


@dataclass
class Plugin:
    """What a plugin brings. Only ``name`` is required."""

    name: str
    blueprint: Blueprint | None = None
    url_prefix: str | None = None
    # A module or object with @hookimpl functions.
    hooks: ModuleType | Any | None = None
    # flask-smorest blueprints registered under /api/v1/<name>, or "module:attribute"
    # references to them, imported when the API is first used (space.api.load).
    api_blueprints: list = field(default_factory=list)
    title: Any = None  # a lazy string shown in the admin area


@dataclass(frozen=True)
class NavItem:
    label: Any
    endpoint: str
    order: int = 50
    icon: str | None = None
    # Endpoints prefix that marks the item as current, e.g. "discuss."
    active_prefix: str | None = None


class PluginError(RuntimeError):
    pass


class Registry:
    """The plugins of one app and their hook manager."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager("space")
        self.manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, Plugin] = {}

    def add(self, plugin: Plugin) -> None:
        if plugin.name in self.plugins:
            raise PluginError(f"plugin {plugin.name!r} is enabled twice")
        self.plugins[plugin.name] = plugin
        if plugin.hooks is not None:
            self.manager.register(plugin.hooks, name=plugin.name)

    @property
    def hook(self):
        return self.manager.hook


def resolve(name: str) -> Plugin:
    """Find the ``Plugin`` object for an enabled name."""
    module = None
    if "." not in name:
        try:
            module = importlib.import_module(f"plugins.{name}")
        except ModuleNotFoundError as error:
            if error.name not in {f"plugins.{name}", "plugins"}:
                raise
    if module is None:
        for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
            loaded = entry.load()
            return loaded.plugin if isinstance(loaded, ModuleType) else loaded
    if module is None:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            raise PluginError(f"plugin {name!r} not found") from error
    plugin = getattr(module, "plugin", None)
    if not isinstance(plugin, Plugin):
        raise PluginError(f"module {module.__name__} has no `plugin = Plugin(...)`")
    return plugin


def load(app, names: list[str]) -> Registry:
    registry = Registry()
    for name in names:
        registry.add(resolve(name))
    app.extensions["space.plugins"] = registry
    return registry


def registry() -> Registry:
    return current_app.extensions["space.plugins"]


def hook():
    """The hook caller of the current app: ``hook().nav_items(user=...)``."""
    return registry().hook


def flatten(results) -> list:
    """Hooks return a list per plugin; most callers want one list."""
    out: list = []
    for result in results:
        if result is None:
            continue
        if isinstance(result, list | tuple | set):
            out.extend(result)
        else:
            out.append(result)
    return out
