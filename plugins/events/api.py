"""Events in the JSON API (``/api/v1/events``): the lists of upcoming and past events, one
event, its occurrences and registrations, and the map's GeoJSON. Writing (creating,
changing, cancelling) is in ``api_writing.py``; registering in ``api_registration.py``.

The same rules as the pages: an event of a private group exists only for its members and
staff — to anyone else it answers 404 exactly like a missing one, and it is in no list or
GeoJSON (``access.visible`` in the services' SQL). Lists are the site's
(``services/listing.py``: occurrences, a recurring event once per time it happens) with the
same filters (``services/filters.py``); a filter that makes no sense is a 422 naming it. Each
endpoint costs a fixed number of queries.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from space.api.auth import OPTIONAL_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import paginate
from space.db import db, utcnow
from space.errors import fail
from space.permissions import can, require

from . import api_arguments as arguments
from . import api_schemas as schemas
from .formatting import viewer_zone
from .models import Answer, Event, Mode, Registration
from .services import area, geo, listing, participants, registration, times
from .services.events import EventError, cancelled_starts
from .services.filters import FilterError, Filters, parse

bp = Blueprint("api-events", __name__, description="Events: events, occurrences, registrations.")

ID = "int(max=2147483647)"
NEXT_OCCURRENCES = 10
# Fields a service names differently from the API: (path in the JSON body).
FIELDS = {"place": ("place_id",), "group": ("group_id",), "interval": ("repeat", "interval"),
          "repeat_until": ("repeat", "until"), "repeat_count": ("repeat", "count")}  # fmt: skip
_RULE_DAY = re.compile(r"^([+-]?[1-5])(MO|TU|WE|TH|FR|SA|SU)$")


# --- helpers -----------------------------------------------------------------------------------


class _View:
    """An object as a schema dumps it, with some attributes added or replaced."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._obj, name)


def me():
    return current_user._get_current_object()


def refuse(error: EventError, location: str = "json"):
    """A service's refusal as the API's 422, the message under its field."""
    db.session.rollback()
    path = FIELDS.get(error.field, (error.field,)) if error.field else ("_schema",)
    errors: dict | list = [error.message]
    for key in reversed(path):
        errors = {key: errors}
    abort(422, message=error.message, errors={location: errors})


def missing():
    fail(404, _("There is no such event."))


def event_or_404(event_id: int) -> Event:
    """The event with its group and organizers, if the caller may see it; else 404 as if
    it did not exist."""
    event = listing.load(event_id)
    if event is None or not can(current_user, "events.read", event):
        missing()
    return event


def filters_of(args: dict) -> Filters:
    """The list's filters from the query string (days in the caller's zone); 422 naming the
    filter that makes no sense."""
    names = {"start": "from", "end": "to"}
    given = {names.get(name, name): args.get(name, "") for name in
             ("q", "start", "end", "type", "mode", "country", "language", "organizer")}  # fmt: skip
    try:
        return parse(given, viewer_zone())
    except FilterError as error:
        refuse(EventError(error.message, error.field), "query")


def repeat_of(rule: str) -> dict | None:
    """The ``repeat`` object of an RRULE as ``times.build_rule`` writes it."""
    if not rule:
        return None
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    found = {"frequency": parts.get("FREQ", "").lower(), "interval": int(parts.get("INTERVAL", 1)),
             "week_of_month": None, "weekday": None, "until": None, "count": None}  # fmt: skip
    match = _RULE_DAY.match(parts.get("BYDAY", ""))
    if match:
        found["week_of_month"], found["weekday"] = int(match[1]), match[2]
    if parts.get("UNTIL"):
        until = parts["UNTIL"][:8]
        found["until"] = date(int(until[:4]), int(until[4:6]), int(until[6:8]))
    if parts.get("COUNT"):
        found["count"] = int(parts["COUNT"])
    return found


def registration_info(event: Event) -> dict:
    state = registration.state(event)
    return {"enabled": event.registration, "open": state.open, "reason": state.reason,
            "can_leave": state.can_leave, "deadline": state.deadline,
            "capacity": event.capacity, "places_left": state.places_left, "full": state.full,
            "going": event.going_count, "waitlisted": event.waitlist_count,
            "interested": event.interested_count}  # fmt: skip


def summary(event: Event, **extra) -> _View:
    """An event as ``EventSchema`` dumps it (no query: its group and organizers loaded)."""
    return _View(event, place=None if event.mode == Mode.ONLINE else event,
                 repeat=repeat_of(event.rrule), registration_info=registration_info(event),
                 **extra)  # fmt: skip


def occurrence_view(event: Event, occurrence: times.Occurrence) -> _View:
    return _View(occurrence, key=occurrence.key,
                 cancelled=event.is_cancelled or occurrence.cancelled)  # fmt: skip


def detail(event: Event) -> _View:
    """An event with what the caller may do and their registration (two more queries: the
    registration and, for recurring events, the cancelled occurrences)."""
    from .views.flags import may_flag
    from .views.pages import meeting_link_shown

    mine = registration.mine(current_user, event)
    manages = can(current_user, "events.manage", event)
    coming = []
    if event.rrule:
        cancelled = cancelled_starts([event.id]).get(event.id, frozenset())
        coming = listing.next_occurrences(event, cancelled=cancelled, limit=NEXT_OCCURRENCES)
    return summary(
        event,
        meeting_url=event.meeting_url if meeting_link_shown(event, mine, manages) else None,
        report=event if event.report_published_at is not None else None,
        my_registration=mine,
        next_occurrences=[occurrence_view(event, o) for o in coming],
        can={
            "edit": can(current_user, "events.edit", event),
            "manage": manages,
            "register": can(current_user, "events.register", event),
            "flag": may_flag(event),
        },  # fmt: skip
    )


def event_detail(event_id: int) -> _View:
    return detail(event_or_404(event_id))


# --- reading -----------------------------------------------------------------------------------


@bp.route("/events", methods=["GET"])
@bp.arguments(arguments.EventListArgs, location="query")
@bp.response(200, schemas.EventItemPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_events(args):
    """Upcoming events (occurrences: a recurring event once per time it happens), soonest
    first; `past=true`: those that are over, latest first; `mine=true`: yours. Filters:
    `from`, `to`, `type`, `mode`, `country`, `language`, `organizer`, `q`."""
    require(current_user, "site.read")
    filters = filters_of(args)
    if args["mine"]:
        if not current_user.is_authenticated:
            fail(401, _("Sign in to see your events."))
        found = listing.mine(current_user, args["page"], ended=args["past"], zone=filters.zone)
    elif args["past"]:
        found = listing.past(current_user, filters, args["page"])
    else:
        found = listing.upcoming(current_user, filters, args["page"])
    items = [summary(item.event, occurrence=occurrence_view(item.event, item.occurrence),
                     my_answer=item.answer.value if item.answer else None)
             for item in found.items]  # fmt: skip
    return {"items": items, "page": found.page, "per_page": found.per_page,
            "total": found.total}  # fmt: skip


@bp.route(f"/events/<{ID}:event_id>", methods=["GET"])
@bp.response(200, schemas.EventDetailSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_event(event_id: int):
    """An event with its description, organizers, place, times (local, zone and UTC),
    registration counts, your registration and what you `can` do."""
    return event_detail(event_id)


@bp.route(f"/events/<{ID}:event_id>/occurrences", methods=["GET"])
@bp.arguments(arguments.EventOccurrenceArgs, location="query")
@bp.response(200, schemas.EventOccurrencePageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_occurrences(args, event_id: int):
    """The times the event happens between `from` (by default now) and `to`, cancelled ones
    marked."""
    event = event_or_404(event_id)
    start = args["start"] or utcnow()
    if args["end"] is not None and args["end"] <= start:
        refuse(EventError(_("The end comes before the start."), "to"), "query")
    cancelled = cancelled_starts([event.id]).get(event.id, frozenset()) if event.rrule else (
        frozenset())  # fmt: skip
    found = times.occurrences(event, start, args["end"], cancelled=cancelled)
    size = args["per_page"] or 30
    chosen = found[(args["page"] - 1) * size : args["page"] * size]
    return {"items": [occurrence_view(event, o) for o in chosen], "page": args["page"],
            "per_page": size, "total": len(found)}  # fmt: skip


@bp.route(f"/events/<{ID}:event_id>/registrations", methods=["GET"])
@bp.arguments(arguments.EventRegistrationListArgs, location="query")
@bp.response(200, schemas.EventRegistrationListSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_registrations(args, event_id: int):
    """Who is going, on the waitlist (`answer=waitlisted`) or interested, in the order they
    answered. Organizers and staff see every name; others the public ones (and their own)."""
    event = event_or_404(event_id)
    answer = Answer(args["answer"])
    names_all = can(current_user, "events.manage", event)
    query = (
        select(Registration)
        .options(joinedload(Registration.user))
        .where(Registration.event_id == event.id, Registration.answer == answer)
        .order_by(Registration.created_at, Registration.id)
    )
    if not names_all:
        mine = current_user.id if current_user.is_authenticated else None
        query = query.where(or_(Registration.public.is_(True), Registration.user_id == mine))
    found = paginate(query, args)
    counted = participants.total(event, answer)
    return {**found, "answer": answer.value, "names_all": names_all, "counted": counted,
            "others": max(counted - found["total"], 0)}  # fmt: skip


@bp.route("/events.geojson", methods=["GET"])
@bp.arguments(arguments.EventGeoArgs, location="query")
@bp.response(200, schemas.EventGeoJSONSchema)
@bp.doc(security=OPTIONAL_AUTH)
def events_geojson(args):
    """Upcoming in-person and hybrid events on the map as GeoJSON, within `bbox` (the map's
    area) or `km` of the city `near`, with the list's filters; at most the site's map limit
    (`truncated` says when more matched)."""
    require(current_user, "site.read")
    filters = filters_of(args)
    try:
        bbox = area.parse_bbox(args["bbox"])
        near = area.near(args["near"], args["km"] or None) if args["near"] else None
    except area.GeoError as error:
        refuse(EventError(error.message, error.field), "query")
    return geo.geojson(current_user, filters, bbox, near=near)


# Creating, changing, cancelling, and registering: more routes on ``bp``.
from . import api_registration, api_writing  # noqa: E402, F401
