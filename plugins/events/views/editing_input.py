"""What the event form says, as ``services/events.EventInput``: ``parse`` and ``attach``.

The place is a city picked with ``picker.js`` (its id, with the label unchanged since), or a
name typed without JavaScript and looked up here — several matches are offered back as
``place_pick`` radio buttons — and/or coordinates. The zone left empty is the city's, else
the nearest city's for coordinates, else the organizer's. Times are wall-clock times in that
zone. A refusal is an ``EventError`` naming a field of the form.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from flask_babel import gettext as _

from space import i18n

from .. import gazetteer
from ..models import EventStatus, EventType, Mode
from ..services.events import EventError, EventInput, Repeat
from .editing_forms import Context, EventForm, place_label, weekday_position

# A city's zone, or the nearest city's for typed coordinates, within this distance.
ZONE_RADIUS_KM = 300
SUGGESTIONS = 8
# Fields of the services' errors, and where the form shows them.
ERROR_FIELDS = {"start": "start_time", "end": "end_time", "deadline": "deadline_time",
                "group": "group", "interval": "repeat_interval"}  # fmt: skip


def attach(form: EventForm, error: EventError) -> None:
    """Show a refusal beside the field it names (else above the form)."""
    name = ERROR_FIELDS.get(error.field or "", error.field or "")
    if name == "start_time" and form.all_day.data:
        name = "start_date"
    if name == "end_time" and form.all_day.data:
        name = "end_date"
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*(field.errors or []), error.message]
    else:
        form.form_errors.append(error.message)


def _coordinate(text: str | None, limit: int, name: str) -> float | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -limit <= number <= limit:
        message = (_("A latitude is a number from -90 to 90.") if name == "lat"
                   else _("A longitude is a number from -180 to 180."))  # fmt: skip
        raise EventError(message, name)
    return number


def _pick(form: EventForm, picked: str | None, context: Context) -> gazetteer.Place | None:
    """The city: picked with the picker (its id, with the label unchanged since), chosen
    among the suggestions for the name typed, or looked up from the name."""
    text = (form.place.data or "").strip()
    wanted = gazetteer.normalize(text)
    place = gazetteer.get(form.place_id.data) if form.place_id.data else None
    if place is not None and wanted in _labels(place):
        return place
    if not text:
        return None
    name = text.split(",")[0]
    found = gazetteer.lookup(name, limit=SUGGESTIONS)
    chosen = [p for p in found if picked and str(p.id) == picked.strip()]
    same_label = [p for p in found if wanted in _labels(p)]
    same_name = [p for p in found if gazetteer.normalize(p.name) == gazetteer.normalize(name)]
    for candidates in (chosen, same_label, same_name):
        if len(candidates) == 1:
            return candidates[0]
    if not found:
        raise EventError(_("No city of that name in the list: check the spelling, or give "
                           "the coordinates."), "place")  # fmt: skip
    context.suggestions = tuple(found)
    raise EventError(_("Several cities match: choose one."), "place")


def _labels(place: gazetteer.Place) -> set[str]:
    return {gazetteer.normalize(place.label), gazetteer.normalize(place_label(place))}


def _place(form: EventForm, mode: Mode, picked: str | None, context: Context):
    """(place, lat, lon) from the form; the form is updated to show the city found."""
    if mode == Mode.ONLINE:
        return None, None, None
    lat = _coordinate(form.lat.data, 90, "lat")
    lon = _coordinate(form.lon.data, 180, "lon")
    if (lat is None) != (lon is None):
        raise EventError(_("Give both the latitude and the longitude."),
                         "lon" if lon is None else "lat")  # fmt: skip
    place = _pick(form, picked, context)
    context.place = place
    if place is not None:
        form.place.data, form.place_id.data = place_label(place), str(place.id)
    else:
        form.place_id.data = ""
    return place, lat, lon


def _zone(form: EventForm, place, lat, lon, context: Context) -> str:
    chosen = (form.timezone.data or "").strip()
    if chosen:
        return chosen
    if place is not None:
        return place.timezone
    if lat is not None:
        nearest = gazetteer.near(lat, lon, ZONE_RADIUS_KM, limit=1)
        if nearest:
            return nearest[0].timezone
    return context.user_zone


def _moment(day: date | None, at: time | None, all_day: bool, field: str) -> datetime:
    if day is None:
        raise EventError(_("Give the date."), field.replace("time", "date"))
    if all_day:
        return datetime.combine(day, time())
    if at is None:
        raise EventError(_("Give the time."), field)
    return datetime.combine(day, at.replace(second=0, microsecond=0))


def _repeat(form: EventForm, start: date) -> Repeat | None:
    kind = form.repeat.data or ""
    if not kind:
        return None
    until, count = form.repeat_until.data, form.repeat_count.data
    if until is not None and count is not None:
        raise EventError(_("Give an end date or a number of times, not both."), "repeat_count")
    if kind == "weeks":
        if form.repeat_interval.data is None:
            raise EventError(_("Say every how many weeks."), "repeat_interval")
        return Repeat("weekly", interval=form.repeat_interval.data, until=until, count=count)
    if kind == "monthly":
        return Repeat("monthly", weekday_position=weekday_position(start), until=until,
                      count=count)  # fmt: skip
    return Repeat(kind, until=until, count=count)


def names(text: str | None) -> list[str]:
    """ "ana, @bo  cy" -> ["ana", "bo", "cy"]."""
    return [name.lstrip("@") for name in re.split(r"[,\s]+", text or "") if name.lstrip("@")]


def parse(form: EventForm, context: Context, picked: str | None = None) -> EventInput:
    """What the (validated) form says, as the service takes it; ``EventError`` if it says
    something impossible. ``picked``: a city chosen among the suggestions."""
    mode = Mode(form.mode.data) if form.mode.data in {m.value for m in Mode} else Mode.IN_PERSON
    place, lat, lon = _place(form, mode, picked, context)
    zone = _zone(form, place, lat, lon, context)
    all_day = bool(form.all_day.data)
    start = _moment(form.start_date.data, form.start_time.data, all_day, "start_time")
    end_day = form.end_date.data or form.start_date.data
    end = _moment(end_day, form.end_time.data, all_day, "end_time")
    deadline = None
    if form.deadline_date.data is not None:
        at = form.deadline_time.data or time(23, 59)
        deadline = datetime.combine(form.deadline_date.data, at)
    elif form.deadline_time.data is not None:
        raise EventError(_("Give the date."), "deadline_date")
    group = (form.group.data or "").strip()
    if group and not (group.isascii() and group.isdigit() and len(group) < 10):
        raise EventError(_("Choose one of your groups."), "group")
    languages = [code for code in form.languages.data or [] if code in i18n.SPOKEN_LANGUAGES]
    topic = (form.topic.data or "").strip() if form.discussion.data == "link" else ""
    if form.discussion.data == "link" and not topic:
        raise EventError(_("Give the topic's address or number."), "topic")
    return EventInput(
        title=form.title.data or "", timezone=zone, start=start, end=end,
        description=form.description.data or "", all_day=all_day, mode=mode,
        meeting_url=form.meeting_url.data or "", venue=form.venue.data or "",
        address=form.address.data or "", place_id=place.id if place else None, lat=lat, lon=lon,
        event_type=EventType(form.event_type.data), languages=languages,
        status=EventStatus(form.status.data), group_id=int(group) if group else None,
        affiliate=form.affiliate.data or "", organizers=names(form.organizers.data),
        registration=bool(form.registration.data), capacity=form.capacity.data,
        deadline=deadline, repeat=_repeat(form, start.date()), topic=topic,
    )  # fmt: skip
