"""Creating, changing and cancelling events through the API (routes on ``api.bp``).

The JSON body is what an organizer types in the form: wall-clock times (``start``, ``end``,
naive ISO 8601) in the event's ``timezone``; the place as a city (``place_id``, a GeoNames
id) and/or coordinates (``lat``, ``lon``); a ``repeat`` object for recurring events. It
becomes the services' ``EventInput``: ``services.events`` checks it and works out the rest
(UTC moments, the place's city and country, the RRULE), refusing with an ``EventError``
that answers 422 under the field at fault. PATCH changes only the fields sent. Cancelling
keeps the event (marked cancelled) and tells its participants.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_login import current_user

from space.api.auth import BEARER_AUTH
from space.db import db
from space.errors import fail
from space.permissions import require

from . import api_arguments as arguments
from . import api_schemas as schemas
from .api import bp, event_detail, event_or_404, me, occurrence_view, refuse, repeat_of
from .models import Event, EventStatus, EventType, Mode
from .services import events, times
from .services.events import EventError, EventInput, Repeat

ID = "int(max=2147483647)"
KEY = re.compile(r"^\d{8}T\d{6}$")
# The fields of PATCH: each may be left out (the ``repeat`` object, when sent, is whole).
FIELDS = tuple(arguments.EventInputSchema().fields)


def weekday_position(day: date) -> tuple[int, int]:
    """(n, weekday) of ``day`` in its month: the 2nd Tuesday is (2, 1); a 5th one is the
    last (-1), which every month has."""
    n = (day.day - 1) // 7 + 1
    return (n if n <= 4 else -1), day.weekday()


def to_repeat(data: dict | None, start: datetime) -> Repeat | None:
    """The ``repeat`` object as the service's ``Repeat``; monthly repeats by weekday (by
    default the first date's: "every 2nd Tuesday")."""
    if data is None:
        return None
    if data.get("until") is not None and data.get("count") is not None:
        raise EventError(_("Give an end date or a number of times, not both."), "repeat_count")
    position = None
    if data["frequency"] == "monthly":
        n, weekday = weekday_position(start.date())
        if data.get("week_of_month") is not None:
            n = data["week_of_month"]
        if data.get("weekday"):
            weekday = schemas.WEEKDAYS.index(data["weekday"])
        position = (n, weekday)
    return Repeat(data["frequency"], interval=data.get("interval") or 1,
                  weekday_position=position, until=data.get("until"),
                  count=data.get("count"))  # fmt: skip


def current_values(event: Event) -> dict:
    """What the event says now, as the fields of ``EventInputSchema`` (for PATCH)."""
    deadline = event.registration_deadline
    return {
        "title": event.title,
        "description": event.description,
        "timezone": event.timezone,
        "start": event.start_local,
        "end": event.end_local - timedelta(days=1) if event.all_day else event.end_local,
        "all_day": event.all_day,
        "mode": event.mode.value,
        "meeting_url": event.meeting_url,
        "venue": event.venue,
        "address": event.address,
        "place_id": event.place_id,
        "lat": event.lat,
        "lon": event.lon,
        "event_type": event.event_type.value,
        "languages": list(event.languages or []),
        "status": event.status.value,
        "group_id": event.group_id,
        "affiliate": event.affiliate,
        "organizers": [o.user.username for o in event.organizers if o.user_id != event.user_id],
        "registration": event.registration,
        "capacity": event.capacity,
        "deadline": times.to_local(deadline, event.timezone) if deadline else None,
        "repeat": repeat_of(event.rrule),
        "topic": "",
    }


def merge(event: Event, sent: dict) -> dict:
    """The event's values with those ``sent`` in a PATCH. A new city forgets the old
    coordinates, and new coordinates the old city, unless both are sent."""
    values = current_values(event)
    if "place_id" in sent and not {"lat", "lon"} & set(sent):
        values["lat"] = values["lon"] = None
    if {"lat", "lon"} & set(sent) and "place_id" not in sent:
        values["place_id"] = None
    values.update(sent)
    return values


def to_input(values: dict) -> EventInput:
    """The fields (as loaded by ``EventInputSchema``) as the service's ``EventInput``."""
    return EventInput(
        title=values["title"],
        timezone=values["timezone"],
        start=values["start"],
        end=values["end"],
        description=values["description"],
        all_day=values["all_day"],
        mode=Mode(values["mode"]),
        meeting_url=values["meeting_url"],
        venue=values["venue"],
        address=values["address"],
        place_id=values["place_id"],
        lat=values["lat"],
        lon=values["lon"],
        event_type=EventType(values["event_type"]),
        languages=values["languages"],
        status=EventStatus(values["status"]),
        group_id=values["group_id"],
        affiliate=values["affiliate"],
        organizers=values["organizers"],
        registration=values["registration"],
        capacity=values["capacity"],
        deadline=values["deadline"],
        repeat=to_repeat(values["repeat"], values["start"]),
        topic=values["topic"],
    )


def editable_or_404(event_id: int) -> Event:
    event = event_or_404(event_id)
    require(current_user, "events.edit", event)
    return event


# --- creating and changing ---------------------------------------------------------------------


@bp.route("/events", methods=["POST"])
@bp.arguments(arguments.EventInputSchema)
@bp.response(201, schemas.EventDetailSchema)
@bp.alt_response(422, description="The event was refused (the message names the field).")
@bp.doc(security=BEARER_AUTH)
def create_event(args):
    """Create an event (members from trust level 1): `title`, `timezone`, `start` and `end`
    as wall-clock times in that zone, a place (`place_id` and/or `lat`, `lon`) unless it is
    online, and optionally a `repeat` object."""
    require(current_user, "events.create")
    try:
        event = events.create(me(), to_input(args))
    except EventError as error:
        refuse(error)
    db.session.commit()
    return event_detail(event.id)


@bp.route(f"/events/<{ID}:event_id>", methods=["PATCH"])
@bp.arguments(arguments.EventChangeSchema(partial=FIELDS))
@bp.response(200, schemas.EventDetailSchema)
@bp.alt_response(422, description="The change was refused (the message names the field).")
@bp.doc(security=BEARER_AUTH)
def update_event(args, event_id: int):
    """Change an event (its organizers and staff); fields left out stay. Participants are
    told of changes to the times, the place, the link or the status."""
    event = editable_or_404(event_id)
    try:
        events.update(me(), event, to_input(merge(event, args)))
    except EventError as error:
        refuse(error)
    db.session.commit()
    return event_detail(event_id)


# --- cancelling --------------------------------------------------------------------------------


@bp.route(f"/events/<{ID}:event_id>/cancel", methods=["POST"])
@bp.arguments(arguments.EventCancelArgs)
@bp.response(200, schemas.EventDetailSchema)
@bp.doc(security=BEARER_AUTH)
def cancel_event(args, event_id: int):
    """Cancel the event (it stays, marked cancelled); its participants are told, with the
    `reason`. Cancelling it again changes nothing."""
    event = editable_or_404(event_id)
    events.cancel(me(), event, args["reason"])
    db.session.commit()
    return event_detail(event_id)


@bp.route(f"/events/<{ID}:event_id>/occurrences/<key>/cancel", methods=["POST"])
@bp.arguments(arguments.EventCancelArgs)
@bp.response(200, schemas.EventOccurrenceSchema)
@bp.alt_response(422, description="The event does not repeat.")
@bp.doc(security=BEARER_AUTH)
def cancel_occurrence(args, event_id: int, key: str):
    """Cancel one time of a recurring event, named by its `key` (its local start,
    20250328T180000); its participants are told."""
    event = editable_or_404(event_id)
    try:
        start = datetime.strptime(key, "%Y%m%dT%H%M%S") if KEY.match(key) else None
    except ValueError:
        start = None
    if start is None or not event.rrule:
        if start is not None:
            refuse(EventError(_("This event does not repeat.")))
        fail(404, _("This event has no date like this."))
    found = next((o for o in times.occurrences(event) if o.start_local == start), None)
    if found is None:
        fail(404, _("This event has no date like this."))
    try:
        events.cancel_occurrence(me(), event, start, args["reason"])
    except EventError as error:
        refuse(error)
    db.session.commit()
    event = event_or_404(event_id)
    return occurrence_view(event, replace(found, cancelled=True))
