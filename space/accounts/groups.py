"""Groups: creating them, joining and leaving, requests to join closed groups.

Services never commit. ``member_count`` is kept here, at write time.
"""

from __future__ import annotations

import re

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from space import audit, notify, search
from space.accounts.models import (
    Group,
    GroupVisibility,
    JoinRequest,
    Membership,
    RequestStatus,
    User,
)
from space.accounts.services import AccountError, group_ids
from space.db import db, utcnow
from space.markup import render
from space.trust import TrustLevel

GROUP_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,38}[a-z0-9]$")


def my_group_ids(user) -> frozenset[int]:
    """``group_ids(user)``, cached for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if not has_request_context():
        return group_ids(user)
    cache = g.setdefault("space_group_ids", {})
    if user.id not in cache:
        cache[user.id] = group_ids(user)
    return cache[user.id]


def _forget_cache() -> None:
    if has_request_context():
        g.pop("space_group_ids", None)


def is_member(user, group: Group) -> bool:
    return group.id in my_group_ids(user)


def is_owner(user, group: Group) -> bool:
    if not getattr(user, "is_authenticated", False) or group.is_automatic:
        return False
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id,
                Membership.group_id == group.id,
                Membership.is_owner.is_(True),
            )
        )
        is not None
    )


def pending_request(user, group: Group) -> JoinRequest | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.user_id == user.id,
            JoinRequest.group_id == group.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )


def by_name(name: str) -> Group | None:
    return db.session.scalar(select(Group).where(Group.name == name.lower()))


def readable(user, name: str) -> Group | None:
    """The group named ``name`` if ``user`` may see it, else None: a private group and a
    missing one look the same, so nobody learns that a private group exists."""
    from space.permissions import can

    group = by_name(name) if GROUP_NAME_RE.fullmatch(name.lower()) else None
    return group if group is not None and can(user, "group.read", group) else None


def ensure_automatic_groups() -> None:
    """Create the trust_level_0…4 groups when missing (idempotent)."""
    existing = set(
        db.session.scalars(
            select(Group.automatic_trust_level).where(Group.automatic_trust_level.is_not(None))
        )
    )
    for level in TrustLevel:
        if level in existing:
            continue
        count = db.session.scalar(
            select(db.func.count(User.id)).where(User.trust_level >= int(level))
        )
        db.session.add(
            Group(
                name=f"trust_level_{int(level)}",
                title=f"trust_level_{int(level)}",
                visibility=GroupVisibility.PUBLIC,
                automatic_trust_level=level,
                member_count=count,
            )
        )


def create_group(
    *,
    name: str,
    title: str,
    description: str = "",
    visibility: GroupVisibility = GroupVisibility.PUBLIC,
    by: User,
    owner: User | None = None,
) -> Group:
    name = name.strip().lower()
    if not GROUP_NAME_RE.match(name):
        raise AccountError(
            _("Use 3 to 40 lowercase letters, digits, dashes or underscores."), "name"
        )
    if by_name(name) is not None:
        raise AccountError(_("A group with this name exists already."), "name")
    group = Group(name=name, title=title.strip(), visibility=GroupVisibility(visibility))
    set_description(group, description)
    db.session.add(group)
    db.session.flush()
    if owner is not None:
        add_member(group, owner, owner=True)
    search.queue_index(search.group_document(group))
    audit.record("group.create", actor=by, target=group, visibility=str(group.visibility))
    return group


def update_group(group: Group, *, by: User, title: str, description: str, visibility) -> None:
    before = str(group.visibility)
    group.title = title.strip()
    group.visibility = GroupVisibility(visibility)
    set_description(group, description)
    search.queue_index(search.group_document(group))
    audit.record(
        "group.update", actor=by, target=group, visibility=str(group.visibility), before=before
    )


def set_description(group: Group, text: str) -> None:
    group.description = text or ""
    group.description_html = str(render(group.description, trusted=True))


def members_query(group: Group):
    """Memberships of ``group`` with their users loaded, owners first (one query)."""
    return (
        select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .where(Membership.group_id == group.id)
        .order_by(Membership.is_owner.desc(), func.lower(User.username))
    )


def _refuse_automatic(group: Group) -> None:
    if group.is_automatic:
        raise AccountError(_("Membership of automatic groups follows trust levels."))


def add_member(group: Group, user: User, *, owner: bool = False, by: User | None = None) -> bool:
    """Make ``user`` a member (or owner); False when nothing changed. ``by``: the owner or
    admin doing it, for the audit log (None when people join themselves).

    Safe against a double submit: a second insert of the same membership changes nothing.
    """
    _refuse_automatic(group)
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if membership is not None:
        if not owner or membership.is_owner:
            return False
        membership.is_owner = True
    else:
        try:
            with db.session.begin_nested():
                db.session.add(Membership(group_id=group.id, user_id=user.id, is_owner=owner))
        except IntegrityError:  # someone else added it a moment ago
            return False
        db.session.execute(
            update(Group).where(Group.id == group.id).values(member_count=Group.member_count + 1)
        )
        _forget_cache()
    if by is not None:
        audit.record("group.member.add", actor=by, target=group, user=user.username, owner=owner)
    return True


def _owner_ids(group: Group) -> list[int]:
    return db.session.scalars(
        select(Membership.user_id).where(
            Membership.group_id == group.id, Membership.is_owner.is_(True)
        )
    ).all()


def is_last_owner(user, group: Group) -> bool:
    return _owner_ids(group) == [getattr(user, "id", None)]


def remove_member(group: Group, user: User, *, by: User | None = None) -> bool:
    """Take ``user`` out of ``group``; False when they were not in it. The last owner
    cannot go: a group always keeps someone to run it."""
    _refuse_automatic(group)
    if is_last_owner(user, group):
        raise AccountError(
            _("The last owner cannot leave. Make someone else an owner first."), "username"
        )
    removed = db.session.execute(
        delete(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    ).rowcount
    if not removed:  # not a member, or removed by someone else a moment ago
        return False
    db.session.execute(
        update(Group).where(Group.id == group.id).values(member_count=Group.member_count - 1)
    )
    _forget_cache()
    if by is not None:
        audit.record("group.member.remove", actor=by, target=group, user=user.username)
    return True


def set_owner(group: Group, user: User, *, owner: bool, by: User) -> bool:
    """Make a member an owner of ``group``, or a plain member again (audited)."""
    _refuse_automatic(group)
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if membership is None:
        raise AccountError(_("%(user)s is not a member of this group.", user=user.username))
    if membership.is_owner == owner:
        return False
    if not owner and is_last_owner(user, group):
        raise AccountError(_("The last owner cannot leave. Make someone else an owner first."))
    membership.is_owner = owner
    audit.record("group.owner", actor=by, target=group, user=user.username, owner=owner)
    return True


def join(group: Group, user: User) -> bool:
    """Join a public group."""
    if group.visibility != GroupVisibility.PUBLIC:
        raise AccountError(_("This group cannot be joined directly."))
    return add_member(group, user)


def request_to_join(group: Group, user: User, message: str = "") -> JoinRequest:
    """Ask to join a closed group; owners (or, without owners, admins) are notified."""
    if group.visibility != GroupVisibility.CLOSED:
        raise AccountError(_("This group does not take requests."))
    if is_member(user, group):
        raise AccountError(_("You are a member of this group already."))
    existing = pending_request(user, group)
    if existing is not None:
        return existing
    request = JoinRequest(group_id=group.id, user_id=user.id, message=message.strip()[:500])
    db.session.add(request)
    owners = (
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.group_id == group.id, Membership.is_owner.is_(True)
            )
        ).all()
        or db.session.scalars(select(User.id).where(User.is_admin.is_(True))).all()
    )
    for owner_id in owners:
        notify.notify(
            owner_id, "group_join_requested", user=user.username, group=group.name,
            title=group.title,
        )  # fmt: skip
    return request


def decide(request: JoinRequest, *, approve: bool, by: User, reason: str = "") -> bool:
    """Approve or refuse a pending request; False when someone decided it already."""
    decided = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == request.id, JoinRequest.status == RequestStatus.PENDING)
        .values(
            status=RequestStatus.APPROVED if approve else RequestStatus.REFUSED,
            decided_at=utcnow(),
            decided_by_id=by.id,
        )
    ).rowcount
    if not decided:
        return False
    group = db.session.get(Group, request.group_id)
    asker = db.session.get(User, request.user_id)
    if approve:
        add_member(group, asker)
    notify.notify(
        asker.id,
        "group_join_approved" if approve else "group_join_refused",
        group=group.name,
        title=group.title,
    )
    audit.record(
        "group.request.approve" if approve else "group.request.refuse",
        actor=by,
        target=group,
        reason=reason,
        user=asker.username,
    )
    db.session.expire(request)
    return True


def visible_groups_query(user):
    """Groups ``user`` may see: everything not private, plus their private ones (staff: all)."""
    query = select(Group).order_by(Group.automatic_trust_level.is_not(None), Group.title)
    if getattr(user, "is_staff", False):
        return query
    mine = list(my_group_ids(user))
    return query.where((Group.visibility != GroupVisibility.PRIVATE) | Group.id.in_(mine or [-1]))
