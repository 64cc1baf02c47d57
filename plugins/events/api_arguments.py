"""What the events' API endpoints accept (``api.py``, ``api_writing.py``,
``api_registration.py``): the list's filters, an event as an organizer describes it (for
POST, and for PATCH with every field optional), a cancellation's reason, an answer.

Upper bounds here keep requests small; the services set the real limits and refuse with an
``EventError``, which the API answers as a 422 naming the field.
"""

from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from space.api.schemas import (
    MAX_ID,
    MAX_PAGE,
    MAX_PER_PAGE,
    Id,
    PageArgs,
    Schema,
    Text,
    at_most_items,
    length,
    number_range,
    one_of,
)

from .api_schemas import LISTED, MODES, TYPES, EventRepeatSchema, sane_year
from .models import Answer, EventStatus, EventType, Mode
from .services import events as event_service
from .services import registration as registration_service

CHOICES = [answer.value for answer in registration_service.CHOICES]
MAX_TEXT = 2000
MAX_DESCRIPTION = event_service.DESCRIPTION_MAX * 2
LOCAL_MESSAGES = {
    "invalid": [_l("Enter a local date and time like 2025-03-28T18:00.")],
    "invalid_awareness": [_l("Give the wall-clock time without an offset (like "
                             "2025-03-28T18:00); the event's zone is `timezone`.")],
}  # fmt: skip


class RawText(fields.String):
    """Text kept as typed (Markdown: leading spaces matter), refusing what no database
    stores: NUL characters and lone surrogates."""

    default_error_messages = {
        "unstorable": [_l("The text contains characters that are not allowed.")],
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        return text


def _text(maximum: int, about: str = "", **kwargs) -> Text:
    return Text(validate=length(max=maximum), metadata={"description": about}, **kwargs)


class EventFilterArgs(Schema):
    """The list's filters (the same as the site's list); dates are days in your profile's
    time zone."""

    q = _text(200, "Words in the title, description, venue or city.", load_default="")
    start = _text(20, "The first day (YYYY-MM-DD).", data_key="from", load_default="")
    end = _text(20, "The last day (YYYY-MM-DD).", data_key="to", load_default="")
    type = _text(20, "An event type.", load_default="")
    mode = _text(20, "online (online and hybrid), in_person (in person and hybrid) or "
                 "hybrid.", load_default="")  # fmt: skip
    country = _text(10, "An ISO 3166-1 alpha-2 code.", load_default="")
    language = _text(20, "A language code, e.g. fr.", load_default="")
    organizer = _text(60, "An organizer's username.", load_default="")


class EventListArgs(EventFilterArgs):
    page = fields.Integer(load_default=1, validate=number_range(1, MAX_PAGE))
    past = fields.Boolean(
        load_default=False, metadata={"description": "Events that are over, latest first."}
    )
    mine = fields.Boolean(load_default=False,
                          metadata={"description": "Only those you organize or registered "
                                    "for (going, waitlisted, interested)."})  # fmt: skip


class EventGeoArgs(EventFilterArgs):
    bbox = _text(200, "The area: west,south,east,north (degrees).", load_default="")
    near = _text(20, "A city's GeoNames id: events within `km` of it.", load_default="")
    km = _text(10, "The distance from `near` (1 to 1000; 50 by default).", load_default="")


class EventOccurrenceArgs(PageArgs):
    start = fields.AwareDateTime(
        data_key="from", load_default=None, allow_none=True, default_timezone=UTC,
        validate=sane_year,
        error_messages={"invalid": [_l("Enter a date and time in ISO 8601 format.")]},
        metadata={"description": "From this moment (UTC unless an offset is given); by "
                  "default now."},
    )  # fmt: skip
    end = fields.AwareDateTime(
        data_key="to", load_default=None, allow_none=True, default_timezone=UTC,
        validate=sane_year,
        error_messages={"invalid": [_l("Enter a date and time in ISO 8601 format.")]},
        metadata={"description": "Until this moment (excluded)."},
    )  # fmt: skip


def _local(about: str, **kwargs) -> fields.NaiveDateTime:
    return fields.NaiveDateTime(error_messages=LOCAL_MESSAGES, validate=sane_year,
                                metadata={"description": about}, **kwargs)  # fmt: skip


class EventInputSchema(Schema):
    """An event as an organizer describes it. For PATCH, fields left out stay as they are."""

    title = _text(event_service.TITLE_MAX * 2, required=True)
    description = RawText(load_default="", validate=length(max=MAX_DESCRIPTION),
                          metadata={"description": "Markdown."})  # fmt: skip
    timezone = _text(64, "An IANA time zone, e.g. Europe/Stockholm.", required=True)
    start = _local("The start, wall-clock in `timezone` (all-day: the first day).",
                   required=True)  # fmt: skip
    end = _local("The end, wall-clock in `timezone` (all-day: the last day).", required=True)
    all_day = fields.Boolean(load_default=False)
    mode = fields.String(load_default=Mode.IN_PERSON.value, validate=one_of(MODES),
                         metadata={"enum": MODES})  # fmt: skip
    meeting_url = _text(500, "Online and hybrid events: the meeting's address.", load_default="")
    venue = _text(200, load_default="")
    address = _text(300, load_default="")
    place_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "A city's GeoNames id (see /events/places?q=)."},
    )
    lat = fields.Float(load_default=None, allow_none=True, validate=number_range(-90, 90),
                       metadata={"description": "With `lon`: the place on the map."})  # fmt: skip
    lon = fields.Float(load_default=None, allow_none=True, validate=number_range(-180, 180))
    event_type = fields.String(load_default=EventType.MEETUP.value, validate=one_of(TYPES),
                               metadata={"enum": TYPES})  # fmt: skip
    languages = fields.List(_text(20), load_default=list,
                            validate=at_most_items(event_service.MAX_LANGUAGES))  # fmt: skip
    status = fields.String(load_default=EventStatus.SCHEDULED.value,
                           validate=one_of(["scheduled", "tentative"]),
                           metadata={"enum": ["scheduled", "tentative"], "description":
                                     "Cancel with POST …/cancel."})  # fmt: skip
    group_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "The organizing group (one of yours)."},
    )
    affiliate = _text(120, "An affiliate's name.", load_default="")
    organizers = fields.List(_text(60), load_default=list,
                             validate=at_most_items(event_service.MAX_ORGANIZERS),
                             metadata={"description": "Co-organizers' usernames."})  # fmt: skip
    registration = fields.Boolean(load_default=True,
                                  metadata={"description": "Take registrations."})  # fmt: skip
    capacity = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=number_range(1, MAX_ID),
                              metadata={"description": "null: no limit."})  # fmt: skip
    deadline = _local("Registration closes (wall-clock in `timezone`).", load_default=None,
                      allow_none=True)  # fmt: skip
    repeat = fields.Nested(EventRepeatSchema, load_default=None, allow_none=True)
    topic = _text(500, "An existing discussion topic to link (its id or address); by default "
                  "one is opened.", load_default="")  # fmt: skip


class EventChangeSchema(EventInputSchema):
    """The fields of an event to change (used with ``partial``: those left out stay; a
    ``repeat`` object sent is whole, and null stops the repetition)."""


class EventCancelArgs(Schema):
    reason = _text(MAX_TEXT, "Told to the participants.", load_default="")


class EventRegisterArgs(Schema):
    answer = fields.String(required=True, validate=one_of(CHOICES), metadata={"enum": CHOICES})
    public = fields.Boolean(
        load_default=True, metadata={"description": "Show your name on the event page."}
    )


class EventRegistrationListArgs(Schema):
    answer = fields.String(load_default=Answer.GOING.value, validate=one_of(LISTED),
                           metadata={"enum": LISTED})  # fmt: skip
    page = fields.Integer(load_default=1, validate=number_range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=None, allow_none=True,
                              validate=number_range(1, MAX_PER_PAGE))  # fmt: skip
