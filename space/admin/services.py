"""What the admin area does beyond the account, group and site services it calls.

Every function here takes plain arguments, never reads the request and never commits; every
change is audited in the caller's transaction. Refusals raise ``AccountError`` with a
translated message and, where it applies, the form field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager

from space import audit, site
from space.accounts import services
from space.accounts.models import (
    Group,
    Invite,
    JoinRequest,
    RequestStatus,
    User,
)
from space.accounts.services import AccountError
from space.audit import AuditEntry
from space.db import db, utcnow
from space.markup import render
from space.notify import MailMessage
from space.trust import TrustLevel

ROLES = ("admin", "moderator", "editor")
USER_SORTS = {
    "newest": (User.created_at.desc(), User.id.desc()),
    "oldest": (User.created_at.asc(), User.id.asc()),
    "last_seen": (User.last_seen_at.desc().nulls_last(), User.id.desc()),
    "username": (func.lower(User.username),),
}


# --- dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    users: int
    confirmed: int
    new_this_week: int
    admins: int
    moderators: int
    editors: int
    per_level: dict[TrustLevel, int]
    groups: int
    custom_groups: int
    pending_requests: int
    outbox_unsent: int
    outbox_failing: int


def dashboard_counts() -> Counts:
    """The dashboard's numbers in five aggregate queries, whatever the data size."""
    week_ago = utcnow() - timedelta(days=7)
    users = db.session.execute(
        select(
            func.count(User.id),
            func.count(User.confirmed_at),
            func.count(User.id).filter(User.created_at >= week_ago),
            func.count(User.id).filter(User.is_admin.is_(True)),
            func.count(User.id).filter(User.is_moderator.is_(True)),
            func.count(User.id).filter(User.is_editor.is_(True)),
        )
    ).one()
    per_level = {level: 0 for level in TrustLevel}
    for level, count in db.session.execute(
        select(User.trust_level, func.count(User.id)).group_by(User.trust_level)
    ):
        per_level[TrustLevel(level)] = count
    group_counts = db.session.execute(
        select(
            func.count(Group.id), func.count(Group.id).filter(Group.automatic_trust_level.is_(None))
        )
    ).one()
    pending = db.session.scalar(
        select(func.count(JoinRequest.id)).where(JoinRequest.status == RequestStatus.PENDING)
    )
    outbox = db.session.execute(
        select(
            func.count(MailMessage.id),
            func.count(MailMessage.id).filter(MailMessage.attempts > 0),
        ).where(MailMessage.sent_at.is_(None))
    ).one()
    return Counts(
        users=users[0],
        confirmed=users[1],
        new_this_week=users[2],
        admins=users[3],
        moderators=users[4],
        editors=users[5],
        per_level=per_level,
        groups=group_counts[0],
        custom_groups=group_counts[1],
        pending_requests=pending or 0,
        outbox_unsent=outbox[0],
        outbox_failing=outbox[1],
    )


# --- users ----------------------------------------------------------------------------------


def users_query(*, q: str = "", role: str = "", trust: int | None = None, sort: str = "newest"):
    """People matching a search on username or email, a role and a trust level.

    ``sort`` is one of ``USER_SORTS`` (a ``KeyError`` otherwise: callers validate first).
    """
    query = select(User).order_by(*USER_SORTS[sort])
    if q:
        needle = q.lower()
        query = query.where(
            func.lower(User.username).contains(needle, autoescape=True)
            | func.lower(User.email).contains(needle, autoescape=True)
        )
    if role:
        if role not in ROLES:
            raise ValueError(role)
        query = query.where(getattr(User, f"is_{role}").is_(True))
    if trust is not None:
        query = query.where(User.trust_level == int(trust))
    return query


def update_access(
    user: User,
    *,
    roles: set[str],
    level: TrustLevel,
    locked: bool,
    by: User,
    reason: str = "",
) -> bool:
    """Give ``user`` exactly ``roles`` and trust ``level`` (``locked`` or not).

    An admin cannot take away their own admin role: the site would risk having none.
    Returns True when anything changed; the account services audit each change.
    """
    unknown = roles - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    if user.id == by.id and user.is_admin and "admin" not in roles:
        raise AccountError(
            _("You cannot remove your own admin role. Ask another admin to do it."), "admin"
        )
    changed = services.set_roles(user, roles, by=by, reason=reason)
    changed |= services.set_trust_level(user, TrustLevel(level), by=by, lock=locked, reason=reason)
    return changed


def confirm_email(user: User, *, by: User) -> bool:
    """Mark the email address as confirmed by staff; False when it was already."""
    if user.confirmed_at is not None:
        return False
    user.confirmed_at = utcnow()
    audit.record("user.confirm", actor=by, target=user)
    return True


def send_password_reset(user: User, *, by: User) -> None:
    """Email ``user`` a password reset link, on behalf of staff."""
    services.send_password_reset(user.username)
    audit.record("user.password_reset", actor=by, target=user)


def audit_for_target(target_type: str, target_id: int, *, limit: int = 20) -> list[AuditEntry]:
    """The latest entries about one target, actors loaded in the same query."""
    query = with_actors(audit.entries_query(target_type=target_type)).where(
        AuditEntry.target_id == target_id
    )
    return list(db.session.scalars(query.limit(limit)))


def with_actors(query):
    """``query`` over ``AuditEntry`` with each entry's actor joined in (no query per row)."""
    return query.outerjoin(AuditEntry.actor).options(contains_eager(AuditEntry.actor))


def audit_target_types() -> list[str]:
    """The distinct target types in the log, for the filter."""
    return list(
        db.session.scalars(
            select(AuditEntry.target_type)
            .where(AuditEntry.target_type != "")
            .distinct()
            .order_by(AuditEntry.target_type)
        )
    )


# --- site settings --------------------------------------------------------------------------


def update_site(*, by: User, **values) -> list[str]:
    """Change the given site settings; returns the keys that changed (audited together)."""
    current = site.all_settings()
    changed = sorted(key for key, value in values.items() if current[key] != value)
    for key in changed:
        site.put(key, values[key])
    if changed:
        audit.record(
            "site.update",
            actor=by,
            target_type="site",
            target_label=", ".join(changed),
            keys=changed,
        )
    return changed


def set_code_of_conduct(locale: str, text: str, *, by: User) -> bool:
    """Write the code of conduct in ``locale``, cooked once here; empty text removes it.

    Returns False when the text is unchanged.
    """
    texts = dict(site.get("code_of_conduct") or {})
    text = (text or "").strip()
    if texts.get(locale, {}).get("text", "") == text:
        return False
    if text:
        texts[locale] = {"text": text, "html": str(render(text, trusted=True))}
    else:
        texts.pop(locale, None)
    site.put("code_of_conduct", texts)
    audit.record(
        "site.code_of_conduct",
        actor=by,
        target_type="site",
        target_label=locale,
        locale=locale,
        removed=not text or None,
    )
    return True


# --- invites --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteRow:
    invite: Invite
    created_by: str | None
    used_by: str | None

    @property
    def status(self) -> str:
        """One of "used", "expired" or "unused"."""
        if self.invite.used_at is not None:
            return "used"
        if self.invite.expires_at < utcnow():
            return "expired"
        return "unused"


def recent_invites(limit: int = 100) -> list[InviteRow]:
    """The latest invitations with who made and who used each (one query)."""
    creator, used_by = aliased(User), aliased(User)
    rows = db.session.execute(
        select(Invite, creator.username, used_by.username)
        .outerjoin(creator, creator.id == Invite.created_by_id)
        .outerjoin(used_by, used_by.id == Invite.used_by_id)
        .order_by(Invite.created_at.desc(), Invite.id.desc())
        .limit(limit)
    )
    return [InviteRow(invite, made, used) for invite, made, used in rows]


def revoke_invite(invite: Invite, *, by: User) -> None:
    """Delete an unused invitation; one that was used stays, as a record."""
    if invite.used_at is not None:
        raise AccountError(_("This invitation has been used; it cannot be revoked."))
    audit.record("invite.revoke", actor=by, target_type="invite", target_label=invite.email or "-")
    db.session.delete(invite)
