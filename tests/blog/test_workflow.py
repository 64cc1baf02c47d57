"""Every move through the editorial flow, from every status, for every kind of person.

The expectations below are written out from the rules (access.py, workflow.py and the issue),
not read from ``workflow.TRANSITIONS``, so that a change of the rules fails here:

- contributors (trust level 1) submit the stories they write and withdraw them, and trash
  their own unpublished work; a pitcher may trash their pitch;
- authors (trust level 3) may also schedule and publish their own approved story
  (``authors_publish``), not republish an unpublished one;
- editors decide everything else; an editor does not approve a story they write;
- admins are editors for every move;
- nobody moves a story out of a status the move does not leave from, anonymous readers
  never move anything.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.blog.models import Status, StoryDecision
from plugins.blog.services import workflow
from plugins.blog.services.workflow import WorkflowError
from space.accounts.models import Anonymous
from space.db import db, utcnow
from space.permissions import can

from .conftest import reload

S = Status

ANON = "anonymous"
OUTSIDER = "outsider"  # a contributor (TL1) with nothing to do with the story
WRITER = "writer"  # the story's writer, a contributor (TL1)
WRITER_AUTHOR = "writer_author"  # the story's writer, an author (TL3)
AUTHOR = "author"  # an author (TL3) with nothing to do with the story
PITCHER = "pitcher"  # pitched the story (TL1), does not write it
EDITOR = "editor"
EDITOR_WRITER = "editor_writer"  # an editor who writes the story
ADMIN = "admin"
PERSONAS = [ANON, OUTSIDER, WRITER, WRITER_AUTHOR, AUTHOR, PITCHER, EDITOR, EDITOR_WRITER, ADMIN]

MOVES = ["accept", "decline", "submit", "withdraw", "approve", "request_changes", "reject",
         "schedule", "unschedule", "publish", "unpublish", "reopen", "trash",
         "restore"]  # fmt: skip

EDITORS = {EDITOR, EDITOR_WRITER, ADMIN}
WRITERS = {WRITER, WRITER_AUTHOR, EDITOR_WRITER}

# move -> {status it leaves from -> who may make it from there}
EXPECTED: dict[str, dict[Status, set[str]]] = {
    "accept": {S.PITCH: EDITORS},
    "decline": {S.PITCH: EDITORS},
    "submit": {S.DRAFT: EDITORS | WRITERS, S.CHANGES_REQUESTED: EDITORS | WRITERS},
    "withdraw": {S.IN_REVIEW: WRITERS, S.APPROVED: WRITERS},
    "approve": {S.IN_REVIEW: {EDITOR, ADMIN}},
    "request_changes": {S.IN_REVIEW: EDITORS, S.APPROVED: EDITORS, S.SCHEDULED: EDITORS},
    "reject": {S.IN_REVIEW: EDITORS},
    "schedule": {S.APPROVED: EDITORS | {WRITER_AUTHOR}},
    "unschedule": {S.SCHEDULED: EDITORS | {WRITER_AUTHOR}},
    "publish": {
        S.APPROVED: EDITORS | {WRITER_AUTHOR},
        S.SCHEDULED: EDITORS | {WRITER_AUTHOR},
        S.UNPUBLISHED: EDITORS,
    },
    "unpublish": {S.PUBLISHED: EDITORS},
    "reopen": {S.REJECTED: EDITORS, S.DECLINED: EDITORS},
    "trash": {
        S.PITCH: EDITORS | {PITCHER},
        S.DECLINED: EDITORS | {PITCHER},
        S.DRAFT: EDITORS | WRITERS,
        S.CHANGES_REQUESTED: EDITORS | WRITERS,
        S.REJECTED: EDITORS | WRITERS,
        S.IN_REVIEW: EDITORS,
        S.APPROVED: EDITORS,
        S.SCHEDULED: EDITORS,
        S.UNPUBLISHED: EDITORS,
    },
    "restore": {S.TRASH: EDITORS},
}

# (move, from) -> where the story ends up (one approval required, the default; a trashed
# story was a draft).
TARGET = {
    ("accept", S.PITCH): S.DRAFT,
    ("decline", S.PITCH): S.DECLINED,
    ("submit", S.DRAFT): S.IN_REVIEW,
    ("submit", S.CHANGES_REQUESTED): S.IN_REVIEW,
    ("withdraw", S.IN_REVIEW): S.DRAFT,
    ("withdraw", S.APPROVED): S.DRAFT,
    ("approve", S.IN_REVIEW): S.APPROVED,
    ("request_changes", S.IN_REVIEW): S.CHANGES_REQUESTED,
    ("request_changes", S.APPROVED): S.CHANGES_REQUESTED,
    ("request_changes", S.SCHEDULED): S.CHANGES_REQUESTED,
    ("reject", S.IN_REVIEW): S.REJECTED,
    ("schedule", S.APPROVED): S.SCHEDULED,
    ("unschedule", S.SCHEDULED): S.APPROVED,
    ("publish", S.APPROVED): S.PUBLISHED,
    ("publish", S.SCHEDULED): S.PUBLISHED,
    ("publish", S.UNPUBLISHED): S.PUBLISHED,
    ("unpublish", S.PUBLISHED): S.UNPUBLISHED,
    ("reopen", S.REJECTED): S.DRAFT,
    ("reopen", S.DECLINED): S.PITCH,
    **{("trash", status): S.TRASH for status in set(Status) - {S.PUBLISHED, S.TRASH}},
    ("restore", S.TRASH): S.DRAFT,
}


def inputs(name):
    """Valid inputs for a move: a note for every move (dropped where none is asked), a
    time for a schedule."""
    found = {"note": f"Because of reasons ({name})."}
    if name == "schedule":
        found["publish_at"] = utcnow() + timedelta(days=2)
    return found


def build(make, status, persona):
    """A story in ``status`` and the people of the matrix around it. The pitcher pitched it
    (for a story: an editor accepted the pitch and gave it to the writer)."""
    pitcher = make.writer()
    if persona == WRITER_AUTHOR:
        writer = make.author()
    elif persona == EDITOR_WRITER:
        writer = make.editor()
    else:
        writer = make.writer()
    if status in {S.PITCH, S.DECLINED}:
        story = make.story(pitcher, status)
    else:
        story = make.story(writer, status, pitcher=pitcher)
    people = {
        ANON: Anonymous(),
        OUTSIDER: make.writer(),
        WRITER: writer,
        WRITER_AUTHOR: writer,
        AUTHOR: make.author(),
        PITCHER: pitcher,
        EDITOR: make.editor(),
        EDITOR_WRITER: writer,
        ADMIN: make.admin(),
    }
    return reload(story), people


def expected_moves(status, persona) -> set[str]:
    return {name for name, rules in EXPECTED.items() if persona in rules.get(status, set())}


def decisions(story, action=None) -> list[StoryDecision]:
    query = select(StoryDecision).where(StoryDecision.story_id == story.id)
    if action is not None:
        query = query.where(StoryDecision.action == action)
    return list(db.session.scalars(query.order_by(StoryDecision.id)))


def test_the_table_has_the_moves_this_matrix_knows(app):
    assert sorted(workflow.TRANSITIONS) == sorted(MOVES)
    assert sorted(EXPECTED) == sorted(MOVES)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", list(Status), ids=str)
def test_who_may_make_which_move(make, status, persona):
    story, people = build(make, status, persona)
    user = people[persona]
    want = expected_moves(status, persona)

    got = {name for name in MOVES if can(user, f"blog.{name}", story)}
    assert got == want, f"{persona} on a {status} story"
    assert {t.name for t in workflow.available(user, story)} == want

    # Every refused move is refused by the service too, and changes nothing.
    version, history = story.version, len(decisions(story))
    for name in sorted(set(MOVES) - want):
        with pytest.raises(WorkflowError) as refused:
            workflow.move(user, story, name, **inputs(name))
        assert not isinstance(refused.value, workflow.Conflict)
        assert refused.value.message == "This story cannot be moved that way now."
    db.session.commit()
    story = reload(story)
    assert (story.status, story.version) == (status, version)
    assert len(decisions(story)) == history


ALLOWED = [
    (name, status, persona)
    for name, rules in EXPECTED.items()
    for status, who in rules.items()
    for persona in PERSONAS
    if persona in who
]


@pytest.mark.parametrize(("name", "status", "persona"), ALLOWED,
                         ids=[f"{n}-{s}-{p}" for n, s, p in ALLOWED])  # fmt: skip
def test_an_allowed_move_moves_and_is_recorded(make, name, status, persona):
    story, people = build(make, status, persona)
    user = people[persona]
    version = story.version
    before = len(decisions(story))

    decision = workflow.move(user, story, name, **inputs(name))
    db.session.commit()

    story = reload(story)
    target = TARGET[(name, status)]
    assert story.status == target
    assert story.version == version + 1
    assert len(decisions(story)) == before + 1
    row = db.session.get(StoryDecision, decision.id)
    assert (row.story_id, row.user_id, row.action) == (story.id, user.id, name)
    assert (row.from_status, row.to_status) == (status, target)
    assert row.revision_number == story.revision_number
    if workflow.TRANSITIONS[name].note:
        assert row.note == f"Because of reasons ({name})."
    else:
        assert row.note == ""


@pytest.mark.parametrize("before", [S.DRAFT, S.CHANGES_REQUESTED, S.REJECTED, S.IN_REVIEW,
                                    S.APPROVED, S.SCHEDULED, S.UNPUBLISHED])  # fmt: skip
def test_restore_brings_a_story_back_where_it_was(make, before):
    editor = make.editor()
    story = make.story(None, before)
    story = make.move(editor, story, "trash")
    assert story.status == S.TRASH and story.status_before_trash == before
    assert story.trashed_at is not None and story.publish_at is None

    story = make.move(editor, story, "restore")
    # A scheduled story lost its time in the trash: it comes back approved, to be scheduled
    # again (never "scheduled" for no time, which nothing would ever publish).
    assert story.status == (S.APPROVED if before == S.SCHEDULED else before)
    assert story.trashed_at is None and story.status_before_trash is None


def test_restore_of_a_pitch_and_reopen_of_a_declined_pitch(make):
    editor = make.editor()
    pitch = make.move(editor, make.pitch(), "trash")
    assert make.move(editor, pitch, "restore").status == S.PITCH
    declined = make.story(None, S.DECLINED)
    assert make.move(editor, declined, "reopen").status == S.PITCH


def test_accept_gives_the_story_to_its_writer_with_a_due_date(make):
    pitcher, writer, editor = make.writer(), make.writer(), make.editor()
    story = make.pitch(pitcher)
    due = (utcnow() + timedelta(days=10)).date()
    story = make.move(editor, story, "accept", writer=writer, due_date=due)
    assert story.status == S.DRAFT
    assert story.writer_id == writer.id and [a.user_id for a in story.authors] == [writer.id]
    assert story.editor_id == editor.id and story.due_date == due
    assert can(writer, "blog.story.edit", story)
    assert not can(pitcher, "blog.story.edit", story)


def test_accept_without_a_writer_gives_the_story_to_the_pitcher(make):
    pitcher = make.writer()
    story = make.move(make.editor(), make.pitch(pitcher), "accept")
    assert story.writer_id == pitcher.id


def test_accept_refuses_a_due_date_in_the_past(make):
    story = make.pitch()
    with pytest.raises(WorkflowError) as refused:
        workflow.move(make.editor(), story, "accept", due_date=utcnow().date() - timedelta(days=1))
    assert refused.value.field == "due_date"
    db.session.rollback()
    assert reload(story).status == S.PITCH


def test_withdraw_clears_the_approvals(make):
    writer = make.writer()
    story = make.story(writer, S.APPROVED)
    assert story.approvals == 1
    story = make.move(writer, story, "withdraw")
    assert story.status == S.DRAFT
    assert story.approvals == 0 and story.submitted_at is None


def test_a_co_writer_submits_and_withdraws(make):
    lead, second = make.writer(), make.writer()
    story = make.story(lead, S.DRAFT, writers=[second])
    assert [a.user_id for a in story.authors] == [lead.id, second.id]
    assert can(second, "blog.submit", story)
    story = make.move(second, story, "submit")
    assert can(second, "blog.withdraw", story)
    assert make.move(second, story, "withdraw").status == S.DRAFT


def test_an_admin_may_approve_a_story_they_write(make):
    admin = make.admin()
    story = make.story(admin, S.IN_REVIEW)
    assert can(admin, "blog.approve", story)
    assert make.move(admin, story, "approve").status == S.APPROVED


def test_authors_do_not_publish_when_the_setting_is_off(make):
    from plugins.blog import settings

    author = make.author()
    story = make.story(author, S.APPROVED)
    settings.put("authors_publish", False)
    db.session.commit()
    assert not can(author, "blog.publish", story)
    assert not can(author, "blog.schedule", story)
    assert can(make.editor(), "blog.publish", story)


def test_the_author_level_is_a_setting(make):
    from plugins.blog import settings

    writer = make.writer()  # trust level 1: a contributor
    story = make.story(writer, S.APPROVED)
    assert not can(writer, "blog.publish", story)
    settings.put("author_trust_level", 1)
    db.session.commit()
    assert can(writer, "blog.publish", story)
    assert make.move(writer, story, "publish").status == S.PUBLISHED


def test_history_counts_one_decision_per_move(make):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, S.PUBLISHED, editor=editor)
    actions = [(d.action, d.from_status, d.to_status) for d in decisions(story)]
    assert actions == [
        ("create", None, S.DRAFT),
        ("submit", S.DRAFT, S.IN_REVIEW),
        ("approve", S.IN_REVIEW, S.APPROVED),
        ("publish", S.APPROVED, S.PUBLISHED),
    ]
    assert story.version == 4
    assert db.session.scalar(select(func.count()).select_from(StoryDecision)) == 4
