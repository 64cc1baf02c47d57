"""How events read: their times in the viewer's zone with the event's own zone labelled, the
names of their types, modes, statuses and countries, and add-to-calendar addresses.

Times are formatted by Babel in the reader's locale. A timed occurrence shows in the viewer's
zone; when the event's zone is another one, its own wall-clock time follows, labelled with the
zone ("12:00–14:00 · 18:00–20:00 (Europe/Paris)"). An all-day event shows its own dates
wherever it is seen from (a conference on 28 March is on 28 March everywhere).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from babel import Locale
from babel.dates import format_date, format_interval, format_time
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from . import gazetteer
from .models import Event, EventStatus, EventType, Mode
from .services import times
from .services.times import Occurrence

TYPE_LABELS = {
    EventType.MEETUP: _l("Meetup"),
    EventType.EDITATHON: _l("Edit-a-thon"),
    EventType.TRAINING: _l("Training"),
    EventType.CONFERENCE: _l("Conference"),
    EventType.ONLINE_SESSION: _l("Online session"),
    EventType.OTHER: _l("Other"),
}
MODE_LABELS = {
    Mode.IN_PERSON: _l("In person"),
    Mode.ONLINE: _l("Online"),
    Mode.HYBRID: _l("Hybrid (in person and online)"),
}
STATUS_LABELS = {
    EventStatus.SCHEDULED: _l("Scheduled"),
    EventStatus.TENTATIVE: _l("Tentative"),
    EventStatus.CANCELLED: _l("Cancelled"),
}
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
_TICK = timedelta(microseconds=1)


def first_occurrence(event: Event) -> Occurrence:
    """The event's first (or only) occurrence, from its own columns."""
    return Occurrence(event.id, 0, event.start_local, event.end_local, event.start_at,
                      event.end_at)  # fmt: skip


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def viewer_zone() -> str:
    return str(get_timezone() or "UTC")


def _date_time(moment: datetime, locale: Locale) -> str:
    pattern = locale.datetime_formats.get("medium") or "{1} {0}"
    return pattern.replace("{1}", format_date(moment, "medium", locale=locale)).replace(
        "{0}", format_time(moment, "short", locale=locale))  # fmt: skip


def _range(start: datetime, end: datetime, locale: Locale, *, with_date: bool = True) -> str:
    """ "Friday 28 March 2025, 18:00–20:00", or both dates and times when it spans days."""
    fallback = locale.interval_formats.get(None) or "{0} – {1}"
    last = end - _TICK
    if start.date() != last.date():
        return fallback.replace("{0}", _date_time(start, locale)).replace(
            "{1}", _date_time(end, locale))  # fmt: skip
    hours = fallback.replace("{0}", format_time(start, "short", locale=locale)).replace(
        "{1}", format_time(end, "short", locale=locale))  # fmt: skip
    if not with_date:
        return hours
    pattern = locale.datetime_formats.get("full") or "{1} {0}"
    return pattern.replace("{1}", format_date(start, "full", locale=locale)).replace("{0}", hours)


def all_day_text(occurrence: Occurrence, locale: Locale) -> str:
    first = occurrence.start_local.date()
    last = (occurrence.end_local - _TICK).date()
    if last <= first:
        return format_date(first, "full", locale=locale)
    return format_interval(first, last, "yMMMEd", locale=locale)


def _parts(event: Event, occurrence: Occurrence, zone: str, locale: Locale,
           with_date: bool = True) -> tuple[str, str | None]:  # fmt: skip
    """The occurrence's times in ``zone``, and its own times labelled with its zone when
    that is another one (None otherwise)."""
    if event.all_day:
        return all_day_text(occurrence, locale), None
    start = times.to_local(occurrence.start_at, zone)
    end = times.to_local(occurrence.end_at, zone)
    main = _range(start, end, locale, with_date=with_date)
    if event.timezone == zone:
        return main, None
    own = _range(occurrence.start_local, occurrence.end_local, locale,
                 with_date=occurrence.start_local.date() != start.date())  # fmt: skip
    return main, _("%(time)s (%(zone)s)", time=own, zone=event.timezone)


def when(event: Event, occurrence: Occurrence | None = None, *, zone: str | None = None,
         locale: Locale | None = None) -> Markup:  # fmt: skip
    """The occurrence's date and times as HTML (a ``<time>``), in ``zone`` (the viewer's),
    with the event's own time and zone after it when the zone differs."""
    occurrence = occurrence or first_occurrence(event)
    zone = zone or viewer_zone()
    main, own = _parts(event, occurrence, zone, locale or _locale())
    if event.all_day:
        return Markup('<time class="events-when" datetime="{}">{}</time>').format(
            occurrence.start_local.date().isoformat(), main)  # fmt: skip
    html = Markup('<time class="events-when" datetime="{}" title="{}">{}</time>').format(
        occurrence.start_at.astimezone(UTC).isoformat(), zone, main
    )
    if own:
        html += Markup(' <span class="events-zone">{}</span>').format(own)
    return html


def when_text(event: Event, occurrence: Occurrence | None = None, *, zone: str | None = None,
              locale: Locale | None = None) -> str:  # fmt: skip
    """``when`` as plain text (for a tooltip or a feed)."""
    main, own = _parts(event, occurrence or first_occurrence(event), zone or viewer_zone(),
                       locale or _locale())  # fmt: skip
    return f"{main} · {own}" if own else main


def start_time(event: Event, occurrence: Occurrence, zone: str | None = None,
               locale: Locale | None = None) -> str:  # fmt: skip
    """The start time alone ("18:00") in ``zone``, for calendar cells; "" for all-day."""
    if event.all_day:
        return ""
    return format_time(times.to_local(occurrence.start_at, zone or viewer_zone()), "short",
                       locale=locale or _locale())  # fmt: skip


def hours(event: Event, occurrence: Occurrence, zone: str | None = None,
          locale: Locale | None = None) -> Markup:  # fmt: skip
    """The occurrence's start and end times ("18:00 – 20:00") in ``zone``, with its own
    labelled when the zone differs, for calendar days (with dates when it spans days);
    empty for all-day events."""
    if event.all_day:
        return Markup("")
    main, own = _parts(event, occurrence, zone or viewer_zone(), locale or _locale(),
                       with_date=False)  # fmt: skip
    html = Markup("{}").format(main)
    if own:
        html += Markup(' <span class="events-zone">{}</span>').format(own)
    return html


def day_label(day: date, fmt: str = "full") -> str:
    return format_date(day, fmt, locale=_locale())


def country_name(code: str) -> str:
    """The country's name in the reader's language (the gazetteer's English one otherwise)."""
    if not code:
        return ""
    return _locale().territories.get(code) or gazetteer.countries().get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(code, name in the reader's language) of every country, sorted by name."""
    names = [(code, country_name(code)) for code in gazetteer.countries()]
    return sorted(names, key=lambda pair: pair[1])


def where_text(event: Event) -> str:
    """Venue, address, city and country on one line ("" for an online event)."""
    if event.mode == Mode.ONLINE:
        return ""
    parts = [event.venue, event.address, event.city, country_name(event.country_code)]
    return ", ".join(part for part in parts if part)


def webcal(url: str) -> str:
    """The same address for calendar apps that subscribe (``webcal://``)."""
    parts = urlsplit(url)
    return urlunsplit(("webcal", *parts[1:]))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(event: Event, page_url: str, occurrence: Occurrence | None = None,
                        *, meeting_link: bool = False) -> str:  # fmt: skip
    """An "add to Google Calendar" address: one occurrence (or a one-time event) in UTC; a
    whole recurring series in its own zone with its rule, so it keeps its local time."""
    if event.all_day:
        chosen = occurrence or first_occurrence(event)
        dates = f"{chosen.start_local:%Y%m%d}/{chosen.end_local:%Y%m%d}"
    elif occurrence is not None or not event.rrule:
        chosen = occurrence or first_occurrence(event)
        dates = f"{_stamp(chosen.start_at)}/{_stamp(chosen.end_at)}"
    else:
        dates = f"{event.start_local:%Y%m%dT%H%M%S}/{event.end_local:%Y%m%dT%H%M%S}"
    location = where_text(event) or (event.meeting_url if meeting_link else "")
    params = {"action": "TEMPLATE", "text": event.title, "dates": dates, "details": page_url}
    if location:
        params["location"] = location
    if event.rrule and occurrence is None:
        params["ctz"] = event.timezone
        params["recur"] = f"RRULE:{event.rrule}"
    return f"{GOOGLE_CALENDAR}?{urlencode(params)}"
