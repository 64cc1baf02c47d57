"""Before and after an event: reminders to the people going, and the organizers' report.

``send_reminders`` (the "events.reminders" job) tells the people going to an event whose
next occurrence starts within ``reminder_hours``, once per occurrence. ``Event.reminded_at``
holds the start (UTC) of the occurrence last reminded of: an occurrence is due when it
starts later than that; the claim is a conditional UPDATE, so two runs never remind twice.
A recurring event is reminded of each of its (not cancelled) occurrences in turn.

``publish_report`` writes the report once the event is over: attendance, what was done
(markdown, cooked at write time) and links; participants are told when it first appears.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from space import audit
from space.db import db, utcnow
from space.markup import render

from ..access import is_organizer
from ..models import Answer, Event, EventStatus
from ..settings import value
from . import notices, times
from .events import EventError, cancelled_starts

REPORT_MAX = 20_000
LINKS_MAX = 10
LINK_LENGTH = 500
ATTENDANCE_MAX = 1_000_000


# --- reminders --------------------------------------------------------------------------------


def _next_start(event: Event, now: datetime, until: datetime,
                cancelled: frozenset[datetime]) -> datetime | None:  # fmt: skip
    """Start (UTC) of the event's first occurrence in (now, until], not cancelled."""
    if not event.rrule:
        return event.start_at if now < event.start_at <= until else None
    for occurrence in times.occurrences(event, now, until + timedelta(seconds=1),
                                        cancelled=cancelled):  # fmt: skip
        if now < occurrence.start_at <= until and not occurrence.cancelled:
            return occurrence.start_at
    return None


def _claim(event: Event, start: datetime) -> bool:
    """Mark the occurrence starting at ``start`` reminded; False when it already was."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id,
               or_(Event.reminded_at.is_(None), Event.reminded_at < start))
        .values(reminded_at=start),
        execution_options={"synchronize_session": False},
    )  # fmt: skip
    return result.rowcount == 1


def send_reminders(now: datetime | None = None) -> int:
    """Remind the people going to events starting within ``reminder_hours`` (each
    occurrence once). Commits; returns how many events were reminded of."""
    now = now or utcnow()
    until = now + timedelta(hours=int(value("reminder_hours")))
    candidates = db.session.scalars(
        select(Event)
        .where(
            Event.status != EventStatus.CANCELLED,
            Event.going_count > 0,
            Event.start_at <= until,
            or_(Event.last_end_at.is_(None), Event.last_end_at > now),
            or_(
                # one-off: starts soon, not reminded of this start
                and_(Event.rrule == "", Event.start_at > now,
                     or_(Event.reminded_at.is_(None), Event.reminded_at < Event.start_at)),
                # recurring: the occurrence last reminded of (if any) has begun
                and_(Event.rrule != "",
                     or_(Event.reminded_at.is_(None), Event.reminded_at <= now)),
            ),
        )
        .order_by(Event.start_at, Event.id)
    ).all()  # fmt: skip
    cancelled = cancelled_starts([event.id for event in candidates if event.rrule])
    reminded = 0
    for event in candidates:
        start = _next_start(event, now, until, cancelled.get(event.id, frozenset()))
        if start is None or (event.reminded_at is not None and event.reminded_at >= start):
            continue
        if not _claim(event, start):
            continue
        note = start.isoformat(timespec="minutes")
        notices.tell(event, "events.reminder", None,
                     notices.participant_ids(event, (Answer.GOING,)), note=note)  # fmt: skip
        db.session.commit()
        reminded += 1
    db.session.commit()
    return reminded


# --- the report -------------------------------------------------------------------------------


def _links(links) -> list[str]:
    found: list[str] = []
    for link in links or []:
        link = (link or "").strip()
        if not link or link in found:
            continue
        parts = urlsplit(link)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(link) > LINK_LENGTH \
                or any(c.isspace() for c in link):  # fmt: skip
            raise EventError(_("Each link is a full web address starting with https:// "
                               "(%(link)s is not).", link=link[:80]), "links")  # fmt: skip
        found.append(link)
    if len(found) > LINKS_MAX:
        raise EventError(_("At most %(n)d links.", n=LINKS_MAX), "links")
    return found


def publish_report(user, event: Event, attendance: int | None, body: str, links) -> bool:
    """Write (or correct) the report of an event that is over. Participants are told when
    it is first published; returns whether this was the first time."""
    from .registration import is_over

    if event.is_cancelled:
        raise EventError(_("A cancelled event has no report."))
    if not is_over(event):
        raise EventError(_("The report can be published once the event is over."))
    body = (body or "").strip()
    if not body:
        raise EventError(_("Say what was done."), "body")
    if len(body) > REPORT_MAX:
        raise EventError(_("The report is too long (at most %(n)d characters).", n=REPORT_MAX),
                         "body")  # fmt: skip
    if attendance is not None and not 0 <= attendance <= ATTENDANCE_MAX:
        raise EventError(_("Attendance is a number from 0 to %(n)d.", n=ATTENDANCE_MAX),
                         "attendance")  # fmt: skip
    cleaned_links = _links(links)
    first = event.report_published_at is None
    event.report = body
    event.report_cooked = str(render(body))
    event.report_attendance = attendance
    event.report_links = cleaned_links
    event.updated_at = utcnow()
    if first:
        event.report_published_at = utcnow()
        notices.tell_participants(event, "events.report", user)
    if not is_organizer(user, event):
        audit.record("events.event.report", actor=user, target=event, target_type="event",
                     target_label=event.title[:200])  # fmt: skip
    return first
