"""Penalties: warnings, silences (reads, cannot write) and suspensions (cannot log in).

Each penalty is a ``Penalty`` row (the record moderators read) and, for silences and
suspensions, a date on the person: ``User.silenced_until`` / ``User.suspended_until``, read
without a query wherever it matters (``permissions.can`` refuses every action marked
``writes`` to a silenced person; sign-in and API tokens refuse a suspended one). A
penalty "until lifted" ends on ``FOREVER``; an expired one simply stops counting.

Lengths escalate: without ``days``, a person's next silence (or suspension) lasts the
setting ``moderation.penalty_days`` entry for how many they had before (1, 3, 7, 30 days).
``days=0`` means until lifted.

Rules: nobody penalizes an admin or themselves; only admins silence or suspend staff;
``by=None`` is the system (the automatic rules). Functions never commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_datetime
from flask import current_app, url_for
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from space import audit, notify
from space import site as site_settings
from space.accounts.models import User
from space.db import db, utcnow
from space.moderation import scoring, settings
from space.moderation.models import Penalty, PenaltyKind

# "Until lifted": far enough to never come, near enough to convert to any time zone.
FOREVER = datetime(9000, 1, 1, tzinfo=UTC)
MAX_DAYS = 3650
REASON_MAX = 1000
MESSAGE_MAX = 5000

_COLUMN = {PenaltyKind.SILENCE: "silenced_until", PenaltyKind.SUSPEND: "suspended_until"}


class PenaltyError(ValueError):
    """A refused penalty: ``message`` is translated, ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- state -----------------------------------------------------------------------------------


def _in_force(until: datetime | None) -> bool:
    return until is not None and until > utcnow()


def is_silenced(user) -> bool:
    """Is ``user`` silenced now? (No query: the date is on the person.)"""
    return _in_force(getattr(user, "silenced_until", None))


def is_suspended(user) -> bool:
    return _in_force(getattr(user, "suspended_until", None))


def is_forever(until: datetime | None) -> bool:
    return until is not None and until >= FOREVER


def _active_query(user_id: int, kind: PenaltyKind | None = None):
    query = select(Penalty).where(
        Penalty.user_id == user_id,
        Penalty.kind != PenaltyKind.WARNING,
        Penalty.lifted_at.is_(None),
        or_(Penalty.ends_at.is_(None), Penalty.ends_at > utcnow()),
    )
    if kind is not None:
        query = query.where(Penalty.kind == kind)
    return query.order_by(Penalty.starts_at.desc(), Penalty.id.desc())


def active(user) -> list[Penalty]:
    """The silences and suspensions in force, newest first."""
    return list(db.session.scalars(_active_query(user.id)))


def history(user, limit: int = 100) -> list[Penalty]:
    """Every penalty of ``user`` (warnings too), newest first, with who gave it."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(Penalty)
            .options(joinedload(Penalty.by))
            .where(Penalty.user_id == user.id)
            .order_by(Penalty.starts_at.desc(), Penalty.id.desc())
            .limit(limit)
        )
    )


def is_active(penalty: Penalty) -> bool:
    return (
        penalty.kind != PenaltyKind.WARNING
        and penalty.lifted_at is None
        and (penalty.ends_at is None or penalty.ends_at > utcnow())
    )


def next_days(user, kind: PenaltyKind | str) -> int:
    """The default length of ``user``'s next penalty of ``kind``: 1, 3, 7, 30 days…"""
    kind = PenaltyKind(kind)
    earlier = db.session.scalar(
        select(func.count(Penalty.id)).where(Penalty.user_id == user.id, Penalty.kind == kind)
    )
    return scoring.penalty_days(int(earlier or 0), list(settings.value("penalty_days") or []))


def _current(user, kind: PenaltyKind) -> Penalty | None:
    return db.session.scalar(_active_query(user.id, kind).limit(1))


def _until_text(until: datetime) -> str:
    return _("until further notice") if is_forever(until) else format_datetime(until)


def silence_notice(user) -> str | None:
    """What a silenced person reads in the composer (None when not silenced)."""
    if not is_silenced(user):
        return None
    penalty = _current(user, PenaltyKind.SILENCE)
    reason = penalty.reason if penalty is not None else ""
    if is_forever(user.silenced_until):
        if reason:
            return _("You are silenced until further notice: %(reason)s", reason=reason)
        return _("You are silenced until further notice.")
    date = format_datetime(user.silenced_until)
    if reason:
        return _("You are silenced until %(date)s: %(reason)s", date=date, reason=reason)
    return _("You are silenced until %(date)s.", date=date)


def suspension_notice(user) -> str | None:
    """Why and until when ``user`` may not sign in (None when not suspended)."""
    if not is_suspended(user):
        return None
    penalty = _current(user, PenaltyKind.SUSPEND)
    reason = penalty.reason if penalty is not None else ""
    if penalty is not None and penalty.message:
        reason = f"{reason} — {penalty.message}" if reason else penalty.message
    if is_forever(user.suspended_until):
        if reason:
            return _("Your account is suspended until further notice: %(reason)s", reason=reason)
        return _("Your account is suspended until further notice.")
    date = format_datetime(user.suspended_until)
    if reason:
        return _("Your account is suspended until %(date)s: %(reason)s", date=date, reason=reason)
    return _("Your account is suspended until %(date)s.", date=date)


# --- giving and lifting ----------------------------------------------------------------------


def may_penalize(by, user, kind: PenaltyKind | str = PenaltyKind.SILENCE) -> bool:
    try:
        _check(by, user, PenaltyKind(kind))
    except PenaltyError:
        return False
    return True


def _check(by, user, kind: PenaltyKind) -> None:
    from space.permissions import can

    if by is not None:
        if not can(by, "moderation.penalize"):
            raise PenaltyError(_("Only moderators and admins give penalties."))
        if by.id == user.id:
            raise PenaltyError(_("You cannot penalize yourself."))
    if user.is_admin:
        raise PenaltyError(_("Admins cannot be penalized."))
    if (
        kind != PenaltyKind.WARNING
        and user.is_staff
        and (by is None or not getattr(by, "is_admin", False))
    ):
        raise PenaltyError(_("Only admins may silence or suspend a member of staff."))


def _clean(reason: str, message: str, days: int | None, kind: PenaltyKind):
    reason = (reason or "").strip()
    message = (message or "").strip()
    if not reason:
        raise PenaltyError(_("Give a reason."), "reason")
    if len(reason) > REASON_MAX:
        raise PenaltyError(_("Use at most %(max)d characters.", max=REASON_MAX), "reason")
    if len(message) > MESSAGE_MAX:
        raise PenaltyError(_("Use at most %(max)d characters.", max=MESSAGE_MAX), "message")
    if kind != PenaltyKind.WARNING and days is not None:
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
            raise PenaltyError(
                _("Enter a number of days from %(min)s to %(max)s.", min=0, max=MAX_DAYS), "days"
            )
    return reason, message


def _give(user, kind: PenaltyKind, *, by, reason, message, days, review_item) -> Penalty:
    _check(by, user, kind)
    reason, message = _clean(reason, message, days, kind)
    now = utcnow()
    until = None
    if kind == PenaltyKind.WARNING:
        days, ends = None, now
    else:
        if days is None:
            days = next_days(user, kind)
        ends = None if days == 0 else now + timedelta(days=days)
        until = FOREVER if ends is None else ends
        column = _COLUMN[kind]
        current = getattr(user, column)
        # Two penalties of one kind at once: the later end wins.
        if not _in_force(current) or until > current:
            setattr(user, column, until)
        if kind == PenaltyKind.SUSPEND:
            # Signs them out everywhere (sessions carry the version).
            user.session_version = User.session_version + 1
    penalty = Penalty(
        user_id=user.id,
        kind=kind,
        reason=reason,
        message=message,
        starts_at=now,
        ends_at=ends,
        by_id=getattr(by, "id", None),
        review_item_id=getattr(review_item, "id", None),
    )
    db.session.add(penalty)
    db.session.flush()
    verb = {PenaltyKind.WARNING: "warn", PenaltyKind.SILENCE: "silence",
            PenaltyKind.SUSPEND: "suspend"}[kind]  # fmt: skip
    audit.record(
        f"moderation.{verb}",
        actor=by,
        target=user,
        reason=reason,
        days=days,
        until=_iso(until),
        penalty=penalty.id,
        review_item=getattr(review_item, "id", None),
    )
    notify.notify(
        user.id, "penalty", penalty=kind.value, reason=reason, message=message, until=_iso(until)
    )
    if kind == PenaltyKind.SUSPEND:
        _mail_suspension(user, reason, message, until)
    return penalty


def warn(user, *, by, reason: str, message: str = "", days=None, review_item=None) -> Penalty:
    """A warning: recorded and told to the person; no restriction."""
    return _give(user, PenaltyKind.WARNING, by=by, reason=reason, message=message, days=None,
                 review_item=review_item)  # fmt: skip


def silence(user, *, by, reason: str, message: str = "", days=None, review_item=None) -> Penalty:
    """Silence ``user`` for ``days`` (None: the escalating default; 0: until lifted)."""
    return _give(user, PenaltyKind.SILENCE, by=by, reason=reason, message=message, days=days,
                 review_item=review_item)  # fmt: skip


def suspend(user, *, by, reason: str, message: str = "", days=None, review_item=None) -> Penalty:
    """Suspend ``user``: signed out everywhere, no sign-in, no API, until it ends."""
    return _give(user, PenaltyKind.SUSPEND, by=by, reason=reason, message=message, days=days,
                 review_item=review_item)  # fmt: skip


def lift(penalty: Penalty, *, by) -> bool:
    """End a silence or suspension early; False when it was not in force."""
    user = db.session.get(User, penalty.user_id)
    if user is None or not is_active(penalty):
        return False
    from space.permissions import can

    if by is not None:
        if not can(by, "moderation.penalize"):
            raise PenaltyError(_("Only moderators and admins give penalties."))
        if by.id == user.id:
            raise PenaltyError(_("You cannot lift your own penalty."))
        if user.is_staff and not getattr(by, "is_admin", False):
            raise PenaltyError(_("Only admins may lift the penalty of a member of staff."))
    penalty.lifted_at = utcnow()
    penalty.lifted_by_id = getattr(by, "id", None)
    db.session.flush()
    column = _COLUMN[penalty.kind]
    remaining = _current(user, penalty.kind)
    if remaining is None:
        setattr(user, column, None)
    else:
        setattr(user, column, FOREVER if remaining.ends_at is None else remaining.ends_at)
    audit.record("moderation.lift", actor=by, target=user, kind=penalty.kind.value,
                 penalty=penalty.id)  # fmt: skip
    notify.notify(user.id, "penalty", penalty=penalty.kind.value, reason=penalty.reason,
                  message="", until=None, lifted=True)  # fmt: skip
    return True


# --- telling the person ----------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def notification_text(data: dict) -> str:
    """The "penalty" notification, in the reader's language."""
    kind = data.get("penalty")
    reason = data.get("reason", "")
    if data.get("lifted"):
        if kind == PenaltyKind.SUSPEND:
            return _("Your suspension was lifted.")
        return _("Your silence was lifted: you may post again.")
    if kind == PenaltyKind.WARNING:
        text = _("A moderator warned you: %(reason)s", reason=reason)
    else:
        until = datetime.fromisoformat(data["until"]) if data.get("until") else FOREVER
        if kind == PenaltyKind.SUSPEND:
            text = _("You are suspended %(until)s: %(reason)s", until=_until_phrase(until),
                     reason=reason)  # fmt: skip
        else:
            text = _("You are silenced %(until)s: %(reason)s", until=_until_phrase(until),
                     reason=reason)  # fmt: skip
    message = data.get("message")
    return f"{text} — {message}" if message else text


def _until_phrase(until: datetime) -> str:
    if is_forever(until):
        return _("until further notice")
    return _("until %(date)s", date=format_datetime(until))


def notification_url(data: dict) -> str:
    return url_for("core.code_of_conduct")


def _mail_suspension(user, reason: str, message: str, until: datetime) -> None:
    """A suspended person cannot sign in to read notifications: tell them by email."""
    locale = user.locale or current_app.config["SPACE_DEFAULT_LOCALE"]
    zone = user.timezone or current_app.config["SPACE_DEFAULT_TIMEZONE"]
    with force_locale(locale):
        site = site_settings.get("title")
        if is_forever(until):
            when = _("until further notice")
        else:
            date = babel_datetime(until, "medium", tzinfo=ZoneInfo(zone), locale=locale)
            when = _("until %(date)s (%(zone)s)", date=date, zone=zone)
        body = _(
            "Hello %(name)s,\n\nYour account on %(site)s is suspended %(when)s.\n\n"
            "Reason: %(reason)s\n",
            name=user.name,
            site=site,
            when=when,
            reason=reason,
        )
        if message:
            body += "\n" + message + "\n"
        notify.queue_mail(
            user.email, _("[%(site)s] Your account is suspended", site=site), body.strip() + "\n"
        )
