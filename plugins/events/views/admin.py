"""The events' settings page, ``events.admin_settings`` (/events/admin/settings), and their
card on the admin dashboard.

Every setting of ``settings.SETTINGS`` by section, in the core admin area's layout. Numbers
and switches are read by ``Setting.parse``; the map's tile server must be an https URL
template with ``{z}``, ``{x}`` and ``{y}`` whose host the map page can allow in its
Content-Security-Policy; the attribution (HTML, required by most tile servers) is cleaned
when shown; the discussion category is a slug. A form with a mistake re-renders (422) with
what was typed; a save is audited ("events.settings") with the changes. Needs
``admin.access``.
"""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import case, func, or_, select

from space.db import db, utcnow
from space.forms import read_settings, save_settings, setting_text
from space.permissions import can, require

from .. import settings
from ..models import Event
from . import bp

PERMISSION = "events.admin"
SECTIONS = {
    "map": _l("The map"),
    "lists": _l("Lists and discussions"),
    "registration": _l("Registration, reminders and recurring events"),
}
TILE_URL_MAX = 500
ATTRIBUTION_MAX = 1000
SLUG_MAX = 60
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UNSAFE = re.compile(r"[\s\"'<>\\`]")


def kind(setting) -> str:
    """How the page asks for a setting: "bool", "number", "decimal", "url", "html" or
    "slug"."""
    special = {"tile_url": "url", "tile_attribution": "html", "discussion_category": "slug"}
    return special.get(setting.name, setting.kind)


def _tile_url(text: str):
    from .map import tile_origin

    text = text.strip()
    if not text:
        return None, _("Give the address of the map's tiles.")
    if (len(text) > TILE_URL_MAX or not text.startswith("https://") or _UNSAFE.search(text)
            or tile_origin(text) is None):  # fmt: skip
        return None, _("Give an https address, like "
                       "https://tile.openstreetmap.org/{z}/{x}/{y}.png.")  # fmt: skip
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in text]
    if missing:
        return None, _("The address must contain %(parts)s.", parts=" ".join(missing))
    return text, None


def _parse(setting, text: str):
    """(value, None) or (None, a translated message)."""
    which = kind(setting)
    text = text or ""
    if which == "url":
        return _tile_url(text)
    if which == "html":
        text = text.strip()
        if not text:
            return None, _("Give the attribution the tile server asks for.")
        if len(text) > ATTRIBUTION_MAX:
            return None, _("Use at most %(max)d characters.", max=ATTRIBUTION_MAX)
        return text, None
    if which == "slug":
        text = text.strip().lower()
        if text and (len(text) > SLUG_MAX or not SLUG.match(text)):
            return None, _("Use lowercase letters, digits and dashes (at most %(n)d).",
                           n=SLUG_MAX)  # fmt: skip
        return text, None
    return setting.parse(text)


def _settings_page(typed: dict, errors: dict, status=200):
    sections = [(label, [s for s in settings.SETTINGS if s.section == key])
                for key, label in SECTIONS.items()]  # fmt: skip
    return render_template("events/admin/settings.html", sections=sections, typed=typed,
                           errors=errors, kind=kind, url_max=TILE_URL_MAX,
                           attribution_max=ATTRIBUTION_MAX, slug_max=SLUG_MAX), status  # fmt: skip


@bp.route("/admin/settings", methods=["GET", "POST"])
def admin_settings():
    require(current_user, PERMISSION)
    current = {s.name: settings.value(s.name) for s in settings.SETTINGS}
    if request.method == "GET":
        return _settings_page(
            {s.name: setting_text(s, current[s.name]) for s in settings.SETTINGS}, {}
        )
    typed, new, errors = read_settings(request.form, settings.SETTINGS, current, _parse)
    if errors:
        return _settings_page(typed, errors, 422)
    changes = save_settings(new, current, settings.put, actor=current_user, area="events")
    if changes:
        db.session.commit()
        flash(_("The events settings are saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("events.admin_settings"))


# --- the admin dashboard -----------------------------------------------------------------------


def dashboard_card():
    """The events' card on the admin dashboard (one query: upcoming, hidden by the
    moderators, cancelled), for those who may change the settings; else None."""
    if not can(current_user, PERMISSION):
        return None
    now = utcnow()
    upcoming = or_(Event.last_end_at.is_(None), Event.last_end_at > now)
    row = db.session.execute(select(
        func.count(Event.id),
        func.coalesce(func.sum(case((upcoming, 1), else_=0)), 0),
        func.coalesce(func.sum(case((Event.hidden_at.is_not(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Event.status == "cancelled", 1), else_=0)), 0),
    )).one()  # fmt: skip
    counts = dict(zip(("total", "upcoming", "hidden", "cancelled"), row, strict=True))
    return Markup(render_template("events/admin/_dashboard_card.html", counts=counts))
