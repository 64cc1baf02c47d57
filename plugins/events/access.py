"""Who sees and does what with events.

An event is public unless its organizing group is private: then only the group's members
(and staff) see it — in pages, lists, the map, feeds, ICS, search and the API alike, through
``can(user, "events.read", event)`` for one event and ``visible(user)`` (a SQL condition)
for lists. Members from trust level 1 create events; organizers (the creator and the
co-organizers) and staff edit, cancel, manage participants and write the report.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import and_, false, or_, select

from space.accounts.groups import my_group_ids
from space.accounts.models import Group, GroupVisibility
from space.db import db
from space.permissions import STAFF_ROLES, Action, is_staff
from space.trust import TrustLevel

from .models import Event


def private_group_ids() -> frozenset[int]:
    """Ids of private groups (one query per request)."""
    if has_request_context() and "events_private_groups" in g:
        return g.events_private_groups
    found = frozenset(
        db.session.scalars(select(Group.id).where(Group.visibility == GroupVisibility.PRIVATE))
    )
    if has_request_context():
        g.events_private_groups = found
    return found


def hidden_group_ids(user) -> frozenset[int]:
    """The private groups whose events ``user`` may not see."""
    if is_staff(user):
        return frozenset()
    return private_group_ids() - my_group_ids(user)


def visible(user):
    """SQL condition: events ``user`` may see in lists (staff: all; others: not those of
    private groups they are not in, nor those the review queue hid)."""
    if is_staff(user):
        return ~false()
    hidden = hidden_group_ids(user)
    shown = Event.hidden_at.is_(None)
    if not hidden:
        return shown
    return and_(shown, or_(Event.group_id.is_(None), Event.group_id.not_in(sorted(hidden))))


def public():
    """SQL condition: events anonymous readers see (feeds, calendars, the sitemap)."""
    from space.accounts.models import Anonymous

    return visible(Anonymous())


def can_see(user, event: Event | None) -> bool:
    """One event: its group's rule; a hidden event only for its organizers (and staff)."""
    if event is None:
        return False
    if event.group_id is not None and event.group_id in hidden_group_ids(user):
        return False
    return event.hidden_at is None or is_staff(user) or is_organizer(user, event)


def is_public(event: Event) -> bool:
    """Seen by anonymous readers (feeds, the sitemap, public search)."""
    if event.hidden_at is not None:
        return False
    return event.group_id is None or event.group_id not in private_group_ids()


def is_organizer(user, event: Event | None) -> bool:
    if event is None or not getattr(user, "is_authenticated", False):
        return False
    if event.user_id == user.id:
        return True
    organizers = event.__dict__.get("organizers")
    return organizers is not None and any(o.user_id == user.id for o in organizers)


def _organizer(user, event) -> bool:
    return can_see(user, event) and is_organizer(user, event)


def actions() -> list[Action]:
    staff = STAFF_ROLES
    return [
        Action("events.read", anonymous=True, check=can_see, hide=True, roles=staff),
        Action("events.create", min_trust=TrustLevel.BASIC, roles=staff, writes=True),
        Action("events.edit", check=_organizer, roles=staff, writes=True, hide=True),
        Action("events.manage", check=_organizer, roles=staff, hide=True),
        Action("events.register", check=can_see, staff_bypass=False, roles=staff),
        Action("events.admin", min_trust=None),
    ]
