"""Plain factory functions for tests. They add to the session and flush; tests commit."""

from __future__ import annotations

import itertools

from space.accounts import groups, services
from space.accounts.models import GroupVisibility
from space.db import db
from space.trust import TrustLevel

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def user(
    username: str | None = None,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    trust_level: TrustLevel = TrustLevel.BASIC,
    confirmed: bool = True,
    roles: tuple[str, ...] = (),
    locale: str | None = None,
    commit: bool = True,
):
    n = next(_counter)
    username = username or f"user{n}"
    account = services.create_user(
        username,
        email or f"{username}@example.org",
        password,
        confirmed=confirmed,
        trust_level=trust_level,
        roles=roles,
        locale=locale,
    )
    if commit:
        db.session.commit()
    return account


def admin(username: str = "admin", **kwargs):
    return user(username, roles=("admin",), trust_level=TrustLevel.LEADER, **kwargs)


def moderator(username: str = "moderator", **kwargs):
    return user(username, roles=("moderator",), trust_level=TrustLevel.REGULAR, **kwargs)


def group(
    name: str | None = None,
    *,
    visibility: GroupVisibility | str = GroupVisibility.PUBLIC,
    owner=None,
    members=(),
    by=None,
):
    n = next(_counter)
    name = name or f"group{n}"
    creator = by or owner
    if creator is None:
        creator = user(f"creator{n}", roles=("admin",))
    created = groups.create_group(
        name=name,
        title=name.replace("-", " ").title(),
        description=f"The {name} group.",
        visibility=GroupVisibility(visibility),
        by=creator,
        owner=owner,
    )
    for member in members:
        groups.add_member(created, member)
    db.session.commit()
    return created
