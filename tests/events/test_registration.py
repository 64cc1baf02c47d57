"""Registration through the service: answers, capacity and the waitlist moving up, what
closes registration, the counters, and capacity held under concurrent registrations."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.events.models import Answer, Event, Registration
from plugins.events.services import registration
from plugins.events.services.events import EventError, Repeat, cancel
from space.db import db
from space.notify import Notification
from tests.conftest import PG_URL

from .conftest import local_now, reload


def answers(event) -> dict[int, Answer]:
    rows = db.session.execute(
        select(Registration.user_id, Registration.answer).where(Registration.event_id == event.id)
    )
    return dict(rows.all())


def counters(event) -> tuple[int, int, int]:
    event = reload(event)
    return event.going_count, event.waitlist_count, event.interested_count


def counted(event) -> tuple[int, int, int]:
    """The counters as the rows say they should be."""
    found = answers(event).values()
    return (sum(a == Answer.GOING for a in found), sum(a == Answer.WAITLISTED for a in found),
            sum(a == Answer.INTERESTED for a in found))  # fmt: skip


def notices(user, kind) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


def answer(user, event, wanted, public=True):
    found = registration.register(user, reload(event), wanted, public=public)
    db.session.commit()
    return found


# --- answers ----------------------------------------------------------------------------------


def test_going_interested_and_not_going_keep_the_counters(make):
    event = make.event()
    a, b, c = make.member(), make.member(), make.member()
    assert answer(a, event, "going").answer == Answer.GOING
    assert answer(b, event, "interested").answer == Answer.INTERESTED
    assert answer(c, event, "not_going").answer == Answer.NOT_GOING
    assert counters(event) == (1, 0, 1)
    answer(a, event, "interested")
    answer(b, event, "going")
    assert counters(event) == (1, 0, 1) == counted(event)
    answer(a, event, "not_going")
    assert counters(event) == (1, 0, 0) == counted(event)
    assert answers(event) == {a.id: Answer.NOT_GOING, b.id: Answer.GOING, c.id: Answer.NOT_GOING}


def test_answering_twice_changes_nothing_but_the_public_flag(make):
    event = make.event()
    person = make.member()
    first = answer(person, event, "going")
    again = answer(person, event, "going", public=False)
    assert again.id == first.id and again.answer == Answer.GOING and again.public is False
    assert counters(event) == (1, 0, 0)
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_mine_is_none_without_a_registration_and_for_anonymous(make):
    from flask_login import AnonymousUserMixin

    event = make.event()
    assert registration.mine(make.member(), event) is None
    assert registration.mine(AnonymousUserMixin(), event) is None


@pytest.mark.parametrize("wrong", ["waitlisted", "maybe", "", None])
def test_unknown_answers_are_refused(make, wrong):
    event = make.event()
    with pytest.raises(EventError) as error:
        registration.register(make.member(), event, wrong)
    assert error.value.field == "answer"
    assert counters(event) == (0, 0, 0)


# --- capacity and the waitlist ----------------------------------------------------------------


def test_going_beyond_capacity_goes_to_the_waitlist_in_order(make):
    event = make.event(capacity=2)
    people = [make.member() for _ in range(5)]
    results = [answer(p, event, "going").answer for p in people]
    assert results == [Answer.GOING] * 2 + [Answer.WAITLISTED] * 3
    assert counters(event) == (2, 3, 0)
    state = registration.state(reload(event))
    assert state.full and state.places_left == 0 and state.open


def test_leaving_moves_the_first_waitlisted_person_up_and_tells_them(make):
    event = make.event(capacity=1)
    first, second, third = make.member(), make.member(), make.member()
    answer(first, event, "going")
    answer(second, event, "going")
    answer(third, event, "going")
    assert answers(event)[second.id] == Answer.WAITLISTED
    answer(first, event, "interested")
    assert answers(event) == {first.id: Answer.INTERESTED, second.id: Answer.GOING,
                              third.id: Answer.WAITLISTED}  # fmt: skip
    assert counters(event) == (1, 1, 1) == counted(event)
    assert notices(second, "events.registration") == 1
    assert notices(third, "events.registration") == 0
    assert notices(first, "events.registration") == 0
    answer(second, event, "not_going")
    assert answers(event)[third.id] == Answer.GOING
    assert notices(third, "events.registration") == 1
    assert counters(event) == (1, 0, 1) == counted(event)


def test_leaving_the_waitlist_moves_nobody(make):
    event = make.event(capacity=1)
    going, waiting, later = make.member(), make.member(), make.member()
    for person in (going, waiting, later):
        answer(person, event, "going")
    answer(waiting, event, "not_going")
    assert answers(event) == {going.id: Answer.GOING, waiting.id: Answer.NOT_GOING,
                              later.id: Answer.WAITLISTED}  # fmt: skip
    assert counters(event) == (1, 1, 0)
    assert notices(later, "events.registration") == 0


def test_rejoining_goes_to_the_end_of_the_waitlist(make):
    event = make.event(capacity=1)
    going, early, late = make.member(), make.member(), make.member()
    answer(going, event, "going")
    answer(early, event, "going")
    answer(late, event, "going")
    answer(early, event, "interested")
    answer(early, event, "going")  # back on the waitlist, behind ``late``
    answer(going, event, "not_going")
    assert answers(event)[late.id] == Answer.GOING
    assert answers(event)[early.id] == Answer.WAITLISTED


def test_a_larger_capacity_serves_the_waitlist_before_newcomers(make):
    event = make.event(capacity=1)
    going, waiting = make.member(), make.member()
    answer(going, event, "going")
    answer(waiting, event, "going")
    db.session.get(Event, event.id).capacity = 2
    db.session.commit()
    newcomer = make.member()
    assert answer(newcomer, event, "going").answer == Answer.WAITLISTED
    assert answers(event)[waiting.id] == Answer.GOING
    assert counters(event) == (2, 1, 0) == counted(event)


def test_promote_fills_every_free_place(make):
    event = make.event(capacity=1)
    people = [make.member() for _ in range(4)]
    for person in people:
        answer(person, event, "going")
    db.session.get(Event, event.id).capacity = 3
    db.session.commit()
    moved = registration.promote(reload(event))
    db.session.commit()
    assert moved == [people[1].id, people[2].id]
    assert counters(event) == (3, 1, 0) == counted(event)


def test_no_capacity_means_no_waitlist(make):
    event = make.event(capacity=None)
    for _ in range(5):
        assert answer(make.member(), event, "going").answer == Answer.GOING
    state = registration.state(reload(event))
    assert state.places_left is None and not state.full


# --- what closes registration -----------------------------------------------------------------


def test_a_cancelled_event_refuses_every_answer(make):
    event = make.event()
    person = make.member()
    answer(person, event, "going")
    organizer = db.session.get(type(person), event.user_id)
    cancel(organizer, reload(event), "Rain")
    db.session.commit()
    for wanted in ("going", "interested", "not_going"):
        with pytest.raises(EventError, match="cancelled"):
            registration.register(make.member(), reload(event), wanted)
    assert registration.state(reload(event)).open is False


def test_the_deadline_closes_joining_but_not_leaving(make):
    event = make.event(deadline=local_now() - timedelta(hours=1))
    early = make.member()
    db.session.add(Registration(event_id=event.id, user_id=early.id, answer=Answer.GOING))
    db.session.get(Event, event.id).going_count = 1
    db.session.commit()
    with pytest.raises(EventError, match="closed"):
        registration.register(make.member(), reload(event), "going")
    with pytest.raises(EventError, match="closed"):
        registration.register(make.member(), reload(event), "interested")
    assert answer(early, event, "not_going").answer == Answer.NOT_GOING
    assert counters(event) == (0, 0, 0)
    state = registration.state(reload(event))
    assert not state.open and state.can_leave and state.reason


def test_a_deadline_still_ahead_lets_people_in(make):
    event = make.event(deadline=local_now() + timedelta(days=1))
    assert answer(make.member(), event, "going").answer == Answer.GOING


def test_registration_off_refuses_joining(make):
    event = make.event(registration=False)
    with pytest.raises(EventError, match="not open"):
        registration.register(make.member(), event, "going")


def test_an_event_that_is_over_refuses_everything(make):
    event = make.past_event()
    for wanted in ("going", "interested", "not_going"):
        with pytest.raises(EventError, match="over"):
            registration.register(make.member(), reload(event), wanted)
    assert registration.is_over(event)


def test_a_recurring_event_is_open_until_its_last_occurrence(make):
    event = make.event(days=-8, repeat=Repeat("weekly", count=4))
    assert not registration.is_over(event)
    assert answer(make.member(), event, "going").answer == Answer.GOING
    ended = make.event(days=-30, repeat=Repeat("weekly", count=2))
    assert registration.is_over(ended)
    with pytest.raises(EventError, match="over"):
        registration.register(make.member(), ended, "going")


# --- remove -----------------------------------------------------------------------------------


def test_remove_tells_the_person_and_moves_the_waitlist(make):
    event = make.event(capacity=1)
    organizer = db.session.get(type(make.member()), event.user_id)
    going, waiting = make.member(), make.member()
    answer(going, event, "going")
    answer(waiting, event, "going")
    assert registration.remove(organizer, reload(event), going.id) is True
    db.session.commit()
    assert answers(event) == {waiting.id: Answer.GOING}
    assert notices(going, "events.removed") == 1
    assert notices(waiting, "events.registration") == 1
    assert counters(event) == (1, 0, 0)
    assert registration.remove(organizer, reload(event), going.id) is False


def test_remove_from_interested_keeps_the_going_list(make):
    event = make.event(capacity=1)
    organizer = db.session.get(type(make.member()), event.user_id)
    going, waiting, curious = make.member(), make.member(), make.member()
    answer(going, event, "going")
    answer(waiting, event, "going")
    answer(curious, event, "interested")
    registration.remove(organizer, reload(event), curious.id)
    db.session.commit()
    assert answers(event) == {going.id: Answer.GOING, waiting.id: Answer.WAITLISTED}
    assert counters(event) == (1, 1, 0)


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.skipif(not PG_URL or not PG_URL.startswith("postgresql"),
                    reason="concurrency needs PostgreSQL")  # fmt: skip
def test_concurrent_registrations_never_exceed_the_capacity(app, make):
    from space.accounts.models import User

    capacity = 3
    event = make.event(capacity=capacity)
    people = [make.member() for _ in range(10)]
    ids = [p.id for p in people]
    # Some people click twice; one goes then leaves at once.
    runs = [(uid, "going") for uid in ids] + [(ids[0], "going"), (ids[1], "going"),
                                              (ids[2], "not_going")]  # fmt: skip
    barrier = threading.Barrier(len(runs))
    errors = []

    def run(user_id, wanted):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(Event, event.id)
                barrier.wait(timeout=10)
                registration.register(user, target, wanted)
                db.session.commit()
            except EventError:
                db.session.rollback()  # "changed meanwhile": allowed, nothing written
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=args) for args in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert counters(event) == counted(event)
    going, waiting, _ = counted(event)
    assert going == capacity
    assert db.session.scalar(select(func.count(Registration.id))) == len(ids)
    assert going + waiting >= len(ids) - 1


@pytest.mark.skipif(not PG_URL or not PG_URL.startswith("postgresql"),
                    reason="concurrency needs PostgreSQL")  # fmt: skip
def test_concurrent_leaving_and_joining_keep_the_waitlist_moving(app, make):
    from space.accounts.models import User

    capacity = 4
    event = make.event(capacity=capacity)
    first = [make.member() for _ in range(8)]  # 4 going, 4 waiting
    for person in first:
        answer(person, event, "going")
    newcomers = [make.member() for _ in range(4)]
    runs = [(p.id, "not_going") for p in first[:3]] + [(first[5].id, "interested")]
    runs += [(p.id, "going") for p in newcomers]
    barrier = threading.Barrier(len(runs))
    errors = []

    def run(user_id, wanted):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(Event, event.id)
                barrier.wait(timeout=10)
                registration.register(user, target, wanted)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=args) for args in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert counters(event) == counted(event)
    going, waiting, interested = counted(event)
    assert going == capacity and interested == 1
    assert waiting == 8 + 4 - 3 - 1 - capacity
    # The people waiting before the newcomers came first.
    found = answers(event)
    assert found[first[4].id] == found[first[6].id] == found[first[7].id] == Answer.GOING
