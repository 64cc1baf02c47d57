"""The event form (``EventForm``): its fields, choices, a new event's defaults, and an event
as the form shows it (``fill``: wall-clock times in the event's own zone).

The form parses and caps; ``editing_input.parse`` reads it into an ``EventInput`` and
``services/events.clean`` checks the rest, naming the field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)

from space import i18n
from space.accounts.groups import my_group_ids
from space.accounts.models import Group
from space.db import db
from space.forms import Form, choices, length, number_range, optional, web_address

from .. import gazetteer
from ..access import is_organizer
from ..formatting import MODE_LABELS, TYPE_LABELS
from ..models import Event, EventStatus, EventType, Mode
from ..settings import value

TEXT_CAP = 1000
DESCRIPTION_CAP = 100_000  # the service applies the real limit with its own message
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
ORDINALS = {1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}


class MarkdownField(TextAreaField):
    """Kept as typed (the base form strips text fields, which would cost Markdown its
    leading indentation)."""


class EventForm(Form):
    title = StringField(_l("Title"), [length(max=TEXT_CAP)])
    description = MarkdownField(_l("Description"), [length(max=DESCRIPTION_CAP)])
    event_type = SelectField(_l("Type"), choices=[])
    status = SelectField(_l("Status"), choices=[])
    all_day = BooleanField(_l("All day"))
    start_date = DateField(_l("Date"), [optional()])
    start_time = TimeField(_l("Time"), [optional()], format=TIME_FORMATS)
    end_date = DateField(_l("Date"), [optional()])
    end_time = TimeField(_l("Time"), [optional()], format=TIME_FORMATS)
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    mode = RadioField(_l("How people take part"), choices=[])
    meeting_url = StringField(_l("Meeting link"), [length(max=500), web_address])
    venue = StringField(_l("Venue"), [length(max=200)])
    address = StringField(_l("Address"), [length(max=300)])
    place = StringField(_l("City"), [length(max=200)])
    place_id = HiddenField()
    lat = StringField(_l("Latitude"), [length(max=40)], render_kw={"inputmode": "decimal"})
    lon = StringField(_l("Longitude"), [length(max=40)], render_kw={"inputmode": "decimal"})
    languages = SelectMultipleField(_l("Languages"), choices=[], validate_choice=False)
    organizers = StringField(_l("Co-organizers"), [length(max=TEXT_CAP)])
    group = SelectField(_l("Organizing group"), choices=[], validate_choice=False)
    affiliate = StringField(_l("Affiliate"), [length(max=120)])
    registration = BooleanField(_l("People register to come"), default=True)
    capacity = IntegerField(_l("Places available"), [optional(), number_range(1, 100_000)])
    deadline_date = DateField(_l("Date"), [optional()])
    deadline_time = TimeField(_l("Time"), [optional()], format=TIME_FORMATS)
    repeat = SelectField(_l("Repeats"), choices=[])
    repeat_interval = IntegerField(_l("Every how many weeks"), [optional(), number_range(2, 52)])
    repeat_until = DateField(_l("Until"), [optional()])
    repeat_count = IntegerField(_l("Or this many times"), [optional(), number_range(2, 1000)])
    discussion = RadioField(_l("Its discussion topic"), choices=[])
    topic = StringField(_l("Existing topic"), [length(max=TEXT_CAP)])


@dataclass
class Context:
    """What the page shows beside the form: the city as parsed, and cities to choose from
    when a typed name matched several."""

    user_zone: str
    place: gazetteer.Place | None = None
    suggestions: tuple[gazetteer.Place, ...] = ()
    can_set_organizers: bool = True


# --- choices ----------------------------------------------------------------------------------


def country_name(place: gazetteer.Place) -> str:
    """The place's country in the reader's language."""
    locale = get_locale()
    return (locale.territories.get(place.country_code) if locale else None) or place.country


def place_label(place: gazetteer.Place) -> str:
    """ "Stockholm, Sweden" with the country named in the reader's language."""
    return ", ".join(part for part in (place.name, place.admin1, country_name(place)) if part)


def user_zone(user) -> str:
    return i18n.select_timezone() if getattr(user, "is_authenticated", False) else "UTC"


def monthly_label(start: date | None) -> str:
    """ "Every month on the second Tuesday" (from the first date), or the general wording."""
    if start is None:
        return _("Every month on the same weekday (as the first date)")
    n, weekday = weekday_position(start)
    day = get_day_names("wide", locale=get_locale())[weekday]
    return _("Every month on the %(nth)s %(weekday)s", nth=ORDINALS[n], weekday=day)


def monthly_texts() -> dict:
    """What edit.js needs to name the monthly choice as the first date changes."""
    names = get_day_names("wide", locale=get_locale())
    return {
        "template": _("Every month on the %(nth)s %(weekday)s", nth="{nth}", weekday="{weekday}"),
        "weekdays": [str(names[day]) for day in range(7)],
        "ordinals": {str(n): str(label) for n, label in ORDINALS.items()},
        "any": _("Every month on the same weekday (as the first date)"),
    }


def weekday_position(day: date) -> tuple[int, int]:
    """(n, weekday) of ``day`` in its month: the 2nd Tuesday is (2, 1); a 5th one is the
    last (-1), which every month has."""
    n = (day.day - 1) // 7 + 1
    return (n if n <= 4 else -1), day.weekday()


def groups_of(user, current_id: int | None = None) -> list[Group]:
    """The person's own groups (not the automatic ones), and the event's current group."""
    ids = set(my_group_ids(user))
    if current_id is not None:
        ids.add(current_id)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Group).where(Group.id.in_(sorted(ids)), Group.automatic_trust_level.is_(None))
        .order_by(Group.title)
    ))  # fmt: skip


def prepare(form: EventForm, user, event: Event | None = None) -> Context:
    """Fill the form's choices (one query: the groups)."""
    form.event_type.choices = choices([(kind.value, label) for kind, label in TYPE_LABELS.items()])
    statuses = [(EventStatus.SCHEDULED.value, _("Scheduled")),
                (EventStatus.TENTATIVE.value, _("Tentative: to be confirmed"))]  # fmt: skip
    if event is not None and event.is_cancelled:
        statuses.append((EventStatus.CANCELLED.value, _("Cancelled")))
    form.status.choices = choices(statuses)
    form.mode.choices = choices([(mode.value, label) for mode, label in MODE_LABELS.items()])
    zone = user_zone(user)
    form.timezone.choices = choices(
        [("", _("The city's, or else yours (%(zone)s)", zone=zone))]
        + [(name, name.replace("_", " ")) for name in i18n.timezones()]
    )
    mine = list(getattr(user, "languages", None) or [])
    form.languages.choices = choices(i18n.spoken_language_choices(first=mine))
    groups = groups_of(user, event.group_id if event is not None else None)
    form.group.choices = choices([("", _("None"))] + [(str(g.id), g.title) for g in groups])
    name_repeats(form)
    opening = ("open", _("Open a topic for it")) if value("open_discussion") else (
        "open", _("No topic"))  # fmt: skip
    form.discussion.choices = choices([opening, ("link", _("Link an existing topic"))])
    can_set = event is None or is_organizer(user, event) or event.user_id is None
    return Context(user_zone=zone, can_set_organizers=can_set)


def name_zone(form: EventForm, context: Context) -> None:
    """The automatic zone's choice, named after the city when there is one (picker.js does
    the same as a city is picked); the city's own zone, chosen, shows as that choice, so that
    the zone keeps following the city."""
    if context.place is not None and form.timezone.data == context.place.timezone:
        form.timezone.data = ""
    if context.place is not None:
        label = _("The city's: %(zone)s", zone=context.place.timezone)
    else:
        label = _("The city's, or else yours (%(zone)s)", zone=context.user_zone)
    form.timezone.choices = [*choices([("", label)]), *form.timezone.choices[1:]]


def name_repeats(form: EventForm) -> None:
    """The repetition's choices, the monthly one named after the first date."""
    start = form.start_date.data if isinstance(form.start_date.data, date) else None
    form.repeat.choices = choices([
        ("", _("Does not repeat")), ("daily", _("Every day")), ("weekly", _("Every week")),
        ("weeks", _("Every few weeks")), ("monthly", monthly_label(start)),
    ])  # fmt: skip


def defaults(form: EventForm, user) -> None:
    """A new event's form."""
    form.event_type.data = EventType.MEETUP.value
    form.status.data = EventStatus.SCHEDULED.value
    form.mode.data = Mode.IN_PERSON.value
    form.timezone.data = ""
    form.registration.data = True
    form.repeat.data = ""
    form.discussion.data = "open"
    form.languages.data = list(getattr(user, "languages", None) or [])[:1]


# --- an event as the form shows it ------------------------------------------------------------


def _number(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".")


def fill(form: EventForm, event: Event, context: Context) -> None:
    """The form as ``event`` stands (times as wall-clock times in its zone)."""
    from ..services.times import to_local

    form.title.data, form.description.data = event.title, event.description
    form.event_type.data, form.status.data = event.event_type.value, event.status.value
    form.all_day.data = event.all_day
    form.start_date.data, form.start_time.data = event.start_local.date(), event.start_local.time()
    end = event.end_local - timedelta(days=1) if event.all_day else event.end_local
    form.end_date.data, form.end_time.data = end.date(), end.time()
    place = gazetteer.get(event.place_id) if event.place_id is not None else None
    context.place = place
    form.timezone.data = "" if place and place.timezone == event.timezone else event.timezone
    form.mode.data = event.mode.value
    form.meeting_url.data, form.venue.data = event.meeting_url, event.venue
    form.address.data = event.address
    form.place.data = place_label(place) if place else ""
    form.place_id.data = str(place.id) if place else ""
    typed = event.lat is not None and (place is None or (event.lat, event.lon)
                                       != (place.lat, place.lon))  # fmt: skip
    form.lat.data = _number(event.lat) if typed else ""
    form.lon.data = _number(event.lon) if typed else ""
    form.languages.data = list(event.languages or [])
    form.organizers.data = ", ".join(o.user.username for o in event.organizers
                                     if o.user_id != event.user_id)  # fmt: skip
    form.group.data = str(event.group_id) if event.group_id else ""
    form.affiliate.data = event.affiliate
    form.registration.data = event.registration
    form.capacity.data = event.capacity
    if event.registration_deadline is not None:
        deadline = to_local(event.registration_deadline, event.timezone)
        form.deadline_date.data, form.deadline_time.data = deadline.date(), deadline.time()
    _fill_repeat(form, event.rrule)
    form.discussion.data = "link" if event.topic_id else "open"
    form.topic.data = str(event.topic_id) if event.topic_id else ""


def _fill_repeat(form: EventForm, rule: str) -> None:
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    frequency = parts.get("FREQ", "").lower()
    interval = int(parts.get("INTERVAL", "1") or 1)
    if frequency == "weekly" and interval > 1:
        form.repeat.data, form.repeat_interval.data = "weeks", interval
    else:
        form.repeat.data = frequency if frequency in {"daily", "weekly", "monthly"} else ""
    if "COUNT" in parts:
        form.repeat_count.data = int(parts["COUNT"])
    elif "UNTIL" in parts:
        form.repeat_until.data = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
