"""Registration: going, interested or not going; capacity, the waitlist, organizers removing
someone. (Who is registered, the CSV and messages are in ``participants.py``; reminders and
the report in ``followup.py``; both are re-exported here.)

Counters on the event (``going_count``, ``interested_count``, ``waitlist_count``) are kept at
write time by conditional UPDATEs, so that concurrent registrations never exceed the
capacity: taking a place is ``UPDATE … SET going_count = going_count + 1 WHERE id = :id AND
(capacity IS NULL OR going_count < capacity)``, and whether it changed the row decides
between GOING and WAITLISTED. A change of a person's answer is itself a conditional UPDATE
of their row (``WHERE answer = <the answer read>``) in a savepoint with the counters it moves:
when a concurrent change got there first (a double click), the savepoint rolls back and the
change is tried again on what is there now. Every change moves the event's counters before
it touches existing registrations, so concurrent changes queue on the event's row and never
deadlock (a person's new row, made first, is theirs alone until the transaction ends).

The waitlist is ordered by ``created_at``: the moment a person took their current answer.
When someone leaves a place (or is removed), the first waitlisted person moves up and is
told. Joining is refused when the event is cancelled or over, registration is off or its
deadline has passed; leaving (not going) is possible until the event is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from space import audit
from space.db import db, utcnow

from ..models import Answer, Event, Registration
from . import notices
from .events import EventError
from .followup import publish_report, send_reminders  # noqa: F401 - the module's contract
from .participants import export_csv, message, participants  # noqa: F401 - idem

# The counter each answer counts in.
COUNTER = {
    Answer.GOING: "going_count",
    Answer.WAITLISTED: "waitlist_count",
    Answer.INTERESTED: "interested_count",
}
CHOICES = (Answer.GOING, Answer.INTERESTED, Answer.NOT_GOING)
# A change of one's registration retried this many times when others keep changing it.
ATTEMPTS = 5


class _Changed(Exception):
    """The row changed between reading and writing it: the savepoint is rolled back."""


@dataclass(frozen=True)
class State:
    """What the registration box shows: whether one may join now (else why not), whether
    the event is full, the places left (None: no limit) and the deadline (UTC)."""

    open: bool
    reason: str
    can_leave: bool
    full: bool
    places_left: int | None
    deadline: datetime | None
    deadline_passed: bool = False


def is_over(event: Event, now: datetime | None = None) -> bool:
    """Whether the event (its last occurrence) has ended; one repeating forever never does."""
    now = now or utcnow()
    end = event.last_end_at if event.last_end_at is not None or not event.rrule else None
    return end is not None and end <= now


def _refusal(event: Event, joining: bool, now: datetime) -> str:
    """Why ``event`` refuses a registration now ("" when it accepts it)."""
    if event.is_cancelled:
        return _("This event is cancelled.")
    if is_over(event, now):
        return _("This event is over.")
    if not joining:
        return ""
    if not event.registration:
        return _("Registration is not open for this event.")
    if event.registration_deadline is not None and event.registration_deadline <= now:
        return _("Registration for this event has closed.")
    return ""


def state(event: Event, now: datetime | None = None) -> State:
    now = now or utcnow()
    reason = _refusal(event, True, now)
    left = None if event.capacity is None else max(event.capacity - event.going_count, 0)
    deadline = event.registration_deadline
    return State(open=not reason, reason=reason, can_leave=not _refusal(event, False, now),
                 full=left == 0, places_left=left, deadline=deadline,
                 deadline_passed=deadline is not None and deadline <= now)  # fmt: skip


def mine(user, event: Event) -> Registration | None:
    """``user``'s registration for ``event`` (None for none, or for anonymous readers)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.user_id == user.id)
        .execution_options(populate_existing=True)
    )


def _answer(answer) -> Answer:
    try:
        found = Answer(answer)
    except ValueError:
        found = None
    if found not in CHOICES:
        raise EventError(_("Choose going, interested or not going."), "answer")
    return found


def _counts(event_id: int, deltas: dict[str, int], *, if_room: bool = False) -> bool:
    """Move the event's counters by ``deltas`` in one UPDATE; with ``if_room``, only when a
    place is free (False: nothing changed)."""
    values = {name: getattr(Event, name) + delta for name, delta in deltas.items() if delta}
    if not values:
        return True
    statement = update(Event).where(Event.id == event_id).values(**values)
    if if_room:
        statement = statement.where(
            (Event.capacity.is_(None)) | (Event.going_count < Event.capacity)
        )
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    return result.rowcount == 1


def _refresh(event: Event) -> None:
    """The counters changed in SQL: read them again when next used."""
    db.session.expire(event, ["going_count", "interested_count", "waitlist_count"])


def _row(user, event: Event) -> int:
    """The id of ``user``'s registration row, made (as "not going") when there is none."""
    found = db.session.scalar(
        select(Registration.id).where(Registration.event_id == event.id,
                                      Registration.user_id == user.id)
    )  # fmt: skip
    if found is not None:
        return found
    now = utcnow()
    try:
        with db.session.begin_nested():
            row = Registration(event_id=event.id, user_id=user.id, answer=Answer.NOT_GOING,
                               created_at=now, updated_at=now)  # fmt: skip
            db.session.add(row)
        return row.id
    except IntegrityError:  # made meanwhile (another tab, a double click)
        return db.session.scalar(
            select(Registration.id).where(Registration.event_id == event.id,
                                          Registration.user_id == user.id)
        )  # fmt: skip


def _move(event: Event, row_id: int, old: Answer, wanted: Answer, public: bool) -> Answer | None:
    """Change one registration from ``old`` to ``wanted`` (GOING may become WAITLISTED)
    with the counters; None when the row no longer says ``old`` (nothing changed)."""
    now = utcnow()
    deltas = {name: 0 for name in COUNTER.values()}
    if old in COUNTER:
        deltas[COUNTER[old]] -= 1
    try:
        with db.session.begin_nested():
            written = wanted
            if wanted == Answer.GOING:
                if not _counts(event.id, {**deltas, "going_count": deltas["going_count"] + 1},
                               if_room=True):  # fmt: skip
                    written = Answer.WAITLISTED
                    deltas["waitlist_count"] += 1
                    _counts(event.id, deltas)
            else:
                if wanted in COUNTER:
                    deltas[COUNTER[wanted]] += 1
                _counts(event.id, deltas)
            changed = db.session.execute(
                update(Registration)
                .where(Registration.id == row_id, Registration.answer == old)
                .values(answer=written, public=public, created_at=now, updated_at=now),
                execution_options={"synchronize_session": False},
            ).rowcount
            if not changed:
                raise _Changed
    except _Changed:
        return None
    return written


def register(user, event: Event, answer, public: bool = True) -> Registration:
    """``user`` answers going, interested or not going (``public``: their name may show on
    the event page). Going when the event is full puts them on the waitlist; leaving a place
    moves the waitlist up. Raises ``EventError`` when the event refuses the answer."""
    wanted = _answer(answer)
    public = bool(public)
    reason = _refusal(event, wanted != Answer.NOT_GOING, utcnow())
    if reason:
        raise EventError(reason, "answer")
    row_id = _row(user, event)  # (before any lock on the event: see the module's doc)
    if wanted == Answer.GOING and event.waitlist_count:
        promote(event)  # places freed by a larger capacity go to those waiting first
    for _attempt in range(ATTEMPTS):
        old, was_public = db.session.execute(
            select(Registration.answer, Registration.public).where(Registration.id == row_id)
        ).one()
        if old == wanted or (old == Answer.WAITLISTED and wanted == Answer.GOING):
            if was_public != public:
                db.session.execute(
                    update(Registration).where(Registration.id == row_id)
                    .values(public=public, updated_at=utcnow()),
                    execution_options={"synchronize_session": False},
                )  # fmt: skip
            break
        written = _move(event, row_id, old, wanted, public)
        if written is not None:
            if old == Answer.GOING:
                promote(event)
            break
    else:
        raise EventError(_("Your registration changed meanwhile. Try again."), "answer")
    _refresh(event)
    return mine(user, event)


def promote(event: Event, actor=None) -> list[int]:
    """Give the free places to the waitlist, first come first served, and tell each person
    who moved up. Returns their ids."""
    moved: list[int] = []
    conflicts = 0
    while conflicts < ATTEMPTS:
        first = db.session.execute(
            select(Registration.id, Registration.user_id)
            .where(Registration.event_id == event.id, Registration.answer == Answer.WAITLISTED)
            .order_by(Registration.created_at, Registration.id)
            .limit(1)
        ).first()
        if first is None:
            break
        try:
            with db.session.begin_nested():
                if not _counts(event.id, {"going_count": 1, "waitlist_count": -1},
                               if_room=True):  # fmt: skip
                    break
                changed = db.session.execute(
                    update(Registration)
                    .where(Registration.id == first.id, Registration.answer == Answer.WAITLISTED)
                    .values(answer=Answer.GOING, updated_at=utcnow()),
                    execution_options={"synchronize_session": False},
                ).rowcount
                if not changed:  # they left the waitlist meanwhile
                    raise _Changed
        except _Changed:
            conflicts += 1
            continue
        moved.append(first.user_id)
    if moved:
        notices.tell(event, "events.registration", actor, moved)
    _refresh(event)
    return moved


def remove(user, event: Event, participant_id: int) -> bool:
    """An organizer (``user``) removes someone's registration; they are told, and a place
    they held goes to the waitlist. False when they had none."""
    for _attempt in range(ATTEMPTS):
        found = db.session.execute(
            select(Registration.id, Registration.answer).where(
                Registration.event_id == event.id, Registration.user_id == participant_id
            )
        ).first()
        if found is None:
            return False
        try:
            with db.session.begin_nested():
                if found.answer in COUNTER:
                    _counts(event.id, {COUNTER[found.answer]: -1})
                removed = db.session.execute(
                    delete(Registration).where(Registration.id == found.id,
                                               Registration.answer == found.answer),
                    execution_options={"synchronize_session": False},
                ).rowcount  # fmt: skip
                if not removed:
                    raise _Changed
        except _Changed:
            continue
        break
    else:
        raise EventError(_("This registration changed meanwhile. Try again."))
    if found.answer == Answer.GOING:
        promote(event)
    if found.answer in notices.CONCERNED:
        notices.tell(event, "events.removed", user, [participant_id])
    audit.record("events.participant.remove", actor=user, target=event, target_type="event",
                 target_label=event.title[:200], user_id=participant_id,
                 answer=str(found.answer))  # fmt: skip
    _refresh(event)
    return True
