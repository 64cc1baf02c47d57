"""The editorial flow: which move takes a story from which status to which, who may make it,
and what happens when it is made.

    pitch ──accept──▶ draft ──submit──▶ in review ──approve (enough)──▶ approved
      │                 ▲                 │  │                          │   │
   decline        withdraw / reopen  request changes  reject       schedule  publish
      ▼                 │                 ▼  ▼                          ▼   ▼
   declined        changes requested   rejected                  scheduled ─▶ published
                                                                              │
                                                 unpublished ◀──unpublish─────┘

Any status but published can go to the trash (writers: only their own unpublished work);
``restore`` brings a story back to where it was; ``publishing.purge_trash`` deletes what
stayed there ``trash_days``. Publishing itself, its topic and the jobs are ``publishing.py``.

``TRANSITIONS`` is the one table of the rules; each move is also a permission action
("blog.approve"…), so ``can()`` answers views, templates and the API from this table.
``move`` makes a move: it claims the story's ``version`` with one conditional UPDATE, so two
people moving the same story at once cannot both succeed (the second gets ``Conflict``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from space import audit
from space.accounts.models import User
from space.db import db, utcnow
from space.permissions import Action, can

from ..access import Capability, capability, is_editor, is_writer
from ..models import (
    Status,
    Story,
    StoryAuthor,
    StoryDecision,
)
from ..settings import value
from . import indexing, notices, publishing

NOTE_MAX = 5000
# How far ahead a story may be scheduled.
SCHEDULE_MAX_DAYS = 366


class WorkflowError(ValueError):
    """A move refused for a reason the person can fix; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(WorkflowError):
    """Someone else moved the story first: reload and look again."""


# --- who ---------------------------------------------------------------------------------------


def _editor(user, story) -> bool:
    return is_editor(user)


def _writer_or_editor(user, story) -> bool:
    return is_editor(user) or is_writer(user, story)


def _writer(user, story) -> bool:
    return is_writer(user, story)


def _publisher(user, story) -> bool:
    """Editors; and authors for their own approved story when ``authors_publish`` is on."""
    if is_editor(user):
        return True
    return (
        bool(value("authors_publish"))
        and capability(user) >= Capability.AUTHOR
        and is_writer(user, story)
        and story.status in {Status.APPROVED, Status.SCHEDULED}
    )


def _reviewer(user, story) -> bool:
    """Editors who are not writing the story (admins may approve anything) and have not
    approved it since its last substantive edit."""
    if not is_editor(user):
        return False
    if is_writer(user, story) and capability(user) < Capability.ADMIN:
        return False
    return not _approved_since_edit(user, story)


def _trasher(user, story) -> bool:
    """Editors; writers their own unpublished work; the pitcher their pitch (not the draft
    someone else writes from it)."""
    if is_editor(user):
        return True
    writers_work = {Status.DRAFT, Status.CHANGES_REQUESTED, Status.REJECTED}
    if story.status in writers_work:
        return is_writer(user, story)
    return (
        story.status in {Status.PITCH, Status.DECLINED}
        and getattr(user, "is_authenticated", False)
        and story.pitched_by_id == user.id
    )


@dataclass(frozen=True)
class Transition:
    """A move: its ``name`` (the action is "blog.<name>"), the statuses it leaves from, where
    it goes (None: decided when made), who may make it, whether a note is "required" or
    "optional" (else none is asked), and what the button and the history say."""

    name: str
    sources: frozenset[Status]
    target: Status | None
    who: Callable[[Any, Story], bool]
    note: str = ""
    label: Any = ""
    done: Any = ""


def _t(name, sources, target, who, note="", label="", done="") -> Transition:
    return Transition(name, frozenset(sources), target, who, note, label, done)


S = Status
ANY_BUT_PUBLISHED = set(Status) - {S.PUBLISHED, S.TRASH}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("accept", {S.PITCH}, S.DRAFT, _editor, "optional",
           _l("Accept the pitch"), _l("accepted the pitch")),
        _t("decline", {S.PITCH}, S.DECLINED, _editor, "required",
           _l("Decline the pitch"), _l("declined the pitch")),
        _t("submit", {S.DRAFT, S.CHANGES_REQUESTED}, S.IN_REVIEW, _writer_or_editor, "optional",
           _l("Submit for review"), _l("submitted the story for review")),
        _t("withdraw", {S.IN_REVIEW, S.APPROVED}, S.DRAFT, _writer, "optional",
           _l("Withdraw from review"), _l("withdrew the story from review")),
        _t("approve", {S.IN_REVIEW}, None, _reviewer, "optional",
           _l("Approve"), _l("approved the story")),
        _t("request_changes", {S.IN_REVIEW, S.APPROVED, S.SCHEDULED}, S.CHANGES_REQUESTED,
           _editor, "required", _l("Request changes"), _l("requested changes")),
        _t("reject", {S.IN_REVIEW}, S.REJECTED, _editor, "required",
           _l("Reject"), _l("rejected the story")),
        _t("schedule", {S.APPROVED}, S.SCHEDULED, _publisher, "",
           _l("Schedule"), _l("scheduled the story")),
        _t("unschedule", {S.SCHEDULED}, S.APPROVED, _publisher, "",
           _l("Cancel the schedule"), _l("cancelled the schedule")),
        _t("publish", {S.APPROVED, S.SCHEDULED, S.UNPUBLISHED}, S.PUBLISHED, _publisher, "",
           _l("Publish now"), _l("published the story")),
        _t("unpublish", {S.PUBLISHED}, S.UNPUBLISHED, _editor, "required",
           _l("Unpublish"), _l("unpublished the story")),
        _t("reopen", {S.REJECTED, S.DECLINED}, None, _editor, "optional",
           _l("Reopen"), _l("reopened the story")),
        _t("trash", ANY_BUT_PUBLISHED, S.TRASH, _trasher, "optional",
           _l("Move to the trash"), _l("moved the story to the trash")),
        _t("restore", {S.TRASH}, None, _editor, "",
           _l("Restore from the trash"), _l("restored the story")),
    ]
}  # fmt: skip

# What the history says of moves that are not transitions.
OTHER_ACTIONS = {
    "pitch": _l("pitched the story"),
    "create": _l("started the story"),
    "translate": _l("started a translation"),
    "autopublish": _l("published the story at its scheduled time"),
    "reset": _l("edited the story substantively: approvals start again"),
}


def describe(action: str) -> str:
    """What the history says of ``action``."""
    known = TRANSITIONS.get(action)
    return str(known.done if known else OTHER_ACTIONS.get(action, action))


def allowed(user, story: Story | None, name: str) -> bool:
    """May ``user`` make move ``name`` on ``story`` now (status and who, not the inputs)?"""
    transition = TRANSITIONS[name]
    return (
        story is not None
        and getattr(user, "is_authenticated", False)
        and story.status in transition.sources
        and transition.who(user, story)
    )


def transition_actions() -> list[Action]:
    """One permission action per move, for ``register_actions``: the table decides for
    everyone, admins included (a published story cannot be approved, whoever asks)."""

    def rule(name):
        return lambda user, story: allowed(user, story, name)

    return [
        Action(f"blog.{name}", check=rule(name), roles=frozenset({"editor"}),
               staff_bypass=False, writes=True)
        for name in TRANSITIONS
    ]  # fmt: skip


def available(user, story: Story) -> list[Transition]:
    """The moves ``user`` may make on ``story`` now, in the table's order (for buttons)."""
    return [t for t in TRANSITIONS.values() if can(user, f"blog.{t.name}", story)]


def _approved_since_edit(user, story: Story) -> bool:
    """Has ``user`` approved the story since its last substantive revision?"""
    found = db.session.scalar(
        select(StoryDecision.id)
        .where(
            StoryDecision.story_id == story.id,
            StoryDecision.user_id == user.id,
            StoryDecision.action == "approve",
            StoryDecision.revision_number >= story.substantive_revision_number,
            StoryDecision.created_at >= (story.submitted_at or story.created_at),
        )
        .limit(1)
    )
    return found is not None


# --- the pre-publish checklist -----------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    ok: bool


def checklist(story: Story) -> list[Check]:
    """What must hold before a story is published or scheduled."""
    excerpt = len(story.excerpt.strip())
    low, high = int(value("excerpt_min_length")), int(value("excerpt_max_length"))
    has_image = bool(story.image_url)
    checks = [
        Check("title", _("It has a title"), bool(story.title.strip())),
        Check("body", _("It has a text"), bool(story.body.strip())),
        Check("excerpt", _("Its excerpt is %(low)d to %(high)d characters long",
                           low=low, high=high), low <= excerpt <= high),
        Check("category", _("It has a category"), story.category_id is not None),
    ]  # fmt: skip
    if value("require_image") or has_image:
        checks.append(Check("image", _("It has a featured image"), has_image))
        checks.append(Check("image_alt", _("The image has a text alternative"),
                            has_image and bool(story.image_alt.strip())))  # fmt: skip
        checks.append(Check("image_attribution", _("The image's author or source is credited"),
                            has_image and bool(story.image_attribution.strip())))  # fmt: skip
    return checks


def _require_checklist(story: Story) -> None:
    missing = [check.label for check in checklist(story) if not check.ok]
    if missing:
        raise WorkflowError(
            _("Not ready to publish: %(missing)s.", missing="; ".join(missing)), "checklist"
        )


# --- moving ------------------------------------------------------------------------------------


def _clean_note(transition: Transition, note: str) -> str:
    note = (note or "").strip()
    if transition.note == "required" and not note:
        raise WorkflowError(_("Please say why: the writer reads this note."), "note")
    if len(note) > NOTE_MAX:
        raise WorkflowError(_("The note is too long (at most %(n)d characters).", n=NOTE_MAX),
                            "note")  # fmt: skip
    return note if transition.note else ""


def claim(story: Story, target: Status, expected_version: int | None) -> None:
    """Move ``story`` to ``target`` if nobody moved it since ``expected_version``."""
    version = story.version if expected_version is None else expected_version
    done = db.session.execute(
        update(Story)
        .where(Story.id == story.id, Story.version == version)
        .values(status=target, version=version + 1),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not done:
        db.session.expire(story)
        raise Conflict(_("Someone else changed this story meanwhile. Look again and retry."))
    set_committed_value(story, "status", target)
    set_committed_value(story, "version", version + 1)


def record(story: Story, user, action: str, before: Status | None, note: str = "") -> StoryDecision:
    """Add a line to the story's history."""
    decision = StoryDecision(
        story_id=story.id,
        user_id=getattr(user, "id", None),
        action=action,
        from_status=before,
        to_status=story.status,
        note=note,
        revision_number=story.revision_number,
        created_at=utcnow(),
    )
    db.session.add(decision)
    return decision


def move(
    user,
    story: Story,
    name: str,
    *,
    note: str = "",
    publish_at: datetime | None = None,
    writer: User | None = None,
    due_date: date | None = None,
    version: int | None = None,
) -> StoryDecision:
    """Make move ``name`` on ``story`` as ``user`` and apply its consequences (history,
    counters, discussion topic, search, notifications, audit). ``version`` is the story's
    version the person saw (None: the one loaded). The caller checked
    ``require(user, f"blog.{name}", story)``; inputs are checked here (``WorkflowError``)."""
    transition = TRANSITIONS[name]
    if not allowed(user, story, name):
        raise WorkflowError(_("This story cannot be moved that way now."))
    note = _clean_note(transition, note)
    before = story.status
    now = utcnow()
    target = transition.target
    if name == "approve":
        enough = story.approvals + 1 >= int(value("required_approvals"))
        target = Status.APPROVED if enough else Status.IN_REVIEW
    elif name == "reopen":
        target = Status.PITCH if before == Status.DECLINED else Status.DRAFT
    elif name == "restore":
        target = story.status_before_trash or Status.DRAFT
        if target == Status.PUBLISHED:  # cannot happen from the table; stay safe
            target = Status.UNPUBLISHED
        if target == Status.SCHEDULED:  # the trash cleared its time: schedule it again
            target = Status.APPROVED
    elif name in {"publish", "schedule"}:
        _require_checklist(story)
    if name == "schedule":
        publish_at = _check_schedule(publish_at, now)
    if name == "accept":
        writer = writer or (db.session.get(User, story.pitched_by_id) if story.pitched_by_id
                            else None)  # fmt: skip
        if writer is None:
            raise WorkflowError(_("Choose who writes the story."), "writer")
        if due_date is not None and due_date < now.date():
            raise WorkflowError(_("The due date is in the past."), "due_date")

    claim(story, target, version)
    story.updated_at = now
    decision = record(story, user, name, before, note)
    _consequences(user, story, name, before, note, now,
                  publish_at=publish_at, writer=writer, due_date=due_date)  # fmt: skip
    return decision


def _check_schedule(publish_at: datetime | None, now: datetime) -> datetime:
    if publish_at is None:
        raise WorkflowError(_("Choose when to publish."), "publish_at")
    if publish_at.tzinfo is None:
        raise WorkflowError(_("Choose when to publish."), "publish_at")
    if publish_at <= now:
        raise WorkflowError(_("Choose a time in the future, or publish now."), "publish_at")
    if publish_at > now + timedelta(days=SCHEDULE_MAX_DAYS):
        raise WorkflowError(_("Choose a time within a year."), "publish_at")
    return publish_at


def _consequences(user, story, name, before, note, now, *, publish_at, writer, due_date) -> None:
    if name == "accept":
        set_writers(story, [writer])
        story.editor_id = user.id
        story.due_date = due_date
        notices.follow(story, user.id)
        notices.tell(story, "blog.pitch_accepted", user, note=note)
    elif name == "decline":
        notices.tell(story, "blog.pitch_declined", user, note=note)
    elif name == "submit":
        story.submitted_at = now
        notices.follow(story, user.id)
        notices.tell(story, "blog.submitted", user, note=note, editors=True)
    elif name == "withdraw":
        story.submitted_at = None
        story.approvals = 0
        story.publish_at = None
        notices.tell(story, "blog.withdrawn", user, note=note)
    elif name == "approve":
        story.approvals += 1
        notices.follow(story, user.id)
        notices.tell(story, "blog.decision", user, note=note, decision=name)
    elif name in {"request_changes", "reject"}:
        story.approvals = 0
        story.publish_at = None
        notices.follow(story, user.id)
        notices.tell(story, "blog.decision", user, note=note, decision=name)
    elif name == "schedule":
        story.publish_at = publish_at
        notices.tell(story, "blog.scheduled", user)
    elif name == "unschedule":
        story.publish_at = None
    elif name == "publish":
        publishing.publish(story, user, now)
    elif name == "unpublish":
        publishing.unpublish(story, user, note)
    elif name == "trash":
        story.trashed_at = now
        story.status_before_trash = before
        story.publish_at = None
        release_lock(story)
    elif name == "restore":
        story.trashed_at = None
        story.status_before_trash = None
    if name in {"unpublish", "trash", "restore", "reject", "decline"}:
        audit.record(f"blog.story.{name}", actor=user, target=story, target_type="story",
                     target_label=story.title[:200] or f"#{story.id}", reason=note)  # fmt: skip
    indexing.queue_story(story)


def set_writers(story: Story, writers: list[User]) -> None:
    """The story's writers in byline order; the first leads. Each follows the story."""
    seen: list[User] = []
    for person in writers:
        if person is not None and all(person.id != other.id for other in seen):
            seen.append(person)
    db.session.execute(delete(StoryAuthor).where(StoryAuthor.story_id == story.id))
    db.session.add_all(
        StoryAuthor(story_id=story.id, user_id=person.id, position=index)
        for index, person in enumerate(seen)
    )
    story.writer_id = seen[0].id if seen else None
    db.session.flush()
    db.session.expire(story, ["authors"])
    for person in seen:
        notices.follow(story, person.id)


def release_lock(story: Story) -> None:
    story.lock_user_id = None
    story.lock_heartbeat_at = None


STATUS_LABELS = {
    Status.PITCH: _l("Pitch"),
    Status.DECLINED: _l("Declined"),
    Status.DRAFT: _l("Draft"),
    Status.IN_REVIEW: _l("In review"),
    Status.CHANGES_REQUESTED: _l("Changes requested"),
    Status.APPROVED: _l("Approved"),
    Status.SCHEDULED: _l("Scheduled"),
    Status.PUBLISHED: _l("Published"),
    Status.REJECTED: _l("Rejected"),
    Status.UNPUBLISHED: _l("Unpublished"),
    Status.TRASH: _l("Trash"),
}


def status_label(status: Status | str) -> str:
    """What people read for a status (templates: ``blog_status_label``)."""
    return str(STATUS_LABELS.get(Status(status), status))
