"""Schemas of the events' API (``api.py``, ``api_writing.py``): what an event, an occurrence
and a registration look like (what the endpoints accept is in ``api_arguments.py``).

Times come twice, as in the database: the wall-clock times in the event's own zone
(``start_local``, ``end_local``, naive ISO 8601, with ``timezone``) and the same moments in
UTC (``start_at``, ``end_at``). The endpoints dump views of events (``api._View``) that carry
what the schemas read besides the event's columns: ``registration_info``, ``place``,
``repeat``, and for lists the ``occurrence``.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from space.api.schemas import (
    Schema,
    number_range,
    one_of,
    page_schema,
)

from .formatting import country_name
from .models import Answer, EventStatus, EventType, Mode

MODES = [mode.value for mode in Mode]
TYPES = [kind.value for kind in EventType]
STATUSES = [status.value for status in EventStatus]
ANSWERS = [answer.value for answer in Answer]
LISTED = [Answer.GOING.value, Answer.WAITLISTED.value, Answer.INTERESTED.value]
FREQUENCIES = ["daily", "weekly", "monthly"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
FIRST_YEAR, LAST_YEAR = 1970, 2200


def sane_year(value) -> None:
    """A date (or date and time) that calendars handle: years 1970 to 2200."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(_("Give a date between %(first)d and %(last)d.", first=FIRST_YEAR,
                                last=LAST_YEAR))  # fmt: skip


def _uri(function):
    return fields.Function(function, metadata={"type": "string", "format": "uri"})


def _event_url(event) -> str:
    return url_for("events.event", event_id=event.id, slug=event.slug, _external=True)


# --- what the endpoints answer -----------------------------------------------------------------


class EventPersonSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.Function(lambda user: user.display_name or user.username)
    url = _uri(lambda user: url_for("accounts.profile", username=user.username, _external=True))


class EventOrganizerSchema(Schema):
    user = fields.Nested(EventPersonSchema)


class EventGroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    title = fields.String()


class EventPlaceSchema(Schema):
    """Where an in-person or hybrid event happens (null for online events)."""

    place_id = fields.Integer(allow_none=True, metadata={"description": "A city's GeoNames id."})
    city = fields.String()
    country_code = fields.String(metadata={"description": "ISO 3166-1 alpha-2."})
    country = fields.Function(lambda event: country_name(event.country_code),
                              metadata={"type": "string",
                                        "description": "In the caller's language."})  # fmt: skip
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    venue = fields.String()
    address = fields.String()


class EventRepeatSchema(Schema):
    """How a recurring event repeats; an end (`until` or `count`) is required."""

    frequency = fields.String(required=True, validate=one_of(FREQUENCIES),
                              metadata={"enum": FREQUENCIES})  # fmt: skip
    interval = fields.Integer(
        load_default=1,
        validate=number_range(1, 52),
        strict=True,
        metadata={"description": "Every N days, weeks or months."},
    )
    week_of_month = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=one_of([1, 2, 3, 4, -1]),
        metadata={"description": "monthly: the 1st to 4th, or -1 for the last, `weekday` of "
                  "the month; by default the first date's."},
    )  # fmt: skip
    weekday = fields.String(load_default=None, allow_none=True, validate=one_of(WEEKDAYS),
                            metadata={"enum": WEEKDAYS, "description": "monthly: which "
                                      "weekday; by default the first date's."})  # fmt: skip
    until = fields.Date(load_default=None, allow_none=True, validate=sane_year,
                        error_messages={"invalid": [_l("Enter a date as YYYY-MM-DD.")]},
                        metadata={"description": "The last day (local)."})  # fmt: skip
    count = fields.Integer(load_default=None, allow_none=True, strict=True,
                           validate=number_range(2, 100_000),
                           metadata={"description": "How many times in all."})  # fmt: skip


class EventRegistrationInfoSchema(Schema):
    """Registration for an event: the counters kept at write time and whether one may
    answer now."""

    enabled = fields.Boolean(metadata={"description": "The event takes registrations."})
    open = fields.Boolean(metadata={"description": "One may register now."})
    reason = fields.String(metadata={"description": "Why not, when it is not open."})
    can_leave = fields.Boolean()
    deadline = fields.DateTime(allow_none=True, metadata={"description": "UTC."})
    capacity = fields.Integer(allow_none=True, metadata={"description": "null: no limit."})
    places_left = fields.Integer(allow_none=True)
    full = fields.Boolean()
    going = fields.Integer()
    waitlisted = fields.Integer()
    interested = fields.Integer()


class EventOccurrenceSchema(Schema):
    """One time an event happens; `key` names it (its local start) in URLs."""

    key = fields.String()
    index = fields.Integer(metadata={"description": "0 for the first occurrence."})
    start_local = fields.DateTime(metadata={"description": "Wall-clock, in the event's zone."})
    end_local = fields.DateTime()
    start_at = fields.DateTime(metadata={"description": "UTC."})
    end_at = fields.DateTime()
    cancelled = fields.Boolean(metadata={"description": "This date (or the event) is off."})


class EventSchema(Schema):
    """An event as lists show it."""

    id = fields.Integer()
    title = fields.String()
    slug = fields.String()
    url = _uri(_event_url)
    status = fields.String(metadata={"enum": STATUSES})
    cancelled = fields.Boolean(attribute="is_cancelled")
    hidden = fields.Function(
        lambda event: event.hidden_at is not None,
        metadata={"type": "boolean",
                  "description": "Hidden by the moderators (seen by its organizers and staff)."},
    )  # fmt: skip
    event_type = fields.String(metadata={"enum": TYPES})
    mode = fields.String(metadata={"enum": MODES})
    languages = fields.List(fields.String())
    timezone = fields.String(metadata={"description": "The event's IANA time zone."})
    all_day = fields.Boolean()
    start_local = fields.DateTime(metadata={"description": "Wall-clock, in `timezone`."})
    end_local = fields.DateTime(metadata={"description": "Wall-clock; for all-day events the "
                                          "day after the last (exclusive)."})  # fmt: skip
    start_at = fields.DateTime(metadata={"description": "UTC (the first occurrence)."})
    end_at = fields.DateTime(metadata={"description": "UTC (the first occurrence)."})
    last_end_at = fields.DateTime(allow_none=True, metadata={"description": "The end of the "
                                  "last occurrence (UTC)."})  # fmt: skip
    recurring = fields.Boolean(attribute="is_recurring")
    rrule = fields.String(metadata={"description": "RFC 5545 rule without DTSTART, or empty."})
    repeat = fields.Nested(EventRepeatSchema, allow_none=True)
    place = fields.Nested(EventPlaceSchema, allow_none=True)
    group = fields.Nested(EventGroupSchema, allow_none=True,
                          metadata={"description": "The organizing group."})  # fmt: skip
    affiliate = fields.String()
    organizers = fields.List(fields.Pluck(EventOrganizerSchema, "user"),
                             metadata={"description": "The creator first."})  # fmt: skip
    registration = fields.Nested(EventRegistrationInfoSchema, attribute="registration_info")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EventItemSchema(EventSchema):
    """One occurrence in a list: the event and when this time of it happens."""

    occurrence = fields.Nested(EventOccurrenceSchema)
    my_answer = fields.String(allow_none=True, metadata={"enum": ANSWERS, "description":
                                                         "Your registration, if any."})  # fmt: skip


class EventReportSchema(Schema):
    text = fields.String(attribute="report", metadata={"description": "Markdown."})
    html = fields.String(attribute="report_cooked", metadata={"description": "Sanitized HTML."})
    attendance = fields.Integer(attribute="report_attendance", allow_none=True)
    links = fields.List(fields.String(), attribute="report_links")
    published_at = fields.DateTime(attribute="report_published_at")


class EventMyRegistrationSchema(Schema):
    answer = fields.String(allow_none=True, metadata={"enum": ANSWERS})
    public = fields.Boolean(metadata={"description": "Your name shows on the event page."})
    created_at = fields.DateTime(allow_none=True,
                                 metadata={"description": "When you took this answer (the "
                                           "waitlist's order)."})  # fmt: skip


class EventDetailSchema(EventSchema):
    """An event with its text, what the caller may do and their registration."""

    description = fields.String(metadata={"description": "Markdown."})
    description_html = fields.String(attribute="cooked",
                                     metadata={"description": "Sanitized HTML."})  # fmt: skip
    meeting_url = fields.String(
        allow_none=True,
        metadata={"description": "Online and hybrid events: for its participants (going or "
                  "interested) and organizers, or everyone when it takes no registration; "
                  "else null."},
    )  # fmt: skip
    cancel_reason = fields.String()
    sequence = fields.Integer(metadata={"description": "Goes up on every notable change."})
    topic_id = fields.Integer(allow_none=True, metadata={"description": "Its discussion topic."})
    report = fields.Nested(
        EventReportSchema,
        allow_none=True,
        metadata={"description": "Once published, after the event."},
    )
    my_registration = fields.Nested(EventMyRegistrationSchema, allow_none=True)
    next_occurrences = fields.List(fields.Nested(EventOccurrenceSchema),
                                   metadata={"description": "Recurring events: the next ten "
                                             "(cancelled ones marked)."})  # fmt: skip
    can = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                      metadata={"description": "What you may do: edit, manage, register, "
                                "flag."})  # fmt: skip


class EventAnswerSchema(Schema):
    """Your registration for one event, and the event's registration now."""

    event_id = fields.Integer()
    answer = fields.String(
        allow_none=True, metadata={"enum": ANSWERS, "description": "null: none yet."}
    )
    public = fields.Boolean()
    created_at = fields.DateTime(allow_none=True)
    registration = fields.Nested(EventRegistrationInfoSchema)


class EventRegistrationSchema(Schema):
    user = fields.Nested(EventPersonSchema)
    answer = fields.String(metadata={"enum": ANSWERS})
    public = fields.Boolean()
    created_at = fields.DateTime()


class EventRegistrationListSchema(page_schema(EventRegistrationSchema,
                                              "EventRegistrationPageSchema")):  # fmt: skip
    """One page of one list (going, waitlisted or interested), oldest first."""

    answer = fields.String(metadata={"enum": LISTED})
    names_all = fields.Boolean(metadata={"description": "You see every name (organizers, "
                                         "staff); else only public ones and yours."})  # fmt: skip
    counted = fields.Integer(metadata={"description": "Everyone with this answer."})
    others = fields.Integer(metadata={"description": "Those not named to you."})


class EventGeoJSONSchema(Schema):
    """A GeoJSON FeatureCollection (RFC 7946) of upcoming in-person and hybrid events."""

    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Raw(), metadata={"description": "Point features: `id`, "
                           "`geometry` (coordinates to 5 decimals), `properties` (title, url, "
                           "when, when_label, mode, type, cancelled)."})  # fmt: skip
    truncated = fields.Boolean(metadata={"description": "More events matched than were sent."})
    total = fields.Integer()


EventItemPageSchema = page_schema(EventItemSchema, "EventItemPageSchema")
EventOccurrencePageSchema = page_schema(EventOccurrenceSchema, "EventOccurrencePageSchema")
