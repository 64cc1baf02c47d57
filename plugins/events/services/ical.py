"""iCalendar (RFC 5545) documents of events — the only module that imports ``icalendar``.

``calendar(entries, name, host=…)`` writes one VCALENDAR: a VEVENT per event with a UID that
never changes (``event-<id>@<host>``), DTSTAMP/CREATED/LAST-MODIFIED, the event's SEQUENCE
(which goes up on every change attendees must know of), DTSTART/DTEND in the event's own zone
(TZID; all-day events as dates), a VTIMEZONE for every zone used, the recurrence rule with an
EXDATE per cancelled occurrence, STATUS (CANCELLED, TENTATIVE or CONFIRMED), the organizer's
name, the place (LOCATION, GEO) and the page (URL). What goes in is decided elsewhere
(``services/calendars.py``): this module only writes.

icalendar is imported when a document is first written or read: few processes serve a
calendar feed, and every one started the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

if TYPE_CHECKING:
    from icalendar import Calendar, vRecur
    from icalendar import Event as VEvent

from ..models import Event, EventStatus, Mode
from .times import HORIZON_DAYS

PRODID = "-//Space//Events//EN"
MEDIA_TYPE = "text/calendar"
STATUS = {
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.TENTATIVE: "TENTATIVE",
    EventStatus.SCHEDULED: "CONFIRMED",
}


@dataclass(frozen=True)
class Entry:
    """One event as a calendar shows it."""

    event: Event
    url: str  # the event's page, absolute
    cancelled: frozenset[datetime] = frozenset()  # local starts of cancelled occurrences
    organizer: str = ""  # display name
    organizer_url: str = ""  # absolute URL of their profile
    location: str = ""  # "venue, address, city, country" (or "Online")
    meeting_url: str = ""  # given only where the reader may have it


def uid(event_id: int, host: str) -> str:
    """The event's UID: the same in every feed and every download, for ever."""
    return f"event-{event_id}@{host}"


def _local(moment: datetime, zone: str, all_day: bool) -> date | datetime:
    return moment.date() if all_day else moment.replace(tzinfo=ZoneInfo(zone))


def _rule(event: Event) -> vRecur:
    """The stored rule, with UNTIL in UTC (or a date for all-day events) as RFC 5545 wants
    when DTSTART has a zone."""
    from icalendar import vRecur

    parts = []
    for part in event.rrule.split(";"):
        key, _sep, value = part.partition("=")
        if key.upper() == "UNTIL" and value:
            value = _until(value, event)
        parts.append(f"{key}={value}")
    return vRecur.from_ical(";".join(parts))


def _until(value: str, event: Event) -> str:
    """A stored UNTIL (a local date or wall-clock time, or a UTC time ending in Z)."""
    if value.endswith("Z"):
        moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    else:
        local = datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")
        if "T" not in value:
            local = local.replace(hour=23, minute=59, second=59)
        moment = local.replace(tzinfo=ZoneInfo(event.timezone)).astimezone(UTC)
    if event.all_day:
        return moment.astimezone(ZoneInfo(event.timezone)).strftime("%Y%m%d")
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _description(entry: Entry) -> str:
    event = entry.event
    lines = []
    if event.status == EventStatus.CANCELLED:
        reason = " ".join(event.cancel_reason.split())
        lines.append(_("Cancelled: %(reason)s", reason=reason) if reason else _("Cancelled."))
    if event.description.strip():
        lines.append(event.description.strip())
    if entry.meeting_url:
        lines.append(_("Join online: %(url)s", url=entry.meeting_url))
    lines.append(entry.url)
    return "\n\n".join(lines)


def _stamp(moment: datetime | None) -> datetime:
    return (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def vevent(entry: Entry, host: str) -> VEvent:
    from icalendar import Event as VEvent
    from icalendar import vCalAddress

    event = entry.event
    item = VEvent()
    item.add("uid", uid(event.id, host))
    item.add("dtstamp", _stamp(event.updated_at))
    item.add("created", _stamp(event.created_at))
    item.add("last-modified", _stamp(event.updated_at))
    item.add("sequence", event.sequence)
    item.add("summary", event.title)
    item.add("dtstart", _local(event.start_local, event.timezone, event.all_day))
    item.add("dtend", _local(event.end_local, event.timezone, event.all_day))
    if event.rrule:
        item.add("rrule", _rule(event))
        cancelled = sorted(entry.cancelled)
        if cancelled:
            item.add("exdate", [_local(s, event.timezone, event.all_day) for s in cancelled])
    item.add("status", STATUS.get(event.status, "CONFIRMED"))
    item.add("description", _description(entry))
    item.add("url", entry.url)
    if entry.location:
        item.add("location", entry.location)
    if event.mode != Mode.ONLINE and event.lat is not None and event.lon is not None:
        item.add("geo", (round(event.lat, 6), round(event.lon, 6)))
    if entry.organizer and entry.organizer_url:
        organizer = vCalAddress(entry.organizer_url)
        organizer.params["cn"] = entry.organizer.replace('"', "'")
        item.add("organizer", organizer)
    item.add("transp", "OPAQUE")
    return item


def _zone_range(entries: list[Entry]) -> tuple[date, date]:
    """The dates the VTIMEZONE blocks must cover: every occurrence of every event."""
    first = min(e.event.start_local.date() for e in entries) - timedelta(days=1)
    ends = []
    for entry in entries:
        event = entry.event
        last = event.last_end_at or (event.start_at + timedelta(days=HORIZON_DAYS))
        ends.append(last.date())
    return first, max(ends) + timedelta(days=2)


def calendar(entries: list[Entry], name: str, *, host: str) -> bytes:
    """The VCALENDAR holding ``entries``, named ``name``, as bytes (UTF-8, CRLF lines)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    for entry in entries:
        cal.add_component(vevent(entry, host))
    if entries:
        first, last = _zone_range(entries)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def parse(data: bytes) -> Calendar:
    """A document read back (for tests and tools)."""
    from icalendar import Calendar

    return Calendar.from_ical(data)
