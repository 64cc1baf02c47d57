"""The audit log page, for admins and moderators: filters, newest first, 50 per page.

A page costs the entries query (actors joined in) and its count, whatever the filters.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from space import audit
from space.accounts import services as accounts
from space.admin import bp, services
from space.admin.forms import AuditFilterForm, options
from space.db import db
from space.permissions import require

PER_PAGE = 50

# How the core's actions read; others (plugins') show their dotted name.
ACTION_LABELS = {
    "user.roles": _l("Roles changed"),
    "user.trust_level": _l("Trust level changed"),
    "user.confirm": _l("Email confirmed by staff"),
    "user.password_reset": _l("Password reset sent by staff"),
    "group.create": _l("Group created"),
    "group.update": _l("Group edited"),
    "group.member.add": _l("Member added"),
    "group.member.remove": _l("Member removed"),
    "group.owner": _l("Ownership changed"),
    "group.request.approve": _l("Request to join approved"),
    "group.request.refuse": _l("Request to join refused"),
    "site.update": _l("Site settings changed"),
    "site.code_of_conduct": _l("Code of conduct changed"),
    "invite.create": _l("Invitation created"),
    "invite.revoke": _l("Invitation revoked"),
}


def _start_of(day) -> datetime:
    """Midnight of ``day`` in the viewer's time zone: the filter's dates are theirs."""
    # str() gives the zone's name whether Babel hands out pytz or zoneinfo objects.
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(str(get_timezone())))


@bp.get("/audit")
def audit_log():
    require(current_user, "audit.read")
    form = AuditFilterForm(formdata=request.args)
    form.target_type.choices = options(
        [("", _("Any target"))] + [(name, name) for name in services.audit_target_types()]
    )
    actor = None
    valid = form.validate()
    if valid and form.actor.data:
        actor = accounts.by_username(form.actor.data)
        if actor is None:
            form.actor.errors.append(_("There is no one with this username."))
            valid = False
    if not valid:
        return render_template(
            "admin/audit.html", form=form, page=None, filters={}, labels=ACTION_LABELS
        ), 400
    query = audit.entries_query(
        actor_id=actor.id if actor else None,
        action=form.action.data or None,
        target_type=form.target_type.data or None,
        since=_start_of(form.since.data) if form.since.data else None,
        until=_start_of(form.until.data + timedelta(days=1)) if form.until.data else None,
    )
    page = db.paginate(
        services.with_actors(query), page=form.page.data or 1, per_page=PER_PAGE, error_out=False
    )
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html", form=form, page=page, filters=filters, labels=ACTION_LABELS
    )
