"""Who comes: the lists of participants as a viewer may see them, the organizers' paginated
list and CSV export, and organizers' messages to participants.

A person who registered with ``public=False`` is named only to the event's organizers and
staff (``events.manage``) and to themselves; everyone else sees them in a count ("and 3
others"). Every listing costs a fixed number of queries, whatever the number of people.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from space import audit, notify
from space import site as site_settings
from space.accounts.models import User
from space.db import db, utcnow
from space.permissions import can

from ..models import Answer, Event, Registration
from .events import EventError

# Answers listed, in the order the lists show.
LISTED = (Answer.GOING, Answer.WAITLISTED, Answer.INTERESTED)
# Names shown per list on the event page (the rest are counted).
PREVIEW = 60
PER_PAGE = 100
SUBJECT_MAX = 200
BODY_MAX = 5000
# Messages organizers may send about one event in a day.
MESSAGES_PER_DAY = 3
DAY = timedelta(days=1)
# Characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Listing:
    """One list (going, waitlisted or interested): the people named to the viewer, in
    registration order, and how many more there are."""

    answer: Answer
    people: list[Registration] = field(default_factory=list)
    total: int = 0

    @property
    def others(self) -> int:
        return max(self.total - len(self.people), 0)


@dataclass
class Participants:
    going: Listing
    waitlisted: Listing
    interested: Listing
    names_all: bool  # the viewer sees every name (organizers, staff)

    def __iter__(self):
        return iter((self.going, self.waitlisted, self.interested))


def total(event: Event, answer: Answer) -> int:
    return {Answer.GOING: event.going_count, Answer.WAITLISTED: event.waitlist_count,
            Answer.INTERESTED: event.interested_count}.get(answer, 0)  # fmt: skip


def participants(event: Event, viewer, limit: int = PREVIEW) -> Participants:
    """The going, waitlisted and interested people ``viewer`` may see by name, at most
    ``limit`` per list (one query). ``event`` should have its organizers loaded so that
    co-organizers see every name."""
    names_all = can(viewer, "events.manage", event)
    rank = (
        func.row_number()
        .over(partition_by=Registration.answer, order_by=(Registration.created_at, Registration.id))
        .label("rank")
    )
    inner = select(Registration.id, rank).where(
        Registration.event_id == event.id, Registration.answer.in_(LISTED)
    )
    if not names_all:
        me = getattr(viewer, "id", None) if getattr(viewer, "is_authenticated", False) else None
        inner = inner.where(or_(Registration.public.is_(True), Registration.user_id == me))
    inner = inner.subquery()
    rows = db.session.scalars(
        select(Registration)
        .join(inner, inner.c.id == Registration.id)
        .options(joinedload(Registration.user))
        .where(inner.c.rank <= limit)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    lists = {answer: Listing(answer, total=total(event, answer)) for answer in LISTED}
    for row in rows:
        lists[row.answer].people.append(row)
    return Participants(lists[Answer.GOING], lists[Answer.WAITLISTED],
                        lists[Answer.INTERESTED], names_all)  # fmt: skip


def page_of(event: Event, answer: Answer, page: int, per_page: int = PER_PAGE):
    """One page of a list for the organizers, every name shown (two queries)."""
    query = (
        select(Registration)
        .options(joinedload(Registration.user))
        .where(Registration.event_id == event.id, Registration.answer == answer)
        .order_by(Registration.created_at, Registration.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# --- CSV --------------------------------------------------------------------------------------


def _cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def answer_label(answer: Answer) -> str:
    return {Answer.GOING: _("Going"), Answer.WAITLISTED: _("On the waitlist"),
            Answer.INTERESTED: _("Interested"),
            Answer.NOT_GOING: _("Not going")}[Answer(answer)]  # fmt: skip


def export_csv(event: Event) -> str:
    """Everyone registered for ``event`` (not going included) as CSV text: name, username,
    answer, registration time (UTC, ISO 8601), public. One query."""
    order = {answer: n for n, answer in enumerate((*LISTED, Answer.NOT_GOING))}
    rows = db.session.execute(
        select(User.display_name, User.username, Registration.answer, Registration.created_at,
               Registration.public)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()  # fmt: skip
    rows.sort(key=lambda row: order[row.answer])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Username"), _("Answer"), _("Registered at (UTC)"),
                     _("Public")])  # fmt: skip
    for row in rows:
        when = row.created_at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
        writer.writerow([_cell(row.display_name or row.username), _cell(row.username),
                         _cell(answer_label(row.answer)), when,
                         _("yes") if row.public else _("no")])  # fmt: skip
    return out.getvalue()


# --- messages ---------------------------------------------------------------------------------


def sent_today(event: Event) -> int:
    """Messages sent about ``event`` in the last 24 hours."""
    return db.session.scalar(
        select(func.count(audit.AuditEntry.id)).where(
            audit.AuditEntry.action == "events.message",
            audit.AuditEntry.target_type == "event",
            audit.AuditEntry.target_id == event.id,
            audit.AuditEntry.created_at >= utcnow() - DAY,
        )
    )


def message(user, event: Event, subject: str, body: str, *, interested: bool = False) -> int:
    """An organizer (``user``) writes to the going and waitlisted participants (and the
    interested ones with ``interested``): a notification, and an email to those who accept
    emails. At most ``MESSAGES_PER_DAY`` a day per event. Returns how many were told."""
    subject = " ".join(subject.split())
    body = body.strip()
    if not subject:
        raise EventError(_("Give the message a subject."), "subject")
    if len(subject) > SUBJECT_MAX:
        raise EventError(_("The subject is too long (at most %(n)d characters).", n=SUBJECT_MAX),
                         "subject")  # fmt: skip
    if not body:
        raise EventError(_("Write the message."), "body")
    if len(body) > BODY_MAX:
        raise EventError(_("The message is too long (at most %(n)d characters).", n=BODY_MAX),
                         "body")  # fmt: skip
    if sent_today(event) >= MESSAGES_PER_DAY:
        raise EventError(_("At most %(n)d messages a day can be sent about one event. Try "
                           "again tomorrow.", n=MESSAGES_PER_DAY))  # fmt: skip
    answers = [Answer.GOING, Answer.WAITLISTED] + ([Answer.INTERESTED] if interested else [])
    people = db.session.scalars(
        select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.event_id == event.id, Registration.answer.in_(answers),
               User.id != user.id)
        .order_by(User.id)
    ).all()  # fmt: skip
    people = [person for person in people if can(person, "events.read", event)]
    data = {"event_id": event.id, "slug": event.slug, "title": event.title,
            "name": user.username, "note": subject[:300]}  # fmt: skip
    link = url_for("events.event", event_id=event.id, slug=event.slug, _external=True)
    default_locale = current_app.config["SPACE_DEFAULT_LOCALE"]
    for person in people:
        item = notify.notify(person.id, "events.message", **data)
        if person.email_notifications and person.confirmed_at is not None:
            with force_locale(person.locale or default_locale):
                mail_subject = _("[%(site)s] %(subject)s", site=site_settings.get("title"),
                                 subject=subject)  # fmt: skip
                text = _("%(name)s, an organizer of “%(title)s”, wrote to its participants:"
                         "\n\n%(body)s\n\n%(link)s\n\nYou receive this because you registered "
                         "for this event.", name=user.name, title=event.title, body=body,
                         link=link)  # fmt: skip
            notify.queue_mail(person.email, mail_subject, text)
            item.emailed_at = utcnow()  # the unread-notification email would repeat it
    audit.record("events.message", actor=user, target=event, target_type="event",
                 target_label=event.title[:200], reason=subject, recipients=len(people),
                 interested=interested)  # fmt: skip
    return len(people)
