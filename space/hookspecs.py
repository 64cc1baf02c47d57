"""Every hook a plugin may implement. Implement one with ``@hookimpl`` in the plugin's
``hooks`` module; the core calls them through ``space.plugins.hook()``.
"""

from __future__ import annotations

from enum import StrEnum

import pluggy

hookspec = pluggy.HookspecMarker("space")
hookimpl = pluggy.HookimplMarker("space")


class Outlet(StrEnum):
    """Places in the core's templates where plugins may add HTML."""

    HEAD = "head"
    HOME_MAIN = "home_main"
    HOME_ASIDE = "home_aside"
    PROFILE_MAIN = "profile_main"
    PROFILE_ASIDE = "profile_aside"
    GROUP_MAIN = "group_main"
    ADMIN_DASHBOARD = "admin_dashboard"
    # Under a discussion topic's title (context: ``topic``), e.g. the event it is about.
    TOPIC_HEADER = "topic_header"


@hookspec
def register_actions():
    """Return permission ``Action``s the plugin defines."""


@hookspec
def nav_items(user):
    """Return ``NavItem``s for the main navigation as seen by ``user``."""


@hookspec
def template_outlet(outlet, context):
    """Return HTML (``Markup``) to place at ``outlet`` (an ``Outlet``), or None."""


@hookspec
def search_types():
    """Return ``SearchType``s (name and label) of the documents the plugin indexes."""


@hookspec
def search_documents():
    """Yield every search ``Document`` the plugin owns, for a full reindex."""


@hookspec
def search_restrict(query, user):
    """Return the set of document keys ``user``'s ``query`` may find (to narrow it), or None."""


@hookspec
def notification_types():
    """Return ``NotificationType``s: how each kind of notification reads and links."""


@hookspec
def review_handlers():
    """Return review handlers for items the plugin sends to the moderation queue."""


@hookspec
def review_scopes(user):
    """Return the review scopes (e.g. "discuss.category:4") ``user`` moderates, if any."""


@hookspec
def trust_signals(user_ids):
    """Return {user_id: {stat: value}} of activity the plugin records, for trust levels."""


@hookspec
def site_settings():
    """Return {key: default} of run-time settings admins may change (kept with the site's)."""


@hookspec(firstresult=True)
def discussion_open(subject, actor):
    """Open or update the topic about ``subject`` (``space.discussions.Subject``); return its id."""


@hookspec
def discussion_close(topic_id, actor, reason):
    """Close topic ``topic_id`` and take it off the lists."""


@hookspec(firstresult=True)
def discussion_summary(topic_id, user, limit):
    """Return a ``space.discussions.Summary`` of the topic as ``user`` sees it, or None."""


@hookspec(firstresult=True)
def discussion_find(reference, user):
    """Return the id of the topic ``reference`` (an id or URL) names, if ``user`` may read it."""


@hookspec
def sitemap_urls():
    """Return [(path, last modified datetime or None)] of public pages for /sitemap.xml."""


@hookspec
def register_commands(cli):
    """Add click commands to the ``flask space`` group ``cli``."""


@hookspec
def scheduled_jobs():
    """Return ``Job``s to run periodically (each runs once per period across processes)."""


@hookspec
def demo_content(size, options):
    """Create the plugin's demo content (``size`` is "small" or "large"; ``options`` the
    whole ``space.demo.Options``); never commit. May return {what: a statement counting
    it} for the command's summary line, counted once every plugin is done (e.g.
    {"topics": select(func.count(Topic.id))})."""


@hookspec
def user_registered(user):
    """Called when an account is created (inside the creating transaction)."""


@hookspec
def user_promoted(user, old_level, new_level):
    """Called when a user's trust level rises (inside the transaction)."""
