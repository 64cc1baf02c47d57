"""RSS 2.0 and Atom feed of new events: the latest public events, newest created first.

Feed readers come without an account, so the feed holds what anonymous readers see, whoever
asks: never an event of a private group. Each item says when (in the event's own zone, since a
feed has no reader's zone), where, whether it is cancelled, and carries the cooked description.
A feed costs a fixed number of queries (the private groups, the events, their organizers).
The XML is written by ``space.feeds``.
"""

from __future__ import annotations

from babel.dates import format_date, format_time
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from space import site
from space.db import db, utcnow
from space.feeds import Feed, Item

from .formatting import TYPE_LABELS, country_name
from .models import Event, EventStatus, Mode
from .services.calendars import first_organizers, location, public

# Events in the feed.
SIZE = 20


def _when(event: Event) -> str:
    """ "May 3, 2026, 6:00 PM (Europe/Paris)" in the event's own zone; dates for all-day."""
    locale = get_locale() or "en"
    day = format_date(event.start_local.date(), "full", locale=locale)
    if event.all_day:
        return day
    hour = format_time(event.start_local.time(), "short", locale=locale)
    return _("%(day)s, %(time)s (%(zone)s)", day=day, time=hour, zone=event.timezone)


def _html(event: Event) -> str:
    lines = [Markup("<p><strong>%s</strong> %s</p>") % (_("When:"), _when(event))]
    if event.rrule:
        lines.append(Markup("<p>%s</p>") % _("Repeats."))
    lines.append(Markup("<p><strong>%s</strong> %s</p>") % (_("Where:"), location(event)))
    if event.status == EventStatus.CANCELLED:
        lines.append(Markup("<p><strong>%s</strong> %s</p>") % (_("Cancelled."),
                                                                 event.cancel_reason))  # fmt: skip
    elif event.status == EventStatus.TENTATIVE:
        lines.append(Markup("<p><em>%s</em></p>") % _("Tentative: the date may change."))
    return str(Markup("\n").join([*lines, Markup(event.cooked)]))


def item(event: Event, organizer) -> Item:
    published = event.created_at
    title = event.title
    if event.status == EventStatus.CANCELLED:
        title = _("Cancelled: %(title)s", title=event.title)
    categories = [str(TYPE_LABELS.get(event.event_type, event.event_type))]
    if event.mode != Mode.ONLINE and event.country_code:
        categories.append(country_name(event.country_code))
    return Item(
        title=title,
        url=url_for("events.event", event_id=event.id, slug=event.slug, _external=True),
        guid=url_for("events.event", event_id=event.id, _external=True),
        published=published,
        updated=max(event.updated_at or published, published),
        author=organizer.name if organizer else "",
        author_url=url_for("accounts.profile", username=organizer.username, _external=True)
        if organizer else url_for("events.upcoming", _external=True),
        html=_html(event),
        categories=categories,
    )  # fmt: skip


def new_events(fmt: str) -> Feed:
    """The feed of the newest public events, as ``fmt`` (rss or atom)."""
    events = list(db.session.scalars(
        select(Event).where(public()).order_by(Event.created_at.desc(), Event.id.desc())
        .limit(SIZE)
    ))  # fmt: skip
    organizers = first_organizers([event.id for event in events])
    items = [item(event, organizers.get(event.id)) for event in events]
    updated = max((entry.updated for entry in items), default=utcnow().replace(microsecond=0))
    name = str(site.get("title") or "Space")
    return Feed(
        title=_("%(site)s: new events", site=name),
        description=_("Events newly announced on %(site)s.", site=name),
        url=url_for("events.upcoming", _external=True),
        self_url=url_for("events.feed", fmt=fmt, _external=True),
        updated=updated,
        items=items,
    )
