"""Discuss's implementations of the core's hooks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from space.hookspecs import hookimpl
from space.plugins import NavItem


@hookimpl
def register_actions():
    from .access import actions

    return actions()


@hookimpl
def site_settings():
    from .settings import defaults

    return defaults()


@hookimpl
def nav_items(user):
    return [NavItem(label=_l("Discuss"), endpoint="discuss.latest", order=20,
                    active_prefix="discuss.")]  # fmt: skip
