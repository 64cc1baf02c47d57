"""Which events go into which iCalendar feed, and the private "my events" links.

Public feeds (one event, every event, any filter of the list) hold what anonymous readers
see, whoever asks: events of private groups never. The private link of a person
(``CalendarToken``, a random capability that its owner can revoke and renew) holds the events
they organize or answered going, waitlisted or interested to, among those they may see.
Feeds keep the last ``PAST_DAYS`` days and what is coming, at most ``MAX_EVENTS`` events; a
feed costs a fixed number of queries (the events, their cancelled occurrences, their
organizers). ``services/ical.py`` writes the documents.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select

from space.accounts.models import User
from space.db import db, utcnow
from space.moderation.penalties import is_suspended
from space.permissions import is_staff

from .. import access, gazetteer
from ..models import Answer, CalendarToken, Event, Mode, Organizer, Registration
from .events import cancelled_starts
from .filters import Filters
from .ical import Entry
from .listing import mine_condition

PAST_DAYS = 30
MAX_EVENTS = 500
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def public():
    """SQL condition: events anonymous readers see."""
    return access.public()


def _recent(now: datetime):
    return or_(Event.last_end_at.is_(None), Event.last_end_at >= now - timedelta(days=PAST_DAYS))


def _events(*where) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(*where).order_by(Event.start_at, Event.id).limit(MAX_EVENTS)
    ))  # fmt: skip


def public_events(filters: Filters | None = None, *, now: datetime | None = None) -> list[Event]:
    """Public events matching ``filters``: within its dates when it has some, else the last
    ``PAST_DAYS`` days and what is coming."""
    now = now or utcnow()
    where = [public()]
    lower, upper = filters.bounds() if filters is not None else (None, None)
    if filters is not None:
        where += filters.conditions()
    if lower is None and upper is None:
        where.append(_recent(now))
    if lower is not None:
        where.append(or_(Event.last_end_at.is_(None), Event.last_end_at > lower))
    if upper is not None:
        where.append(Event.start_at < upper)
    return _events(*where)


def public_event(event_id: int) -> Event | None:
    return db.session.scalar(select(Event).where(Event.id == event_id, public()))


def my_events(user, *, now: datetime | None = None) -> list[Event]:
    """The events ``user`` organizes or attends (going, waitlisted, interested) and may see."""
    return _events(access.visible(user), _recent(now or utcnow()), mine_condition(user))


def first_organizers(event_ids: list[int]) -> dict[int, User]:
    """The first organizer of each event (one query)."""
    found: dict[int, User] = {}
    if not event_ids:
        return found
    rows = db.session.execute(
        select(Organizer.event_id, User)
        .join(User, User.id == Organizer.user_id)
        .where(Organizer.event_id.in_(event_ids))
        .order_by(Organizer.event_id, Organizer.position)
    )
    for event_id, user in rows:
        found.setdefault(event_id, user)
    return found


def location(event: Event) -> str:
    """ "Venue, address, city, country", or "Online"."""
    if event.mode == Mode.ONLINE:
        return _("Online")
    country = ""
    if event.country_code:
        locale = get_locale()
        country = (locale.territories.get(event.country_code) if locale else None) or (
            gazetteer.countries().get(event.country_code, "")
        )
    parts = [event.venue, event.address, event.city, country]
    where = ", ".join(part.strip() for part in parts if part and part.strip())
    if event.mode == Mode.HYBRID:
        return _("%(place)s, and online", place=where) if where else _("Online")
    return where


def open_meeting(event: Event) -> bool:
    """Whether anyone who may see ``event`` may have its meeting link (no registration)."""
    return event.mode != Mode.IN_PERSON and bool(event.meeting_url) and not event.registration


def entries(events: list[Event], *, meeting=open_meeting) -> list[Entry]:
    """``events`` ready for ``ical.calendar`` (two queries whatever their number);
    ``meeting(event)`` says whether the meeting link goes in."""
    ids = [event.id for event in events]
    cancelled = cancelled_starts([e.id for e in events if e.rrule])
    organizers = first_organizers(ids)
    found = []
    for event in events:
        organizer = organizers.get(event.id)
        found.append(Entry(
            event=event,
            url=url_for("events.event", event_id=event.id, slug=event.slug, _external=True),
            cancelled=cancelled.get(event.id, frozenset()),
            organizer=organizer.name if organizer else "",
            organizer_url=url_for("accounts.profile", username=organizer.username,
                                  _external=True) if organizer else "",
            location=location(event),
            meeting_url=event.meeting_url if meeting(event) else "",
        ))  # fmt: skip
    return found


def my_entries(user, events: list[Event]) -> list[Entry]:
    """``events`` for ``user``'s private feed: the meeting link goes in where the event page
    shows it to them (organizers, staff, going or interested; anyone without registration)."""
    ids = [event.id for event in events]
    answers, organized = {}, set()
    if ids:
        answers = dict(db.session.execute(
            select(Registration.event_id, Registration.answer).where(
                Registration.user_id == user.id, Registration.event_id.in_(ids))
        ).all())  # fmt: skip
        organized = set(db.session.scalars(
            select(Organizer.event_id).where(Organizer.user_id == user.id,
                                             Organizer.event_id.in_(ids))
        ))  # fmt: skip
    staff = is_staff(user)

    def meeting(event: Event) -> bool:
        if event.mode == Mode.IN_PERSON or not event.meeting_url:
            return False
        return (staff or event.id in organized or event.user_id == user.id
                or not event.registration
                or answers.get(event.id) in (Answer.GOING, Answer.INTERESTED))  # fmt: skip

    return entries(events, meeting=meeting)


# --- the private "my events" link -------------------------------------------------------------


def token_of(user) -> CalendarToken | None:
    return db.session.get(CalendarToken, user.id)


def renew_token(user) -> CalendarToken:
    """A new private link for ``user``; the old one (if any) stops working."""
    db.session.execute(delete(CalendarToken).where(CalendarToken.user_id == user.id))
    token = CalendarToken(user_id=user.id, token=secrets.token_urlsafe(32), created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    return token


def revoke_token(user) -> bool:
    """No private link for ``user`` any more; whether there was one."""
    result = db.session.execute(delete(CalendarToken).where(CalendarToken.user_id == user.id))
    db.session.expire_all()
    return bool(result.rowcount)


def user_by_token(token: str) -> User | None:
    """The person whose private link this is (None: unknown, revoked, or suspended)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    user = db.session.scalar(
        select(User)
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token == token)
    )
    if user is None or is_suspended(user):
        return None
    return user
