"""The notifications page: list, open, mark read."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from space import notify
from space.accounts.forms import EmptyForm
from space.db import db
from space.errors import fail
from space.paging import page_number
from space.permissions import require
from space.security import safe_next

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    require(current_user, "notifications.read")
    query = notify.notifications_query(current_user.id)
    page = db.paginate(query, page=page_number(), per_page=30, error_out=False)
    items = [(item, *notify.describe(item)) for item in page.items]
    return render_template(
        "notifications/index.html", page=page, items=items, form=EmptyForm(formdata=None)
    )


@bp.post("/notifications/<int(max=2147483647):notification_id>/open")
@login_required
def open_one(notification_id: int):
    """Mark one read and go where it points."""
    require(current_user, "notifications.read")
    item = db.session.get(notify.Notification, notification_id)
    if item is None or item.user_id != current_user.id:
        fail(404, _("There is no such notification."))
    notify.mark_read(current_user.id, [item.id])
    db.session.commit()
    _text, url = notify.describe(item)
    return redirect(safe_next(url, "notifications.index"))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    require(current_user, "notifications.read")
    if notify.mark_read(current_user.id):
        db.session.commit()
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for("notifications.index"))
