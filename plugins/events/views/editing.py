"""Creating and changing events: ``events.new``, ``events.edit``, ``events.cancel``,
``events.cancel_occurrence``, and ``events.places`` (the city picker's JSON lookup).

Every page works as a plain form: "Preview" re-renders with the cooked description; a
refusal re-renders with the message beside its field and everything typed kept (422); a
city typed without JavaScript is looked up when the form is sent. Cancelling asks first on
a page of its own. picker.js (the city list, keyboard-driven) and edit.js (showing only the
fields that apply) improve the form when scripts run.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField

from space.db import db, utcnow
from space.extensions import limiter
from space.forms import Form, length
from space.markup import render
from space.permissions import is_staff, require
from space.trust import TrustLevel

from .. import formatting, gazetteer
from ..models import Event, Organizer
from ..services import events, times
from ..services.events import EventError
from . import bp
from .editing_forms import (
    EventForm,
    country_name,
    defaults,
    fill,
    monthly_texts,
    name_repeats,
    name_zone,
    place_label,
    prepare,
)
from .editing_input import attach, parse

# An occurrence's key: its wall-clock start, "20260310T180000".
KEY = re.compile(r"[0-9]{8}T[0-9]{6}")
ID = "int(max=2147483647)"
PLACES_LIMIT = 10
UPCOMING = 12  # dates of a recurring event listed on its edit page


class CancelForm(Form):
    reason = TextAreaField(_l("Why (optional, sent to the participants)"), [length(max=2000)])


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def _event_url(event: Event) -> str:
    return url_for("events.event", event_id=event.id, slug=event.slug)


def _load(event_id: int) -> Event:
    """The event with its organizers; 404 when it does not exist or may not be seen, 401
    for readers without an account, 404 for those who may not edit it."""
    event = db.session.scalar(
        select(Event).options(selectinload(Event.organizers).joinedload(Organizer.user))
        .where(Event.id == event_id)
    )  # fmt: skip
    if event is None:
        abort(404)
    require(current_user, "events.read", event)
    if not getattr(current_user, "is_authenticated", False):
        abort(401)
    require(current_user, "events.edit", event)
    return event


def _page(template: str, form: EventForm, context, **values):
    name_zone(form, context)
    return render_template(template, form=form, context=context, monthly=monthly_texts(),
                           attribution=gazetteer.ATTRIBUTION, source_url=gazetteer.SOURCE_URL,
                           license_url=gazetteer.LICENSE_URL, place_label=place_label,
                           **values), _status(form)  # fmt: skip


def _preview(form: EventForm):
    return render(form.description.data or "") if (form.description.data or "").strip() else ""


# --- a new event --------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
def new():
    user = current_user
    if (getattr(user, "is_authenticated", False) and not is_staff(user)
            and user.trust_level < TrustLevel.BASIC):  # fmt: skip
        return render_template("events/edit/not_yet.html"), 403
    require(user, "events.create")
    form = EventForm()
    context = prepare(form, user)
    preview = None
    if request.method == "GET":
        defaults(form, user)
    elif "preview" in request.form:
        form.validate()
        preview = _preview(form)
    elif form.validate_on_submit():
        try:
            event = events.create(user, parse(form, context, request.form.get("place_pick")))
        except EventError as error:
            db.session.rollback()
            attach(form, error)
        else:
            db.session.commit()
            flash(_("Your event is published."), "success")
            return redirect(_event_url(event))
    return _page("events/edit/new.html", form, context, preview=preview)


# --- changing it --------------------------------------------------------------------------------


@bp.route(f"/<{ID}:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _load(event_id)
    form = EventForm()
    context = prepare(form, current_user, event)
    preview = None
    if request.method == "GET":
        fill(form, event, context)
        name_repeats(form)  # the monthly choice names the first date's weekday
    elif "preview" in request.form:
        form.validate()
        preview = _preview(form)
    elif form.validate_on_submit():
        try:
            told = events.update(
                current_user, event, parse(form, context, request.form.get("place_pick"))
            )
        except EventError as error:
            db.session.rollback()
            attach(form, error)
        else:
            db.session.commit()
            flash(_("The event is saved; its participants were told of the change.") if told
                  else _("The event is saved."), "success")  # fmt: skip
            return redirect(_event_url(event))
    return _page(
        "events/edit/edit.html", form, context, event=event, preview=preview, dates=_upcoming(event)
    )


def _upcoming(event: Event) -> list[tuple[times.Occurrence, str]]:
    """The next dates of a recurring event (with how each shows), to cancel one."""
    if not event.rrule:
        return []
    cancelled = events.cancelled_starts([event.id]).get(event.id, frozenset())
    found = times.occurrences(event, utcnow(), cancelled=cancelled)[:UPCOMING]
    return [(o, formatting.when(event, o)) for o in found]


# --- cancelling ---------------------------------------------------------------------------------


@bp.route(f"/<{ID}:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    """Cancel the event (it stays, marked cancelled); GET asks first."""
    event = _load(event_id)
    form = CancelForm()
    if request.method == "POST" and form.validate_on_submit():
        if events.cancel(current_user, event, form.reason.data or ""):
            db.session.commit()
            flash(_("The event is cancelled; its participants were told."), "success")
        else:
            flash(_("The event was already cancelled."), "info")
        return redirect(_event_url(event))
    return render_template(
        "events/edit/cancel.html", event=event, form=form,
        when=formatting.when(event),
    ), _status(form)  # fmt: skip


def _occurrence(event: Event, key: str) -> times.Occurrence:
    """The occurrence named by ``key``, or a 404 with a message."""
    missing = _("This event has no date like this.")
    if not event.rrule or not KEY.fullmatch(key):
        _fail(missing)
    try:
        start = datetime.strptime(key, "%Y%m%dT%H%M%S")
    except ValueError:
        _fail(missing)
    found = next((o for o in times.occurrences(event) if o.start_local == start), None)
    if found is None:
        _fail(missing)
    return found


def _fail(message: str):
    from space.errors import fail

    fail(404, message)


@bp.route(f"/<{ID}:event_id>/occurrences/<key>/cancel", methods=["GET", "POST"])
def cancel_occurrence(event_id: int, key: str):
    """Cancel one date of a recurring event; GET asks first."""
    event = _load(event_id)
    occurrence = _occurrence(event, key)
    form = CancelForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            done = events.cancel_occurrence(current_user, event, occurrence.start_local,
                                            form.reason.data or "")  # fmt: skip
        except EventError as error:
            _fail(error.message)
        if done:
            db.session.commit()
            flash(_("That date is cancelled; the participants were told."), "success")
        else:
            flash(_("That date was already cancelled."), "info")
        return redirect(_event_url(event))
    return render_template(
        "events/edit/cancel_occurrence.html", event=event, form=form, key=key,
        when=formatting.when(event, occurrence),
    ), _status(form)  # fmt: skip


# --- the city picker's lookup -------------------------------------------------------------------


def _bad(message: str):
    response = jsonify({"message": message})
    response.status_code = 400
    return response


@bp.get("/places")
@limiter.limit("300 per minute", error_message=lambda: _("Too many lookups. Wait a moment."))
def places():
    """Cities whose name starts with ``q`` (JSON), for the picker; ``country``: an ISO code."""
    query = request.args.get("q", "").strip()
    country = request.args.get("country", "").strip().upper()
    if not query:
        return _bad(_("Type at least one letter of the city's name."))
    if len(query) > gazetteer.MAX_QUERY:
        return _bad(_("Type at most %(n)d characters.", n=gazetteer.MAX_QUERY))
    if country and not (len(country) == 2 and country in gazetteer.countries()):
        return _bad(_("Unknown country: give its two-letter code, like SE."))
    found = gazetteer.lookup(query, limit=PLACES_LIMIT, country=country or None)
    response = jsonify([
        {"id": place.id, "label": place_label(place), "name": place.name,
         "country": country_name(place), "country_code": place.country_code,
         "lat": place.lat, "lon": place.lon, "timezone": place.timezone}
        for place in found
    ])  # fmt: skip
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
