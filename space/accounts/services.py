"""Accounts: registration, confirmation, sign-in, password reset, profiles, roles and trust.

Services take plain arguments, never read the request and never commit.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from space import audit, notify, search
from space import site as site_settings
from space.accounts.models import Group, Invite, Membership, User
from space.db import db, utcnow
from space.markup import render
from space.plugins import hook
from space.trust import TrustLevel

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,38}[A-Za-z0-9_]$")
RESERVED_USERNAMES = frozenset(
    {"admin", "administrator", "moderator", "staff", "system", "space", "root", "api",
     "support", "help", "about", "login", "logout", "register", "settings", "search",
     "notifications", "all", "everyone", "here", "null", "undefined"}
)  # fmt: skip


class AccountError(ValueError):
    """A refusal with a message for the person (already translated) and the field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- lookups --------------------------------------------------------------------------------


def by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def by_login(identifier: str) -> User | None:
    identifier = identifier.strip()
    return by_email(identifier) if "@" in identifier else by_username(identifier)


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot be taken, or None."""
    if not USERNAME_RE.match(username):
        return _(
            "Use 3 to 40 letters, digits, dots, dashes or underscores, "
            "starting and ending with a letter, digit or underscore."
        )
    if username.lower() in RESERVED_USERNAMES:
        return _("This username is reserved.")
    if by_username(username) is not None:
        return _("This username is taken.")
    return None


# --- registration and confirmation ----------------------------------------------------------


def create_user(
    username: str,
    email: str,
    password: str,
    *,
    confirmed: bool = False,
    trust_level: TrustLevel = TrustLevel.NEW,
    roles: tuple[str, ...] = (),
    locale: str | None = None,
) -> User:
    """Create an account (no checks beyond the database's; see ``register``)."""
    user = User(
        username=username,
        email=email.strip(),
        trust_level=trust_level,
        locale=locale,
        confirmed_at=utcnow() if confirmed else None,
        languages=[],
    )
    for role in roles:
        setattr(user, f"is_{role}", True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    _count_trust_groups(None, trust_level)
    search.queue_index(search.user_document(user))
    hook().user_registered(user=user)
    return user


def register(
    username: str,
    email: str,
    password: str,
    *,
    invite_code: str | None = None,
    locale: str | None = None,
) -> User:
    """Open an account and send the confirmation email.

    Raises ``AccountError`` when registration is invite-only and the invite is missing or
    spent, or when the username or email is taken.
    """
    invite = None
    if site_settings.get("registration") == "invite":
        invite = _usable_invite(invite_code, email)
    problem = username_problem(username)
    if problem:
        raise AccountError(problem, "username")
    if by_email(email) is not None:
        raise AccountError(_("An account with this email address exists already."), "email")
    user = create_user(username, email, password, locale=locale)
    if invite is not None:
        invite.used_by_id = user.id
        invite.used_at = utcnow()
    send_confirmation(user)
    return user


def _usable_invite(code: str | None, email: str) -> Invite:
    invite = db.session.scalar(select(Invite).where(Invite.code == (code or "")))
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        raise AccountError(_("Registration is by invitation. This invitation is not valid."))
    if invite.email and invite.email.lower() != email.strip().lower():
        raise AccountError(_("This invitation is for another email address."), "email")
    return invite


def create_invite(*, by: User, email: str = "", days: int = 14) -> Invite:
    invite = Invite(
        code=secrets.token_urlsafe(16),
        email=email.strip(),
        created_by_id=by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invite)
    audit.record("invite.create", actor=by, target_type="invite", target_label=email or "-")
    return invite


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def confirmation_token(user: User) -> str:
    return _serializer("space.confirm").dumps({"u": user.id, "e": user.email.lower()})


def send_confirmation(user: User) -> None:
    link = url_for("accounts.confirm", token=confirmation_token(user), _external=True)
    with force_locale(user.locale or current_app.config["SPACE_DEFAULT_LOCALE"]):
        site = site_settings.get("title")
        notify.queue_mail(
            user.email,
            _("Confirm your account on %(site)s", site=site),
            _(
                "Welcome to %(site)s, %(name)s!\n\nConfirm your email address to finish "
                "creating your account:\n\n%(link)s\n\n"
                "If you did not register, ignore this message.",
                site=site,
                name=user.username,
                link=link,
            ),
        )


def _read_link(salt: str, token: str, hours_setting: str, expired: str, invalid: str):
    """(user, data) of a signed link; ``AccountError`` with ``expired``/``invalid`` else."""
    max_age = current_app.config[hours_setting] * 3600
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError(expired) from None
    except BadSignature:
        raise AccountError(invalid) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None:
        raise AccountError(invalid)
    return user, data


def confirm(token: str) -> User:
    """Confirm the email address in ``token``; raises ``AccountError`` when it is invalid."""
    invalid = _("This confirmation link is not valid.")
    user, data = _read_link(
        "space.confirm", token, "SPACE_CONFIRM_MAX_AGE_HOURS",
        _("This confirmation link has expired."), invalid,
    )  # fmt: skip
    if user.email.lower() != data.get("e"):
        raise AccountError(invalid)
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    return user


# --- sign-in and passwords ------------------------------------------------------------------


def authenticate(identifier: str, password: str) -> User | None:
    """The user whose username or email and password match, else None."""
    user = by_login(identifier)
    if user is None:
        # Spend the same time as a real check so timing does not reveal who exists.
        User(password_hash="").set_password(password)
        return None
    return user if user.check_password(password) else None


def reset_token(user: User) -> str:
    return _serializer("space.reset").dumps({"u": user.id, "v": user.session_version})


def send_password_reset(identifier: str) -> None:
    """Email a reset link if an account matches; say nothing either way."""
    user = by_login(identifier)
    if user is None:
        return
    link = url_for("accounts.reset_password", token=reset_token(user), _external=True)
    with force_locale(user.locale or current_app.config["SPACE_DEFAULT_LOCALE"]):
        site = site_settings.get("title")
        notify.queue_mail(
            user.email,
            _("Reset your password on %(site)s", site=site),
            _(
                "Hello %(name)s,\n\nSomeone asked to reset your password. "
                "Choose a new one here (the link works for %(hours)s hours, once):\n\n"
                "%(link)s\n\nIf it was not you, ignore this message.",
                name=user.username,
                hours=current_app.config["SPACE_RESET_MAX_AGE_HOURS"],
                link=link,
            ),
        )


def user_for_reset(token: str) -> User:
    """The user a reset link is for; ``AccountError`` when expired, used or forged."""
    user, data = _read_link(
        "space.reset", token, "SPACE_RESET_MAX_AGE_HOURS",
        _("This reset link has expired. Ask for a new one."), _("This reset link is not valid."),
    )  # fmt: skip
    if user.session_version != data.get("v"):
        raise AccountError(_("This reset link has been used or is no longer valid."))
    return user


def set_password(user: User, password: str) -> None:
    """Change the password; signs out every other session and voids reset links."""
    user.set_password(password)
    user.session_version += 1
    # Whoever can reset the password controls the mailbox: the address is confirmed.
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()


# --- profile --------------------------------------------------------------------------------


def update_profile(user: User, **fields) -> None:
    """Update profile fields; the bio is cooked here, once."""
    allowed = {
        "display_name", "bio", "website", "languages", "affiliation", "locale", "timezone",
        "email_notifications",
    }  # fmt: skip
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unknown profile field {name!r}")
        setattr(user, name, value)
    if "bio" in fields:
        user.bio_html = str(render(user.bio, trusted=user.trust_level >= TrustLevel.REGULAR))
    search.queue_index(search.user_document(user))


# --- roles and trust ------------------------------------------------------------------------


def set_roles(user: User, roles: set[str], *, by: User, reason: str = "") -> bool:
    """Give ``user`` exactly ``roles`` (admin, moderator, editor); True when changed."""
    before = set(user.roles)
    if before == roles:
        return False
    for role in ("admin", "moderator", "editor"):
        setattr(user, f"is_{role}", role in roles)
    audit.record(
        "user.roles",
        actor=by,
        target=user,
        reason=reason,
        before=sorted(before),
        after=sorted(roles),
    )
    return True


def set_trust_level(
    user: User, level: TrustLevel, *, by: User | None, lock: bool | None = None, reason: str = ""
) -> bool:
    """Move ``user`` to ``level`` (staff, or the automatic rules when ``by`` is None).

    Automatic changes leave locked users alone. A rise notifies the person and calls the
    ``user_promoted`` hook. Returns True when anything changed.
    """
    if by is None and user.trust_locked:
        return False
    old = user.trust_level
    changed = old != level or (lock is not None and lock != user.trust_locked)
    if not changed:
        return False
    if lock is not None:
        user.trust_locked = lock
    if old != level:
        user.trust_level = TrustLevel(level)
        _count_trust_groups(old, user.trust_level)
        if level > old:
            notify.notify(user.id, "promoted", level=int(level), username=user.username)
            hook().user_promoted(user=user, old_level=old, new_level=user.trust_level)
    audit.record(
        "user.trust_level",
        actor=by,
        target=user,
        reason=reason,
        before=int(old),
        after=int(user.trust_level),
        locked=user.trust_locked,
    )
    return True


def _count_trust_groups(old: TrustLevel | None, new: TrustLevel) -> None:
    """Keep automatic groups' member counts: trust_level_N holds everyone at N or above."""
    low = -1 if old is None else int(old)
    if int(new) > low:
        levels, step = range(low + 1, int(new) + 1), 1
    else:
        levels, step = range(int(new) + 1, low + 1), -1
    if levels:
        db.session.execute(
            update(Group)
            .where(Group.automatic_trust_level.in_(list(levels)))
            .values(member_count=Group.member_count + step)
        )


def group_ids(user) -> frozenset[int]:
    """Ids of the groups ``user`` belongs to, automatic ones included (one query)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    rows = db.session.execute(
        select(Membership.group_id)
        .where(Membership.user_id == user.id)
        .union(select(Group.id).where(Group.automatic_trust_level <= int(user.trust_level)))
    )
    return frozenset(rows.scalars())
