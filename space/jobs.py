"""Periodic work that must run once per period, however many app processes there are.

A job claims its period with one conditional UPDATE on ``job_run``; only the process whose
update changed the row runs it. Jobs run from ``flask space jobs`` (cron, or ``--loop``) and,
unless ``SPACE_JOBS_ON_REQUEST`` is off, after responses at most once a minute per process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from sqlalchemy import String, Text, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from space import notify
from space.db import UTCDateTime, db, utcnow
from space.plugins import flatten, hook

log = logging.getLogger(__name__)


class JobRun(db.Model):
    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="", nullable=False)


@dataclass(frozen=True)
class Job:
    """``run()`` is called in an app context; it commits its own work."""

    name: str
    every: timedelta
    run: Callable[[], object]


def core_jobs() -> list[Job]:
    from space.moderation.decisions import remind

    return [
        Job("mail.notifications", timedelta(minutes=1), notify.email_unread_notifications),
        Job("mail.deliver", timedelta(minutes=1), notify.deliver_due),
        Job("moderation.remind", timedelta(hours=1), remind),
    ]


def all_jobs() -> list[Job]:
    return core_jobs() + flatten(hook().scheduled_jobs())


def claim(job: Job, now: datetime) -> bool:
    """Take this period of ``job`` for this process; False when another has it."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(JobRun).values(name=job.name, error=""))
    except IntegrityError:
        pass
    claimed = db.session.execute(
        update(JobRun)
        .where(JobRun.name == job.name)
        .where(or_(JobRun.started_at.is_(None), JobRun.started_at <= now - job.every))
        .values(started_at=now)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _request_context():
    """Jobs build links (``url_for``) as pages do; outside a request (``flask space jobs``,
    after a response) lend them one for the public address, ``SPACE_BASE_URL``."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["SPACE_BASE_URL"])


def run_due(names: set[str] | None = None, *, force: bool = False) -> list[str]:
    """Run every due job (or those ``names``); returns the names that ran."""
    ran = []
    for job in all_jobs():
        if names is not None and job.name not in names:
            continue
        now = utcnow()
        if not force and not claim(job, now):
            continue
        error = ""
        try:
            with _request_context():
                job.run()
        except Exception as exc:  # a failing job must not stop the others
            db.session.rollback()
            log.exception("job %s failed", job.name)
            error = repr(exc)[:2000]
        db.session.execute(
            update(JobRun).where(JobRun.name == job.name).values(finished_at=utcnow(), error=error)
        )
        db.session.commit()
        ran.append(job.name)
    return ran


_last_tick = 0.0
_tick_lock = threading.Lock()


def tick_after_response(mail_pending: bool) -> None:
    """Run due jobs from a request's end, at most once a minute per process; send queued
    mail right away when the request queued some."""
    global _last_tick
    app = current_app._get_current_object()
    if not app.config["SPACE_JOBS_ON_REQUEST"]:
        return
    now = time.monotonic()
    with _tick_lock:
        periodic = now - _last_tick >= 60
        if periodic:
            _last_tick = now
    if not (periodic or mail_pending):
        return
    with app.app_context():
        try:
            if periodic:
                run_due()
            if mail_pending:
                notify.deliver_due()
        except Exception:
            db.session.rollback()
            log.exception("jobs after response failed")
