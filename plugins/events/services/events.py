"""Creating, changing and cancelling events.

``EventInput`` is what an organizer gives (from the form or the API); ``clean`` checks it and
works out the rest: the UTC moments from the wall-clock times and the zone, the place from a
gazetteer city or typed coordinates, the recurrence rule. ``create`` and ``update`` write it;
an update that changes what attendees rely on (times, place, status, link) bumps the
iCalendar SEQUENCE and tells the participants. Cancelling keeps the event (marked CANCELLED
in feeds) and tells them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import delete, select

from space import audit, discussions, i18n
from space.accounts.models import Group, User
from space.db import db, utcnow
from space.markup import render, slugify

from .. import gazetteer
from ..access import is_organizer
from ..models import Event, EventStatus, EventType, Mode, OccurrenceChange, Organizer
from ..settings import value
from . import indexing, notices, times
from .times import TimeError

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
MAX_ORGANIZERS = 10
MAX_LANGUAGES = 5
# Longest single occurrence.
MAX_DURATION = timedelta(days=31)
# Fields whose change attendees must hear of (and calendars must refresh).
NOTABLE = ("start_at", "end_at", "timezone", "all_day", "rrule", "mode", "meeting_url",
           "venue", "address", "lat", "lon", "status")  # fmt: skip


class EventError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Repeat:
    frequency: str  # daily, weekly, monthly
    interval: int = 1
    weekday_position: tuple[int, int] | None = None  # monthly: (n, weekday)
    until: date | None = None
    count: int | None = None


@dataclass
class EventInput:
    title: str
    timezone: str
    start: datetime  # wall-clock, naive (for all-day events: the first day at 00:00)
    end: datetime  # wall-clock, naive (for all-day events: the last day at 00:00)
    description: str = ""
    all_day: bool = False
    mode: Mode = Mode.IN_PERSON
    meeting_url: str = ""
    venue: str = ""
    address: str = ""
    place_id: int | None = None  # a gazetteer city
    lat: float | None = None
    lon: float | None = None
    event_type: EventType = EventType.MEETUP
    languages: list[str] = field(default_factory=list)
    status: EventStatus = EventStatus.SCHEDULED
    group_id: int | None = None
    affiliate: str = ""
    organizers: list[str] = field(default_factory=list)  # co-organizers' usernames
    registration: bool = True
    capacity: int | None = None
    deadline: datetime | None = None  # wall-clock in the event's zone
    repeat: Repeat | None = None
    topic: str = ""  # an existing topic to link (id or URL); "" opens one when enabled


@dataclass
class Cleaned:
    values: dict
    organizers: list[User]
    topic_id: int | None


def _check_url(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
        raise EventError(_("Give a full web address starting with https://."), "meeting_url")
    return url


def _place(data: EventInput) -> dict:
    if data.mode == Mode.ONLINE:
        return {"place_id": None, "city": "", "country_code": "", "lat": None, "lon": None,
                "venue": "", "address": ""}  # fmt: skip
    found = {"venue": data.venue.strip()[:200], "address": data.address.strip()[:300]}
    for number, low, high in ((data.lat, -90, 90), (data.lon, -180, 180)):
        if number is not None and not (low <= number <= high and number == number):
            raise EventError(_("Coordinates are a latitude (-90 to 90) and a longitude "
                               "(-180 to 180)."), "lat")  # fmt: skip
    if data.place_id is not None:
        place = gazetteer.get(data.place_id)
        if place is None:
            raise EventError(_("Pick a city from the list."), "place")
        found.update(place_id=place.id, city=place.name, country_code=place.country_code,
                     lat=data.lat if data.lat is not None else place.lat,
                     lon=data.lon if data.lon is not None else place.lon)  # fmt: skip
    elif data.lat is not None and data.lon is not None:
        nearest = gazetteer.near(data.lat, data.lon, 50, limit=1)
        city = nearest[0] if nearest else None
        found.update(place_id=city.id if city else None, city=city.name if city else "",
                     country_code=city.country_code if city else "", lat=data.lat,
                     lon=data.lon)  # fmt: skip
    else:
        raise EventError(_("Pick a city, or set the place on the map."), "place")
    return found


# Years an event may be in (the time zone database and calendars agree over these).
YEARS = (1970, 2200)


def _times(data: EventInput) -> dict:
    start, end = data.start, data.end
    for moment, name in ((start, "start"), (end, "end"), (data.deadline, "deadline")):
        if moment is not None and not YEARS[0] <= moment.year <= YEARS[1]:
            raise EventError(_("Choose a date between %(first)d and %(last)d.", first=YEARS[0],
                               last=YEARS[1]), name)  # fmt: skip
    if data.all_day:
        start = datetime.combine(start.date(), time())
        end = datetime.combine(end.date(), time()) + timedelta(days=1)
    if end <= start:
        raise EventError(_("The event must end after it starts."), "end")
    if end - start > MAX_DURATION:
        raise EventError(_("An event lasts 31 days at most; make a recurring event instead."),
                         "end")  # fmt: skip
    try:
        start_at = times.to_utc(start, data.timezone, "start")
        end_at = times.to_utc(end, data.timezone, "end")
    except TimeError as error:
        raise EventError(error.message, error.field) from None
    rule = ""
    if data.repeat is not None:
        try:
            rule = times.build_rule(
                data.repeat.frequency, interval=data.repeat.interval,
                weekday_position=data.repeat.weekday_position, until=data.repeat.until,
                count=data.repeat.count, max_count=int(value("max_occurrences")),
            )  # fmt: skip
        except TimeError as error:
            raise EventError(error.message, error.field) from None
        if data.repeat.until is not None and data.repeat.until < start.date():
            raise EventError(_("The repetition must end after the first date."), "repeat_until")
        most = int(value("max_occurrences"))
        if len(times.starts(rule, start, most + 1)) > most:
            raise EventError(_("A recurring event has %(n)d dates at most: end it sooner.",
                               n=most), "repeat_until")  # fmt: skip
    deadline = None
    if data.deadline is not None:
        try:
            deadline = times.to_utc(data.deadline, data.timezone, "deadline")
        except TimeError as error:
            raise EventError(error.message, error.field) from None
        if deadline > end_at:
            raise EventError(_("Registration must close before the event ends."), "deadline")
    return {"timezone": data.timezone, "start_local": start, "end_local": end,
            "start_at": start_at, "end_at": end_at, "all_day": data.all_day, "rrule": rule,
            "registration_deadline": deadline}  # fmt: skip


def _group(user, group_id: int | None, event: Event | None) -> int | None:
    if group_id is None:
        return None
    if event is not None and group_id == event.group_id:
        return group_id  # unchanged: co-organizers outside the group may still save
    from space.accounts import groups
    from space.permissions import is_staff

    group = db.session.get(Group, group_id)
    if group is None or group.is_automatic or not (is_staff(user) or groups.is_member(user, group)):
        raise EventError(_("Choose one of your groups."), "group")
    return group.id


def _organizers(creator_id: int | None, names: list[str]) -> list[User]:
    """The co-organizers named (the creator is always one and is left out here)."""
    wanted = []
    for name in names:
        name = name.strip().lstrip("@")
        if name and name.lower() not in {w.lower() for w in wanted}:
            wanted.append(name)
    if len(wanted) > MAX_ORGANIZERS:
        raise EventError(_("At most %(n)d co-organizers.", n=MAX_ORGANIZERS), "organizers")
    if not wanted:
        return []
    from sqlalchemy import func

    found = db.session.scalars(
        select(User).where(func.lower(User.username).in_([w.lower() for w in wanted]))
    ).all()
    by_name = {u.username.lower(): u for u in found}
    missing = [w for w in wanted if w.lower() not in by_name]
    if missing:
        raise EventError(_("No such person: %(names)s.", names=", ".join(missing)), "organizers")
    return [by_name[w.lower()] for w in wanted if by_name[w.lower()].id != creator_id]


# Words after /events/<id>/ that name pages of the event, never its slug.
RESERVED_SLUGS = frozenset({"edit", "cancel", "report", "participants", "flag", "register",
                            "message", "occurrences", "participants-csv"})  # fmt: skip


def _slug(title: str) -> str:
    slug = slugify(title, fallback="event")[:90]
    return f"{slug}-event" if slug in RESERVED_SLUGS else slug


def clean(user, data: EventInput, event: Event | None = None) -> Cleaned:
    """Check ``data`` (``EventError`` names the field at fault) and work out the columns."""
    title = " ".join(data.title.split())
    if not title:
        raise EventError(_("Give the event a title."), "title")
    if len(title) > TITLE_MAX:
        raise EventError(_("The title is too long (at most %(n)d characters).", n=TITLE_MAX),
                         "title")  # fmt: skip
    if len(data.description) > DESCRIPTION_MAX:
        raise EventError(_("The description is too long (at most %(n)d characters).",
                           n=DESCRIPTION_MAX), "description")  # fmt: skip
    if not i18n.is_timezone(data.timezone):
        raise EventError(_("Unknown time zone."), "timezone")
    if data.mode in {Mode.ONLINE, Mode.HYBRID} and not data.meeting_url.strip():
        raise EventError(_("An online event needs its meeting link."), "meeting_url")
    known = set(i18n.SPOKEN_LANGUAGES) | set(i18n.locales())
    languages = [code for code in dict.fromkeys(data.languages) if code][:MAX_LANGUAGES]
    if any(code not in known for code in languages):
        raise EventError(_("Choose languages from the list."), "languages")
    if data.status == EventStatus.CANCELLED and (event is None or not event.is_cancelled):
        raise EventError(_("Cancel an event with its own button, to tell the participants."),
                         "status")  # fmt: skip
    if data.capacity is not None and not 1 <= data.capacity <= 100_000:
        raise EventError(_("Capacity is 1 to 100,000 people, or empty for no limit."),
                         "capacity")  # fmt: skip
    values = {
        "title": title,
        "slug": _slug(title),
        "description": data.description,
        "cooked": str(render(data.description)),
        "mode": data.mode,
        "meeting_url": _check_url(data.meeting_url),
        "event_type": data.event_type,
        "languages": languages,
        "status": data.status,
        "group_id": _group(user, data.group_id, event),
        "affiliate": data.affiliate.strip()[:120],
        "registration": data.registration,
        "capacity": data.capacity,
        **_times(data),
        **_place(data),
    }
    topic_id = None
    if data.topic.strip():
        topic_id = discussions.find(data.topic, user)
        if topic_id is None:
            raise EventError(_("No topic you can read has this address."), "topic")
    creator_id = event.user_id if event is not None else user.id
    return Cleaned(values, _organizers(creator_id, data.organizers), topic_id)


def _set_organizers(event: Event, creator_id: int | None, people: list[User]) -> None:
    db.session.execute(delete(Organizer).where(Organizer.event_id == event.id))
    ids = [creator_id] if creator_id else []
    ids += [p.id for p in people if p.id not in ids]
    db.session.add_all(Organizer(event_id=event.id, user_id=uid, position=i)
                       for i, uid in enumerate(ids))  # fmt: skip
    db.session.flush()
    db.session.expire(event, ["organizers"])


def create(user, data: EventInput) -> Event:
    """A new event by ``user`` (who checked ``require(user, "events.create")``)."""
    cleaned = clean(user, data)
    now = utcnow()
    event = Event(user_id=user.id, created_at=now, updated_at=now, **cleaned.values)
    db.session.add(event)
    db.session.flush()
    event.last_end_at = times.last_end(event)
    _set_organizers(event, user.id, cleaned.organizers)
    if cleaned.topic_id is not None:
        event.topic_id, event.own_topic = cleaned.topic_id, False
    elif value("open_discussion"):
        open_discussion(event)
    indexing.queue_event(event)
    return event


def update(user, event: Event, data: EventInput) -> bool:
    """Change ``event``; returns whether attendees were told (a notable change)."""
    cleaned = clean(user, data, event)
    before = {name: getattr(event, name) for name in NOTABLE}
    old_capacity = event.capacity
    for name, new in cleaned.values.items():
        setattr(event, name, new)
    event.last_end_at = times.last_end(event)
    event.updated_at = utcnow()
    if is_organizer(user, event) or event.user_id is None:
        _set_organizers(event, event.user_id, cleaned.organizers)
    if cleaned.topic_id is not None and cleaned.topic_id != event.topic_id:
        event.topic_id, event.own_topic = cleaned.topic_id, False
    elif event.own_topic:
        open_discussion(event)  # its own topic's first post follows the event
    more_places = event.capacity is None or (old_capacity or 0) < event.capacity
    if event.waitlist_count and more_places and old_capacity != event.capacity:
        from .registration import promote

        db.session.flush()
        promote(event, user)  # the waitlist moves up into the new places
    changed = [name for name in NOTABLE if getattr(event, name) != before[name]]
    if changed:
        event.sequence += 1
        notices.tell_participants(event, "events.updated", user)
    if user.id == event.user_id or is_organizer(user, event):
        from space.moderation import services as moderation

        moderation.author_edited("events.event", event.id)  # may show a hidden event again
    if user.id != event.user_id:
        audit.record("events.event.edit", actor=user, target=event, target_type="event",
                     target_label=event.title[:200])  # fmt: skip
    indexing.queue_event(event)
    return bool(changed)


def cancel(user, event: Event, reason: str = "") -> bool:
    """Cancel (never delete): the event stays, marked cancelled; participants are told."""
    if event.status == EventStatus.CANCELLED:
        return False
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()[:2000]
    event.sequence += 1
    event.updated_at = utcnow()
    notices.tell_participants(event, "events.cancelled", user, note=event.cancel_reason)
    audit.record("events.event.cancel", actor=user, target=event, target_type="event",
                 target_label=event.title[:200], reason=event.cancel_reason)  # fmt: skip
    indexing.queue_event(event)
    return True


def cancel_occurrence(user, event: Event, start_local: datetime, reason: str = "") -> bool:
    """Cancel one occurrence of a recurring event (named by its wall-clock start)."""
    if not event.rrule:
        raise EventError(_("This event does not repeat."))
    starts = {o.start_local for o in times.occurrences(event)}
    if start_local not in starts:
        raise EventError(_("The event has no occurrence at that time."))
    exists = db.session.scalar(
        select(OccurrenceChange).where(OccurrenceChange.event_id == event.id,
                                       OccurrenceChange.start_local == start_local)
    )  # fmt: skip
    if exists is not None:
        return False
    db.session.add(OccurrenceChange(event_id=event.id, start_local=start_local,
                                    reason=reason.strip()[:2000]))  # fmt: skip
    event.sequence += 1
    event.updated_at = utcnow()
    notices.tell_participants(event, "events.occurrence_cancelled", user,
                              note=start_local.isoformat(timespec="minutes"))  # fmt: skip
    return True


def cancelled_starts(event_ids: list[int]) -> dict[int, frozenset[datetime]]:
    """Cancelled occurrences by event (one query)."""
    found: dict[int, set[datetime]] = {}
    if event_ids:
        rows = db.session.execute(
            select(OccurrenceChange.event_id, OccurrenceChange.start_local).where(
                OccurrenceChange.event_id.in_(event_ids), OccurrenceChange.cancelled.is_(True)
            )
        )
        for event_id, start in rows:
            found.setdefault(event_id, set()).add(start)
    return {key: frozenset(starts) for key, starts in found.items()}


def discussion_subject(event: Event) -> discussions.Subject:
    from flask import url_for

    link = url_for("events.event", event_id=event.id, slug=event.slug)
    summary = " ".join(event.description.split())[:280]
    label = _("See the event")
    see = f"[{label}]({link})"
    body = f"{summary}\n\n{see}" if summary else see
    return discussions.Subject(
        key=f"events.event:{event.id}", title=event.title, body=body,
        author_id=event.user_id, category=str(value("discussion_category") or ""),
    )  # fmt: skip


def open_discussion(event: Event) -> None:
    """Open the event's topic or bring it up to date (never a second one). A private
    group's event gets none: its topic would be public."""
    from ..access import is_public

    if event.user_id is None or not is_public(event):
        return
    topic_id = discussions.open(discussion_subject(event))
    if topic_id is not None:
        event.topic_id, event.own_topic = topic_id, True
