"""Events tests run an app with Discuss and Events; ``make`` builds people and events.

Events are built through the real service (``services.events.create``) and committed; every
builder returns the event re-loaded from the database with its organizers loaded.

    make.organizer()                     -> a member at trust level 1 (may create events)
    make.member(display_name="")         -> another member at trust level 1
    make.admin()                         -> an admin (staff)
    make.event(user=None, **overrides)   -> an Event (overrides: EventInput's fields, and
                                            ``days``: days from now, ``hours``: (18, 20))
    make.private_group_event(user=None)  -> an event of a private group whose one member is
                                            its organizer (``event.group_id``)
    make.private_group(owner)            -> a private group owned by ``owner`` (its member)
"""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from space.accounts.models import GroupVisibility
from space.db import db
from space.trust import TrustLevel
from tests import factories

_n = itertools.count(1)

ZONE = "Europe/Stockholm"


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["discuss", "events"]}


@pytest.fixture(autouse=True)
def _fast(app):
    """No seconds between posts (an event's discussion topic is a post)."""
    from plugins.discuss import settings

    for name in ("topic_interval", "post_interval", "newuser_topic_interval",
                 "newuser_post_interval"):  # fmt: skip
        settings.put(name, 0)
    db.session.commit()


def stockholm_id() -> int:
    from plugins.events import gazetteer

    return gazetteer.lookup("Stockholm")[0].id


def local_now(zone: str = ZONE) -> datetime:
    """Now as a naive wall-clock time in ``zone``."""
    from plugins.events.services.times import to_local
    from space.db import utcnow

    return to_local(utcnow(), zone)


def reload(event):
    """The event fresh from the database, with its organizers loaded."""
    from plugins.events.models import Event

    event_id = event if isinstance(event, int) else event.id
    db.session.expire_all()
    return db.session.scalar(
        select(Event)
        .options(selectinload(Event.organizers))
        .where(Event.id == event_id)
        .execution_options(populate_existing=True)
    )


class Maker:
    """Builds people and events through the real services, then commits."""

    # --- people -----------------------------------------------------------------------------

    def organizer(self, **kw):
        """A member at trust level 1: may create events."""
        kw.setdefault("trust_level", TrustLevel.BASIC)
        return factories.user(**kw)

    def member(self, *, display_name: str = "", **kw):
        kw.setdefault("trust_level", TrustLevel.BASIC)
        person = factories.user(**kw)
        if display_name:
            person.display_name = display_name
            db.session.commit()
        return person

    def admin(self, **kw):
        return factories.admin(kw.pop("username", f"admin{next(_n)}"), **kw)

    def moderator(self, **kw):
        return factories.moderator(kw.pop("username", f"moderator{next(_n)}"), **kw)

    def private_group(self, owner=None, *, members=()):
        owner = owner or self.organizer()
        return factories.group(f"private-{next(_n)}", visibility=GroupVisibility.PRIVATE,
                               owner=owner, members=members)  # fmt: skip

    # --- events -----------------------------------------------------------------------------

    def event_input(self, *, days: int = 7, hours: tuple[int, int] = (18, 20), **overrides):
        """An ``EventInput``: in person in Stockholm, ``days`` from today, 18:00–20:00 local
        (``start``/``end`` in ``overrides`` win)."""
        from plugins.events.services.events import EventInput

        day = local_now(overrides.get("timezone", ZONE)).date() + timedelta(days=days)
        values = {
            "title": f"Meetup number {next(_n)}",
            "timezone": ZONE,
            "start": datetime.combine(day, time(hours[0])),
            "end": datetime.combine(day, time(hours[1])),
            "description": "We meet, we **edit**, we talk.",
            "place_id": stockholm_id(),
            "venue": "The library",
            "address": "Main street 1",
            "languages": ["en"],
        }
        values.update(overrides)
        return EventInput(**values)

    def event(self, user=None, *, days: int = 7, hours: tuple[int, int] = (18, 20), **overrides):
        """An event created by ``user`` (a new organizer when None), committed, re-loaded."""
        from plugins.events.services import events

        user = user or self.organizer()
        created = events.create(user, self.event_input(days=days, hours=hours, **overrides))
        db.session.commit()
        return reload(created)

    def private_group_event(self, user=None, **overrides):
        """An event of a private group whose one member is the organizer ``user``."""
        user = user or self.organizer()
        group = self.private_group(user)
        return self.event(user, group_id=group.id, **overrides)

    def past_event(self, user=None, *, days_ago: int = 2, **overrides):
        """An event that took place ``days_ago`` days ago (``create`` accepts past dates)."""
        return self.event(user, days=-days_ago, **overrides)


@pytest.fixture
def make(app):
    return Maker()
