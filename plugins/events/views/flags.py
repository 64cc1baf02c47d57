"""Flagging an event for the review queue: ``events.flag`` (/events/<id>/flag).

The page shows the event's title, when and where, and the reasons (those of every flag on
the site), and sends them to ``space.moderation.services.flag`` with the "events.event"
handler (``moderation.py``). An event the reader may not see (a private group's, for an
outsider) is 404 like a missing one; signed-out readers are sent to sign in; organizers
cannot flag their own event. The event page shows the link when ``events_may_flag(event)``
says so.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from space.db import db
from space.errors import fail
from space.moderation import reasons
from space.moderation.models import FlagReason
from space.permissions import can, require

from ..access import is_organizer
from ..models import Event
from ..moderation import ITEM_TYPE, load_event
from . import bp

OFF_TOPIC = _l("It does not belong in this calendar: it is not an event of our movement and "
               "its people.")  # fmt: skip


@bp.app_template_global("events_may_flag")
def may_flag(event: Event | None) -> bool:
    """Show the "Flag" link on an event's page: a signed-in reader who may flag (not
    silenced) and is not one of its organizers."""
    if event is None or not getattr(current_user, "is_authenticated", False):
        return False
    if is_organizer(current_user, event):
        return False
    if "moderation.flag" not in current_app.extensions.get("space.actions", {}):
        return True
    return can(current_user, "moderation.flag")


def _visible_event(event_id: int) -> Event:
    event = load_event(event_id)
    if event is None:
        abort(404)
    require(current_user, "events.read", event)
    return event


@bp.route("/<int(max=2147483647):event_id>/flag", methods=["GET", "POST"])
def flag(event_id: int):
    event = _visible_event(event_id)
    if not current_user.is_authenticated:
        abort(401)
    require(current_user, "moderation.flag")
    if is_organizer(current_user, event):
        fail(403, _("You cannot flag your own content."))
    back = url_for("events.event", event_id=event.id, slug=event.slug)
    typed = dict(reasons.EMPTY)
    error = None
    if request.method == "POST":
        typed = reasons.read_form(request.form)
        error = reasons.send(current_user, ITEM_TYPE, event.id, typed)
        if error is not None:
            event = load_event(event_id)  # the rollback expired it: load it again
        else:
            db.session.commit()
            if typed["reason"] == FlagReason.MESSAGE_AUTHOR:
                flash(_("Your message was sent to the organizer."), "success")
            else:
                flash(_("Thanks for letting us know."), "success")
            return redirect(back)
    organizer = event.user.name if event.user is not None else ""
    page = render_template(
        "events/moderation/flag.html", event=event, typed=typed, error=error, back=back,
        reasons=reasons.choices(current_user, OFF_TOPIC, organizer),
    )  # fmt: skip
    return page, 422 if error else 200
