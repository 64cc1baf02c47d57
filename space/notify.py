"""Notifications (in-app, with an unread count) and email delivery through an outbox.

A notification is a row for one person with a ``kind`` and the data to describe it; how a
kind reads and where it links is a ``NotificationType`` (core kinds here, plugins add theirs
through ``notification_types``), rendered at display time in the reader's language.

Email goes through the outbox table: ``queue_mail`` adds a message, the ``mail.deliver`` job
sends due messages over SMTP (``SPACE_MAIL_URL``) or, without it, writes them to the log;
``flask space outbox`` shows them. Unread notifications are emailed after a delay.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, g, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from space import site as site_settings
from space.db import UTCDateTime, db, utcnow
from space.plugins import flatten, hook

log = logging.getLogger(__name__)


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailMessage(db.Model):
    """The outbox: every email Space sends, kept for delivery and inspection."""

    __tablename__ = "mail_message"
    __table_args__ = (Index("ix_mail_message_due", "sent_at", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    error: Mapped[str] = mapped_column(Text, default="", nullable=False)


@dataclass(frozen=True)
class NotificationType:
    """How a kind of notification reads: ``text(data) -> str`` and ``url(data) -> str``."""

    kind: str
    label: Any
    text: Callable[[dict], str]
    url: Callable[[dict], str]


def _core_types() -> list[NotificationType]:
    def group_url(data):
        return url_for("accounts.group", name=data.get("group", ""))

    return [
        NotificationType(
            "group_join_requested",
            _l("Requests to join your groups"),
            lambda d: _("%(user)s asked to join %(group)s", user=d["user"], group=d["title"]),
            lambda d: url_for("accounts.group_requests", name=d["group"]),
        ),
        NotificationType(
            "group_join_approved",
            _l("Group requests approved"),
            lambda d: _("You are now a member of %(group)s", group=d["title"]),
            group_url,
        ),
        NotificationType(
            "group_join_refused",
            _l("Group requests refused"),
            lambda d: _("Your request to join %(group)s was not accepted", group=d["title"]),
            group_url,
        ),
        NotificationType(
            "promoted",
            _l("Trust level promotions"),
            lambda d: _("You are now at trust level %(level)s", level=d["level"]),
            lambda d: url_for("accounts.profile", username=d["username"]),
        ),
        NotificationType(
            "penalty",
            _l("Warnings and penalties from moderators"),
            lambda d: _penalties().notification_text(d),
            lambda d: _penalties().notification_url(d),
        ),
        NotificationType(
            "message",
            _l("Messages from the team"),
            lambda d: d.get("text", ""),
            lambda d: d.get("url") or url_for("notifications.index"),
        ),
    ]


def _penalties():
    from space.moderation import penalties

    return penalties


def types() -> dict[str, NotificationType]:
    cache = current_app.extensions.setdefault("space.notification_types", {})
    if not cache:
        from space.moderation.notifications import types as moderation_types

        for kind in _core_types() + moderation_types() + flatten(hook().notification_types()):
            cache[kind.kind] = kind
    return cache


def notify(user_id: int, kind: str, **data) -> Notification:
    """Add a notification for one person (the caller commits)."""
    if kind not in types():
        raise KeyError(f"unknown notification kind {kind!r}")
    item = Notification(user_id=user_id, kind=kind, data=data)
    db.session.add(item)
    return item


def describe(item: Notification) -> tuple[str, str]:
    """(text, url) of a notification in the current language."""
    kind = types().get(item.kind)
    if kind is None:
        return _("Notification"), url_for("notifications.index")
    try:
        return kind.text(item.data), kind.url(item.data)
    except (KeyError, TypeError, ValueError):
        log.warning("notification %s has unexpected data", item.id)
        return str(kind.label), url_for("notifications.index")


def notifications_query(user_id: int, *, unread_only: bool = False):
    """A person's notifications, newest first (the caller paginates)."""
    query = (
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())
    )
    return query.where(Notification.read_at.is_(None)) if unread_only else query


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def mark_read(user_id: int, ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; returns how many changed."""
    statement = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    return db.session.execute(statement).rowcount


# --- mail -----------------------------------------------------------------------------------


def queue_mail(to: str, subject: str, body: str, *, delay: timedelta | None = None) -> MailMessage:
    """Add a message to the outbox (the caller commits). Undelayed mail goes out right after
    the response, by the ``mail.deliver`` job."""
    message = MailMessage(
        to=to, subject=subject, body=body, send_after=utcnow() + (delay or timedelta())
    )
    db.session.add(message)
    if delay is None:
        try:
            g.space_mail_pending = True
        except RuntimeError:  # outside a request: the job runner sends it
            pass
    return message


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    ssl: bool
    starttls: bool


def parse_mail_url(url: str) -> SMTPSettings:
    """``smtp://user:password@host:port`` (``smtps://`` for TLS, ``?starttls=1``)."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError(f"SPACE_MAIL_URL must be smtp://… or smtps://…, not {url!r}")
    query = parse_qs(parts.query)
    ssl = parts.scheme == "smtps"
    return SMTPSettings(
        host=parts.hostname,
        port=parts.port or (465 if ssl else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=ssl,
        starttls=query.get("starttls", ["0"])[0] in {"1", "true", "yes"},
    )


def _send_smtp(settings: SMTPSettings, sender: str, message: MailMessage) -> None:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="space.local")
    email.set_content(message.body)
    client = smtplib.SMTP_SSL if settings.ssl else smtplib.SMTP
    with client(settings.host, settings.port, timeout=20) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(email)


# A message being sent is not due again for this long (a process that died while sending
# it leaves it to be retried afterwards).
SENDING_LEASE = timedelta(minutes=10)


def _claim(message_id: int) -> MailMessage | None:
    """Take the message for this process (one conditional UPDATE, committed): several
    processes deliver at the same moment (after responses that queued mail), and only one
    may send each message."""
    now = utcnow()
    claimed = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.sent_at.is_(None),
               MailMessage.send_after <= now, MailMessage.attempts < 5)
        .values(attempts=MailMessage.attempts + 1, send_after=now + SENDING_LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    db.session.commit()
    return db.session.get(MailMessage, message_id) if claimed == 1 else None


def deliver_due(limit: int = 100) -> int:
    """Send the outbox's due messages; returns how many were sent. Claims each message
    before sending it and commits after, so a message is never sent twice."""
    url = current_app.config.get("SPACE_MAIL_URL")
    settings = parse_mail_url(url) if url else None
    sender = current_app.config["SPACE_MAIL_FROM"]
    due = db.session.scalars(
        select(MailMessage.id)
        .where(MailMessage.sent_at.is_(None), MailMessage.send_after <= utcnow())
        .where(MailMessage.attempts < 5)
        .order_by(MailMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for message_id in due:
        message = _claim(message_id)
        if message is None:  # another process has it
            continue
        try:
            if settings is None:
                log.info("mail to %s: %s\n%s", message.to, message.subject, message.body)
            else:
                _send_smtp(settings, sender, message)
        except (OSError, smtplib.SMTPException) as error:
            message.error = str(error)[:1000]
            # Back off: 1, 4, 9, 16 minutes.
            message.send_after = utcnow() + timedelta(minutes=message.attempts**2)
            log.warning("mail to %s failed: %s", message.to, error)
        else:
            message.sent_at = utcnow()
            message.error = ""
            sent += 1
        db.session.commit()
    return sent


def email_unread_notifications() -> int:
    """Email each notification still unread after the configured delay (once)."""
    from space.accounts.models import User

    delay = timedelta(minutes=current_app.config["SPACE_NOTIFICATION_EMAIL_DELAY_MINUTES"])
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.read_at.is_(None),
            Notification.emailed_at.is_(None),
            Notification.created_at <= utcnow() - delay,
            User.email_notifications.is_(True),
            User.confirmed_at.is_not(None),
        )
        .order_by(Notification.id)
        .limit(500)
    ).all()
    with _url_context():
        for item, user in rows:
            with force_locale(user.locale or current_app.config["SPACE_DEFAULT_LOCALE"]):
                text, url = describe(item)
                site = site_settings.get("title")
                body = _(
                    "Hello %(name)s,\n\n%(text)s\n\n%(url)s\n\n"
                    "You receive this because the notification was unread. "
                    "Change this in your profile settings.",
                    name=user.name,
                    text=text,
                    url=_external(url),
                )
                subject = _("[%(site)s] %(text)s", site=site, text=text)
                queue_mail(user.email, subject, body, delay=timedelta())
            item.emailed_at = utcnow()
    db.session.commit()
    return len(rows)


def _url_context():
    """Links need a request to be built; jobs run outside one, so lend them a request for
    the public address (``SPACE_BASE_URL``)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["SPACE_BASE_URL"])


def _external(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    base = current_app.config["SPACE_BASE_URL"]
    return base.rstrip("/") + path
