"""The reminders job: the people going hear of an event once, ``reminder_hours`` before it;
each occurrence of a recurring event once; cancelled events and occurrences never."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from plugins.events.services import registration
from plugins.events.services.events import Repeat, cancel, cancel_occurrence
from plugins.events.services.times import occurrences
from space.accounts.models import User
from space.db import db
from space.notify import Notification

from .conftest import reload


def reminders(user) -> list[dict]:
    return list(db.session.scalars(
        select(Notification.data).where(Notification.user_id == user.id,
                                        Notification.kind == "events.reminder")
        .order_by(Notification.id)
    ))  # fmt: skip


def register(user, event, wanted="going"):
    registration.register(user, reload(event), wanted)
    db.session.commit()


def test_people_going_are_reminded_once(make):
    event = make.event(capacity=1)
    going, waiting, curious = make.member(), make.member(), make.member()
    register(going, event)
    register(waiting, event)
    register(curious, event, "interested")
    start = reload(event).start_at
    assert registration.send_reminders(start - timedelta(hours=30)) == 0  # too early
    assert reminders(going) == []
    assert registration.send_reminders(start - timedelta(hours=12)) == 1
    assert len(reminders(going)) == 1 and reminders(going)[0]["event_id"] == event.id
    assert reminders(waiting) == [] and reminders(curious) == []
    assert reload(event).reminded_at == start
    assert registration.send_reminders(start - timedelta(hours=11)) == 0
    assert registration.send_reminders(start - timedelta(minutes=5)) == 0
    assert len(reminders(going)) == 1


def test_the_reminder_window_is_a_setting(make):
    from plugins.events import settings

    settings.put("reminder_hours", 48)
    db.session.commit()
    event = make.event()
    register(make.member(), event)
    assert registration.send_reminders(reload(event).start_at - timedelta(hours=40)) == 1


def test_no_reminders_for_cancelled_or_empty_events_or_ones_that_started(make):
    empty = make.event()
    called_off = make.event()
    person = make.member()
    register(person, called_off)
    cancel(db.session.get(User, called_off.user_id), reload(called_off), "Flood")
    db.session.commit()
    start = reload(empty).start_at
    assert registration.send_reminders(start - timedelta(hours=2)) == 0
    started = make.event()
    register(person, started)
    assert registration.send_reminders(reload(started).start_at + timedelta(minutes=1)) == 0
    assert reminders(person) == []


def test_each_occurrence_of_a_recurring_event_is_reminded_once(make):
    event = make.event(repeat=Repeat("weekly", count=3))
    person = make.member()
    register(person, event)
    starts = [o.start_at for o in occurrences(reload(event))]
    assert registration.send_reminders(starts[0] - timedelta(hours=3)) == 1
    assert registration.send_reminders(starts[0] - timedelta(hours=1)) == 0
    assert registration.send_reminders(starts[1] - timedelta(hours=3)) == 1
    assert registration.send_reminders(starts[1] - timedelta(hours=2)) == 0
    notes = [data["note"] for data in reminders(person)]
    assert notes == [starts[0].isoformat(timespec="minutes"),
                     starts[1].isoformat(timespec="minutes")]  # fmt: skip


def test_a_cancelled_occurrence_is_not_reminded(make):
    event = make.event(repeat=Repeat("weekly", count=3))
    person = make.member()
    register(person, event)
    every = occurrences(reload(event))
    cancel_occurrence(db.session.get(User, event.user_id), reload(event), every[1].start_local)
    db.session.commit()
    assert registration.send_reminders(every[1].start_at - timedelta(hours=3)) == 0
    assert registration.send_reminders(every[2].start_at - timedelta(hours=3)) == 1
    assert len(reminders(person)) == 1


def test_people_who_left_a_private_group_are_not_reminded(make):
    from space.accounts import groups
    from space.accounts.models import Group

    event = make.private_group_event()
    group = db.session.get(Group, event.group_id)
    stays, leaves = make.member(), make.member()
    for person in (stays, leaves):
        groups.add_member(group, person)
    db.session.commit()
    register(stays, event)
    register(leaves, event)
    groups.remove_member(group, leaves)
    db.session.commit()
    assert registration.send_reminders(reload(event).start_at - timedelta(hours=1)) == 1
    assert len(reminders(stays)) == 1 and reminders(leaves) == []


def test_the_job_is_wired(make, app):
    from space import jobs

    from .conftest import local_now

    soon = local_now().replace(second=0, microsecond=0) + timedelta(hours=2)
    event = make.event(start=soon, end=soon + timedelta(hours=2))
    person = make.member()
    register(person, event)
    assert "events.reminders" in {job.name for job in jobs.all_jobs()}
    assert jobs.run_due({"events.reminders"}, force=True) == ["events.reminders"]
    db.session.expire_all()
    assert len(reminders(person)) == 1
