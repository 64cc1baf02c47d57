"""The admin area: dashboard, users, groups, site settings, invitations and the audit log.

Every page calls ``require``: ``admin.access`` everywhere except the audit log, which
moderators read too (``audit.read``). Views parse, check, call ``space.admin.services`` or
the account services, commit once, and render or redirect.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from space import audit
from space.admin import services
from space.db import db
from space.permissions import require
from space.plugins import registry

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():
    require(current_user, "admin.access")
    recent = db.session.scalars(services.with_actors(audit.entries_query()).limit(10)).all()
    return render_template(
        "admin/index.html",
        counts=services.dashboard_counts(),
        recent=recent,
        plugins=list(registry().plugins.values()),
        labels=audit_views.ACTION_LABELS,
    )


from space.admin import (  # noqa: E402 - the views attach themselves to ``bp``
    audit_views,
    groups,
    invites,
    site_views,
    users,
)

__all__ = ["audit_views", "bp", "groups", "invites", "site_views", "users"]
