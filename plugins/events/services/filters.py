"""The filters readers narrow events with, shared by the list, the calendars, the map and the
iCalendar feed of a filter: text, dates, type, online or in person, country, language and
organizer.

``parse`` reads them from a query string (any mapping of names to strings). Empty fields are
ignored (a form sends every field); a value that makes no sense raises ``FilterError`` with
a translated message, which every view turns into a 400 — the same answer for the list, the
map, the GeoJSON and the feeds. ``Filters.conditions()`` is the SQL; the dates are days in
the viewer's zone (``Filters.zone``) and ``bounds()`` gives them as UTC moments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Text, cast, func, or_, select

from space.accounts.models import User

from .. import gazetteer
from ..models import Event, EventType, Mode, Organizer

# The names in the query string, in the order forms show them.
NAMES = ("q", "from", "to", "type", "mode", "country", "language", "organizer")
MODES = {
    "online": (Mode.ONLINE, Mode.HYBRID),
    "in_person": (Mode.IN_PERSON, Mode.HYBRID),
    "hybrid": (Mode.HYBRID,),
}
Q_MAX = 100
FIRST_YEAR, LAST_YEAR = 1970, 2200
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")
_USERNAME = re.compile(r"^[\w.-]{1,40}$")


class FilterError(ValueError):
    """A filter's value makes no sense; ``message`` is translated, ``field`` its name."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Filters:
    q: str = ""
    start: date | None = None  # "from": the first day, in the viewer's zone
    end: date | None = None  # "to": the last day (included)
    event_type: EventType | None = None
    mode: str = ""  # a key of MODES, or ""
    country: str = ""  # ISO 3166 code, upper case
    language: str = ""
    organizer: str = ""  # a username
    zone: str = "UTC"  # the viewer's zone: what "a day" means

    @property
    def active(self) -> bool:
        """Does any filter narrow the events?"""
        return bool(self.args())

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out), for ``url_for``."""
        found = {
            "q": self.q,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "type": self.event_type.value if self.event_type else "",
            "mode": self.mode,
            "country": self.country,
            "language": self.language,
            "organizer": self.organizer,
        }
        return {name: text for name, text in found.items() if text}

    def without_dates(self) -> Filters:
        return replace(self, start=None, end=None)

    def conditions(self) -> list:
        """SQL conditions on ``Event`` for every filter but the dates."""
        found = []
        if self.q:
            found.append(
                or_(
                    *(
                        column.icontains(self.q, autoescape=True)
                        for column in (Event.title, Event.description, Event.venue, Event.city)
                    )
                )
            )
        if self.event_type is not None:
            found.append(Event.event_type == self.event_type)
        if self.mode:
            found.append(Event.mode.in_(MODES[self.mode]))
        if self.country:
            found.append(Event.country_code == self.country)
        if self.language:
            # ``languages`` is a JSON list: its text holds the code in double quotes.
            found.append(
                cast(Event.languages, Text).contains(f'"{self.language}"', autoescape=True)
            )
        if self.organizer:
            found.append(Event.id.in_(
                select(Organizer.event_id).join(User, User.id == Organizer.user_id)
                .where(func.lower(User.username) == self.organizer.lower())
            ))  # fmt: skip
        return found

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The dates as UTC moments: the start of the first day and the end of the last."""
        lower = day_start(self.start, self.zone) if self.start else None
        upper = day_start(self.end + timedelta(days=1), self.zone) if self.end else None
        return lower, upper


def day_start(day: date, zone: str) -> datetime:
    """The UTC moment ``day`` starts in ``zone`` (the first instant after a gap at midnight)."""
    return datetime.combine(day, time()).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _date(text: str, field: str) -> date:
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise FilterError(_("Give the date as year-month-day, like 2025-03-28."), field) from None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise FilterError(_("Give a date between %(first)d and %(last)d.", first=FIRST_YEAR,
                            last=LAST_YEAR), field)  # fmt: skip
    return found


def parse(args: Mapping[str, str], zone: str = "UTC") -> Filters:
    """The filters in ``args``; ``FilterError`` when one makes no sense. Other names (the
    page, the map's area…) are left to their readers."""

    def text(name: str) -> str:
        return " ".join(str(args.get(name) or "").split())

    q = text("q")
    if len(q) > Q_MAX:
        raise FilterError(_("Search with at most %(n)d characters.", n=Q_MAX), "q")
    start = _date(text("from"), "from") if text("from") else None
    end = _date(text("to"), "to") if text("to") else None
    if start and end and end < start:
        raise FilterError(_("The last day comes before the first."), "to")
    event_type = None
    if text("type"):
        try:
            event_type = EventType(text("type"))
        except ValueError:
            raise FilterError(_("Choose a type of event from the list."), "type") from None
    mode = text("mode")
    if mode and mode not in MODES:
        raise FilterError(_("Choose online or in person."), "mode")
    country = text("country").upper()
    if country and country not in gazetteer.countries():
        raise FilterError(_("Choose a country from the list."), "country")
    language = text("language")
    if language and not _LANGUAGE.match(language):
        raise FilterError(_("Choose a language from the list."), "language")
    organizer = text("organizer").lstrip("@")
    if organizer and not _USERNAME.match(organizer):
        raise FilterError(_("Give an organizer's username."), "organizer")
    return Filters(q=q, start=start, end=end, event_type=event_type, mode=mode, country=country,
                   language=language, organizer=organizer, zone=zone)  # fmt: skip
