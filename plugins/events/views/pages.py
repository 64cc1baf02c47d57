"""An event's page, the event card on its discussion topic, and the template helpers every
events page uses to show times and names.

``/events/<id>/<slug>``: a wrong or missing slug answers a 301 to the right address (the
query string kept); an event the viewer may not see is a 404 (``events.read`` hides it).
``?on=<key>`` names one occurrence of a recurring event (its local start, as in the lists):
the page shows it first; a key that is not one of its occurrences is a 404.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from space import discussions
from space.db import db
from space.permissions import can, require

from .. import formatting, gazetteer
from ..access import is_public
from ..models import Event, EventType, Mode
from ..services import listing
from ..services.events import cancelled_starts
from . import bp

NEXT_OCCURRENCES = 10


def _registrations(event: Event):
    """The viewer's registration and who comes (as the viewer may see them by name)."""
    from ..services import participants, registration

    if not event.registration:
        return registration.mine(current_user, event), None
    return registration.mine(current_user, event), participants.participants(event, current_user)


def _event_or_404(event_id: int) -> Event:
    found = listing.load(event_id)
    if found is None:
        abort(404)
    require(current_user, "events.read", found)
    return found


@bp.get("/<int(max=2147483647):event_id>", defaults={"slug": None})
@bp.get("/<int(max=2147483647):event_id>/<slug>")
def event(event_id: int, slug: str | None):
    found = _event_or_404(event_id)
    if slug != found.slug:
        kept = {name: text for name, text in request.args.items()
                if not name.startswith("_") and name not in ("event_id", "slug")}  # fmt: skip
        return redirect(url_for("events.event", event_id=found.id, slug=found.slug, **kept),
                        301)  # fmt: skip
    cancelled = cancelled_starts([found.id]).get(found.id, frozenset()) if found.rrule else (
        frozenset())  # fmt: skip
    chosen = None
    key = request.args.get("on")
    if key:
        chosen = listing.occurrence(found, key, cancelled)
        if chosen is None:
            abort(404)
    coming = listing.next_occurrences(found, cancelled=cancelled, limit=NEXT_OCCURRENCES) \
        if found.rrule else []  # fmt: skip
    page_url = url_for("events.event", event_id=found.id, slug=found.slug, _external=True)
    manages = can(current_user, "events.manage", found)
    my_registration, people = _registrations(found)
    return render_template(
        "events/event.html",
        event=found,
        occurrence=chosen,
        occurrences=coming,
        cancelled_count=len(cancelled),
        my_registration=my_registration,
        people=people,
        show_meeting_link=meeting_link_shown(found, my_registration, manages),
        discussion=discussions.summary(found.topic_id, current_user),
        google_url=formatting.google_calendar_url(found, page_url, chosen),
        public=is_public(found),
    )


def meeting_link_shown(event: Event, my_registration, manages: bool) -> bool:
    """The meeting link of an online or hybrid event shows to everyone who may see the event
    when it takes no registration; with registration, to the people registered (going, or
    interested: they may join when there is room) and to its organizers and staff — not to
    those on the waitlist or not going."""
    if event.mode == Mode.IN_PERSON or not event.meeting_url:
        return False
    if manages or not event.registration:
        return True
    answer = getattr(my_registration, "answer", None)
    return answer in ("going", "interested")


def outlet(place, context):
    """The ``template_outlet`` hook: the events card on the admin dashboard, and the event
    card on the event's discussion topic (one query) for those who may see the event."""
    from space.hookspecs import Outlet

    if place == Outlet.ADMIN_DASHBOARD:
        from .admin import dashboard_card

        return dashboard_card()
    topic = context.get("topic")
    if place != Outlet.TOPIC_HEADER or topic is None:
        return None
    found = db.session.scalar(select(Event).where(Event.topic_id == topic.id).limit(1))
    if found is None or not can(current_user, "events.read", found):
        return None
    coming = listing.next_occurrences(found, limit=1) if found.rrule else []
    return Markup(render_template("events/_topic_card.html", event=found,
                                  occurrence=coming[0] if coming else None))  # fmt: skip


# --- template helpers -------------------------------------------------------------------------


@bp.app_template_global("events_when")
def events_when(thing, occurrence=None) -> Markup:
    """When an event (its first occurrence), an occurrence of it (``occurrence``), or a list
    item or calendar entry (which hold both) happens, in the viewer's zone with the event's
    own zone labelled when it is another."""
    if occurrence is None and hasattr(thing, "occurrence"):
        thing, occurrence = thing.event, thing.occurrence
    return formatting.when(thing, occurrence)


@bp.app_template_global("events_when_text")
def events_when_text(thing, occurrence=None) -> str:
    """``events_when`` as plain text, for a tooltip."""
    if occurrence is None and hasattr(thing, "occurrence"):
        thing, occurrence = thing.event, thing.occurrence
    return formatting.when_text(thing, occurrence)


@bp.app_template_global("events_start_time")
def events_start_time(entry) -> str:
    return formatting.start_time(entry.event, entry.occurrence)


@bp.app_template_global("events_hours")
def events_hours(entry) -> str:
    return formatting.hours(entry.event, entry.occurrence)


@bp.app_template_global("events_day")
def events_day(day, fmt: str = "full") -> str:
    return formatting.day_label(day, fmt)


@bp.app_template_global("events_country")
def events_country(code: str) -> str:
    return formatting.country_name(code)


@bp.app_template_global("events_where")
def events_where(event: Event) -> str:
    return formatting.where_text(event)


@bp.app_template_global("events_label")
def events_label(value) -> str:
    """The reader's name of an event type, mode or status."""
    for labels in (formatting.TYPE_LABELS, formatting.MODE_LABELS, formatting.STATUS_LABELS):
        if value in labels:
            return str(labels[value])
    return str(value)


@bp.app_template_global("events_webcal")
def events_webcal(url: str) -> str:
    return formatting.webcal(url)


@bp.app_template_global("events_filter_choices")
def events_filter_choices() -> dict:
    """What the filters form offers: types, modes, countries and languages."""
    from space.i18n import spoken_language_choices

    return {
        "types": [(t.value, str(formatting.TYPE_LABELS[t])) for t in EventType],
        "modes": [("in_person", str(formatting.MODE_LABELS[Mode.IN_PERSON])),
                  ("online", str(formatting.MODE_LABELS[Mode.ONLINE])),
                  ("hybrid", str(formatting.MODE_LABELS[Mode.HYBRID]))],
        "countries": formatting.country_choices(),
        "languages": spoken_language_choices(),
    }  # fmt: skip


@bp.app_template_global("events_geonames")
def events_geonames() -> dict:
    """The GeoNames credit for pages that show a place."""
    return {"text": str(gazetteer.ATTRIBUTION), "source": gazetteer.SOURCE_URL,
            "license": gazetteer.LICENSE_URL}  # fmt: skip
