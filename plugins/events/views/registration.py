"""Registration pages: answering from the event page's box (``events/registration/_box.html``,
included by the event page), the organizers' participants page with its CSV export,
messages and removals, and the report form after the event.

Everything is refused with 404 to people who may not see the event (a private group's
event); the organizers' pages also to anyone who does not manage it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField

from space.db import db
from space.errors import fail
from space.forms import Form, length, number_range, optional, required
from space.paging import page_number
from space.permissions import require

from ..formatting import viewer_zone
from ..models import Answer, Event, Registration
from ..services import participants as people
from ..services import registration
from ..services.events import EventError
from ..services.followup import ATTENDANCE_MAX, LINKS_MAX, REPORT_MAX
from . import bp

ID = "int(max=2147483647)"
TABS = (Answer.GOING, Answer.WAITLISTED, Answer.INTERESTED)


class RegisterForm(Form):
    answer = HiddenField()
    public = BooleanField(_l("Show my name to the other participants"))


class MessageForm(Form):
    subject = StringField(_l("Subject"), validators=[required(), length(max=people.SUBJECT_MAX)])
    body = TextAreaField(_l("Message"), validators=[required(), length(max=people.BODY_MAX)])
    interested = BooleanField(_l("Also write to the people who are interested"))


class ReportForm(Form):
    attendance = IntegerField(_l("How many people came"),
                              validators=[optional(), number_range(0, ATTENDANCE_MAX)])  # fmt: skip
    body = TextAreaField(_l("What was done"), validators=[required(), length(max=REPORT_MAX)])
    links = TextAreaField(_l("Links (one per line)"), validators=[optional()])


# --- helpers used by templates ---------------------------------------------------------------


def _date_time(moment: datetime) -> str:
    """ "28 Nov 2026, 12:00" in the current locale, in ``moment``'s own zone."""
    locale = get_locale()
    pattern = locale.datetime_formats.get("medium") or "{1} {0}"
    return pattern.replace("{1}", format_date(moment, "medium", locale=locale)).replace(
        "{0}", format_time(moment, "short", locale=locale))  # fmt: skip


def when(moment: datetime | None, zone: str) -> str:
    """``moment`` in the viewer's zone, with the event's own time labelled when its zone
    differs: "28 Nov 2026, 06:00 12:00 (Europe/Stockholm)", as ``formatting.when`` does."""
    if moment is None:
        return ""
    seen = moment.astimezone(ZoneInfo(viewer_zone()))
    shown = _date_time(seen)
    if zone and zone != viewer_zone():
        own = moment.astimezone(ZoneInfo(zone))
        text = format_time(own, "short", locale=get_locale()) if own.date() == seen.date() \
            else _date_time(own)  # fmt: skip
        shown += " " + _("%(time)s (%(zone)s)", time=text, zone=zone)
    return shown


def waitlist_position(mine: Registration | None) -> int | None:
    """``mine``'s place on the waitlist (1: next to move up), or None."""
    if mine is None or mine.answer != Answer.WAITLISTED:
        return None
    return 1 + db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == mine.event_id,
            Registration.answer == Answer.WAITLISTED,
            (Registration.created_at < mine.created_at)
            | ((Registration.created_at == mine.created_at) & (Registration.id < mine.id)),
        )
    )


bp.add_app_template_global(registration.state, "events_registration_state")
bp.add_app_template_global(when, "events_registration_when")
bp.add_app_template_global(waitlist_position, "events_waitlist_position")
bp.add_app_template_global(people.answer_label, "events_answer_label")


def _event(event_id: int) -> Event:
    """The event with its organizers, or 404 when missing or hidden from ``current_user``."""
    event = db.session.scalar(
        select(Event).options(selectinload(Event.organizers)).where(Event.id == event_id)
    )
    if event is None:
        fail(404, _("There is no such event."))
    require(current_user, "events.read", event)
    return event


def _managed(event_id: int) -> Event:
    event = _event(event_id)
    require(current_user, "events.manage", event)
    return event


def _event_url(event: Event, anchor: str = "") -> str:
    return url_for("events.event", event_id=event.id, slug=event.slug) + anchor


def _attach(form, error: EventError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- registering ------------------------------------------------------------------------------


@bp.post(f"/<{ID}:event_id>/register")
def register(event_id: int):
    event = _event(event_id)
    require(current_user, "events.register", event)
    form = RegisterForm()
    form.validate_on_submit()
    mine = registration.mine(current_user, event)
    answer = form.answer.data or ""
    if answer not in {a.value for a in registration.CHOICES}:
        message, status = _("Choose going, interested or not going."), 400
    else:
        try:
            mine = registration.register(current_user, event, answer, public=form.public.data)
        except EventError as error:
            db.session.rollback()
            message, status = error.message, 409
        else:
            db.session.commit()
            flash(_said(mine), "success")
            return redirect(_event_url(event, "#registration"))
    event = _event(event_id)
    return render_template("events/registration/register.html", event=event,
                           my_registration=registration.mine(current_user, event),
                           message=message), status  # fmt: skip


def _said(mine: Registration) -> str:
    if mine.answer == Answer.GOING:
        return _("You are going. See you there!")
    if mine.answer == Answer.WAITLISTED:
        return _("The event is full: you are on the waitlist. You will be told when a place "
                 "is free for you.")  # fmt: skip
    if mine.answer == Answer.INTERESTED:
        return _("Noted: you are interested. You will hear of changes to this event.")
    return _("Noted: you are not going.")


# --- the organizers' page ---------------------------------------------------------------------


def _tab() -> Answer:
    wanted = request.args.get("answer", Answer.GOING.value)
    if wanted not in {tab.value for tab in TABS}:
        fail(400, _("Choose going, on the waitlist or interested."))
    return Answer(wanted)


def _participants_page(event: Event, form: MessageForm, status: int = 200):
    tab = _tab()
    page = people.page_of(event, tab, page_number())
    return render_template(
        "events/registration/participants.html", event=event, tab=tab, tabs=TABS,
        page=page, people=page.items, form=form,
        sent_today=people.sent_today(event), per_day=people.MESSAGES_PER_DAY,
        is_over=registration.is_over(event),
    ), status  # fmt: skip


@bp.get(f"/<{ID}:event_id>/participants")
def participants(event_id: int):
    event = _managed(event_id)
    return _participants_page(event, MessageForm(formdata=None))


@bp.get(f"/<{ID}:event_id>/participants.csv")
def participants_csv(event_id: int):
    event = _managed(event_id)
    text = people.export_csv(event)
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="event-{event.id}-participants.csv"',
        "Cache-Control": "private, no-store",
    })  # fmt: skip


@bp.post(f"/<{ID}:event_id>/message")
def message(event_id: int):
    event = _managed(event_id)
    form = MessageForm()
    status = 422
    if form.validate_on_submit():
        try:
            told = people.message(current_user, event, form.subject.data, form.body.data,
                                  interested=form.interested.data)  # fmt: skip
        except EventError as error:
            db.session.rollback()
            _attach(form, error)
            status = 422 if error.field else 429
            event = _managed(event_id)
        else:
            db.session.commit()
            flash(ngettext("Your message went to %(num)s person.",
                           "Your message went to %(num)s people.", told), "success")  # fmt: skip
            return redirect(url_for("events.participants", event_id=event.id))
    return _participants_page(event, form, status)


@bp.post(f"/<{ID}:event_id>/participants/<{ID}:user_id>/remove")
def remove_participant(event_id: int, user_id: int):
    event = _managed(event_id)
    try:
        removed = registration.remove(current_user, event, user_id)
    except EventError as error:
        db.session.rollback()
        fail(409, error.message)
    if not removed:
        fail(404, _("This person is not registered for this event."))
    db.session.commit()
    flash(_("The registration is removed; the person was told."), "success")
    return redirect(url_for("events.participants", event_id=event.id,
                            answer=request.args.get("answer") or None))  # fmt: skip


# --- the report -------------------------------------------------------------------------------


@bp.route(f"/<{ID}:event_id>/report", methods=["GET", "POST"])
def report(event_id: int):
    event = _managed(event_id)
    form = ReportForm()
    if request.method == "GET":
        form.attendance.data = event.report_attendance
        form.body.data = event.report
        form.links.data = "\n".join(event.report_links or [])
    status = 200
    if form.validate_on_submit():
        links = [line for line in (form.links.data or "").splitlines() if line.strip()]
        try:
            first = registration.publish_report(current_user, event, form.attendance.data,
                                                form.body.data, links)  # fmt: skip
        except EventError as error:
            db.session.rollback()
            _attach(form, error)
            status = 409 if not error.field else 422
            event = _managed(event_id)
        else:
            db.session.commit()
            flash(_("The report is published.") if first else _("The report is saved."),
                  "success")  # fmt: skip
            return redirect(_event_url(event, "#report"))
    elif form.errors:
        status = 422
    return render_template(
        "events/registration/report.html",
        event=event,
        form=form,
        is_over=registration.is_over(event),
        links_max=LINKS_MAX,
    ), status
