"""What participants and organizers hear of: changes, cancellations, places freed on the
waitlist, reminders and organizers' messages. Nobody hears of their own act, and nobody
hears of an event they may no longer see (a private group's event after leaving it)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from space import notify
from space.accounts.models import User
from space.db import db
from space.permissions import can

from ..models import Answer, Event, Registration

# Answers that mean "tell me about this event".
CONCERNED = (Answer.GOING, Answer.WAITLISTED, Answer.INTERESTED)


def participant_ids(event: Event, answers=CONCERNED) -> list[int]:
    return list(
        db.session.scalars(
            select(Registration.user_id).where(
                Registration.event_id == event.id, Registration.answer.in_(answers)
            )
        )
    )


def tell(event: Event, kind: str, actor, user_ids, *, note: str = "") -> int:
    wanted = set(user_ids) - {getattr(actor, "id", None), None}
    if not wanted:
        return 0
    people = db.session.scalars(select(User).where(User.id.in_(wanted))).all()
    data = {"event_id": event.id, "slug": event.slug, "title": event.title,
            "name": getattr(actor, "username", "") or "", "note": note[:300]}  # fmt: skip
    told = 0
    for person in people:
        if can(person, "events.read", event):
            notify.notify(person.id, kind, **data)
            told += 1
    return told


def tell_participants(event: Event, kind: str, actor, *, note: str = "") -> int:
    return tell(event, kind, actor, participant_ids(event), note=note)


def notification_types() -> list:
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from space.notify import NotificationType

    def link(data):
        return url_for("events.event", event_id=data["event_id"], slug=data.get("slug") or "e")

    def kind(name, label, text):
        return NotificationType(name, label, text, link)

    return [
        kind("events.updated", _l("Changes to events you registered for"),
             lambda d: _("“%(title)s” has changed", title=d["title"])),
        kind("events.cancelled", _l("Cancelled events"),
             lambda d: _("“%(title)s” is cancelled", title=d["title"])),
        kind("events.occurrence_cancelled", _l("Cancelled occurrences"),
             lambda d: _("One date of “%(title)s” is cancelled", title=d["title"])),
        kind("events.registration", _l("Your registrations"),
             lambda d: _("You have a place at “%(title)s”", title=d["title"])),
        kind("events.removed", _l("Registrations removed by organizers"),
             lambda d: _("An organizer removed your registration for “%(title)s”",
                         title=d["title"])),
        kind("events.message", _l("Messages from organizers"),
             lambda d: _("%(user)s wrote to the participants of “%(title)s”", user=d["name"],
                         title=d["title"])),
        kind("events.reminder", _l("Reminders of events"),
             lambda d: _("Reminder: “%(title)s” is coming up", title=d["title"])),
        kind("events.report", _l("Event reports"),
             lambda d: _("The report of “%(title)s” is published", title=d["title"])),
    ]  # fmt: skip
