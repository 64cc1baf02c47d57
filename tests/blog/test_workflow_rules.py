"""The rules a move checks beyond who may make it: notes, approvals and substantive edits,
the pre-publish checklist, the schedule's time, two people moving at once, silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException

from plugins.blog import settings
from plugins.blog.models import Status, Story, StoryDecision, StoryRevision
from plugins.blog.services import publishing, revisions, workflow
from plugins.blog.services.workflow import Conflict, WorkflowError
from space.db import db, utcnow
from space.moderation import penalties
from space.permissions import can, require

from .conftest import BODY, EXCERPT, reload

S = Status


def history(story) -> list[tuple[str, Status | None, Status]]:
    rows = db.session.scalars(
        select(StoryDecision).where(StoryDecision.story_id == story.id).order_by(StoryDecision.id)
    )
    return [(row.action, row.from_status, row.to_status) for row in rows]


def set_setting(name, value):
    settings.put(name, value)
    db.session.commit()


# --- notes ------------------------------------------------------------------------------------

NOTE_REQUIRED = [
    ("decline", S.PITCH),
    ("request_changes", S.IN_REVIEW),
    ("request_changes", S.APPROVED),
    ("request_changes", S.SCHEDULED),
    ("reject", S.IN_REVIEW),
    ("unpublish", S.PUBLISHED),
]


@pytest.mark.parametrize(("name", "status"), NOTE_REQUIRED)
@pytest.mark.parametrize("note", ["", "   \n\t "])
def test_a_decision_against_the_writer_needs_a_note(make, name, status, note):
    story = make.story(None, status)
    editor = make.editor()
    version, before = story.version, history(story)

    with pytest.raises(WorkflowError) as refused:
        workflow.move(editor, story, name, note=note)
    assert refused.value.field == "note"
    assert "Please say why" in refused.value.message
    db.session.rollback()
    story = reload(story)
    assert (story.status, story.version, history(story)) == (status, version, before)

    workflow.move(editor, story, name, note="  The second part needs sources.  ")
    db.session.commit()
    row = db.session.scalars(
        select(StoryDecision).where(StoryDecision.story_id == story.id,
                                    StoryDecision.action == name)
    ).one()  # fmt: skip
    assert row.note == "The second part needs sources."


def test_a_note_has_a_length_limit(make):
    story = make.story(None, S.IN_REVIEW)
    with pytest.raises(WorkflowError) as refused:
        workflow.move(make.editor(), story, "reject", note="x" * (workflow.NOTE_MAX + 1))
    assert refused.value.field == "note"


def test_moves_that_need_no_note_work_without_one(make):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, S.DRAFT)
    story = make.move(writer, story, "submit")
    story = make.move(editor, story, "approve")
    assert story.status == S.APPROVED


# --- approvals --------------------------------------------------------------------------------


@pytest.fixture
def two_approvals(app):
    set_setting("required_approvals", 2)


def test_two_approvals_from_two_editors(make, two_approvals):
    first, second = make.editor(), make.editor()
    story = make.story(None, S.IN_REVIEW)

    story = make.move(first, story, "approve")
    assert story.status == S.IN_REVIEW and story.approvals == 1
    # The same editor may not approve twice.
    assert not can(first, "blog.approve", story)
    with pytest.raises(WorkflowError):
        workflow.move(first, story, "approve")
    db.session.rollback()
    story = reload(story)
    assert story.approvals == 1

    assert can(second, "blog.approve", story)
    story = make.move(second, story, "approve")
    assert story.status == S.APPROVED and story.approvals == 2
    assert history(story)[-2:] == [("approve", S.IN_REVIEW, S.IN_REVIEW),
                                   ("approve", S.IN_REVIEW, S.APPROVED)]  # fmt: skip


def edit(user, story, **changes):
    """Save the story's text with ``changes`` as ``user``; committed; the story re-loaded."""
    text = revisions.Text.of(story)
    text = revisions.Text(changes.get("title", text.title), changes.get("excerpt", text.excerpt),
                          changes.get("body", text.body))  # fmt: skip
    revisions.save(user, story, text, base_revision=story.revision_number)
    db.session.commit()
    return reload(story)


LONG_CHANGE = BODY + "\n\nA whole new paragraph that changes the meaning of the story a lot."


def test_a_substantive_edit_in_review_starts_the_approvals_again(make, two_approvals):
    first, second = make.editor(), make.editor()
    story = make.move(first, make.story(None, S.IN_REVIEW), "approve")
    assert story.approvals == 1

    story = edit(second, story, body=LONG_CHANGE)
    assert story.status == S.IN_REVIEW and story.approvals == 0
    assert history(story)[-1] == ("reset", S.IN_REVIEW, S.IN_REVIEW)
    # The first editor approved an older text: they may approve again.
    assert can(first, "blog.approve", story)
    story = make.move(first, story, "approve")
    assert story.approvals == 1 and story.status == S.IN_REVIEW


@pytest.mark.parametrize("status", [S.APPROVED, S.SCHEDULED])
def test_a_substantive_edit_sends_an_approved_story_back_to_review(make, status):
    reviewer, editor = make.editor(), make.editor()
    story = make.story(None, status, editor=reviewer)
    version = story.version

    story = edit(editor, story, body=LONG_CHANGE)
    assert story.status == S.IN_REVIEW
    assert story.approvals == 0 and story.publish_at is None
    assert story.version == version + 1
    assert story.substantive_revision_number == story.revision_number == 2
    assert history(story)[-1] == ("reset", status, S.IN_REVIEW)
    assert can(reviewer, "blog.approve", story)
    assert publishing.publish_due(utcnow() + timedelta(days=30)) == 0


def test_a_title_change_is_substantive(make):
    story = make.story(None, S.APPROVED)
    story = edit(make.editor(), story, title=story.title + "!")
    assert story.status == S.IN_REVIEW and story.approvals == 0


def test_a_small_edit_keeps_the_approvals(make):
    story = make.story(None, S.APPROVED)
    version, substantive = story.version, story.substantive_revision_number
    story = edit(make.editor(), story, body=BODY.replace("useful", "helpful"))
    assert story.status == S.APPROVED and story.approvals == 1
    assert story.version == version
    assert story.revision_number == 2 and story.substantive_revision_number == substantive
    latest = db.session.scalars(
        select(StoryRevision).where(StoryRevision.story_id == story.id, StoryRevision.number == 2)
    ).one()
    assert latest.substantive is False
    assert history(story)[-1][0] == "approve"


def test_the_substantive_threshold_is_a_setting(make):
    set_setting("substantive_edit_chars", 5)
    story = make.story(None, S.APPROVED)
    story = edit(make.editor(), story, body=BODY.replace("useful", "very helpful"))
    assert story.status == S.IN_REVIEW


# --- the checklist ----------------------------------------------------------------------------


def missing(story) -> set[str]:
    return {check.name for check in workflow.checklist(story) if not check.ok}


@pytest.mark.parametrize("name", ["publish", "schedule"])
@pytest.mark.parametrize(
    ("text", "lacking", "says"),
    [
        ({"category": None}, {"category"}, "It has a category"),
        ({"excerpt": "Too short."}, {"excerpt"}, "excerpt is 50 to 300 characters"),
        ({"title": ""}, {"title"}, "It has a title"),
        ({"body": ""}, {"body"}, "It has a text"),
        ({"image": ("/uploads/a.png", "", "")}, {"image_alt", "image_attribution"},
         "text alternative"),
        ({"image": ("/uploads/a.png", "A crowd", "")}, {"image_attribution"}, "credited"),
    ],
)  # fmt: skip
def test_the_checklist_blocks_publication(make, name, text, lacking, says):
    story = make.story(None, S.APPROVED, **text)
    assert missing(story) == lacking
    editor = make.editor()
    assert can(editor, f"blog.{name}", story), "the move is allowed; its input is not ready"
    with pytest.raises(WorkflowError) as refused:
        workflow.move(editor, story, name, publish_at=utcnow() + timedelta(hours=3))
    assert refused.value.field == "checklist"
    assert "Not ready to publish" in refused.value.message and says in refused.value.message
    db.session.rollback()
    assert reload(story).status == S.APPROVED


def test_a_complete_story_passes_the_checklist(make):
    story = make.story(None, S.APPROVED, image=("/uploads/a.png", "A crowd", "Photo: Ana"))
    checks = workflow.checklist(story)
    assert {c.name for c in checks} == {"title", "body", "excerpt", "category", "image",
                                        "image_alt", "image_attribution"}  # fmt: skip
    assert all(c.ok for c in checks)
    assert make.move(make.editor(), story, "publish").status == S.PUBLISHED


def test_a_required_image_is_in_the_checklist(make):
    story = make.story(None, S.APPROVED)
    assert missing(story) == set()
    set_setting("require_image", True)
    assert missing(story) == {"image", "image_alt", "image_attribution"}
    with pytest.raises(WorkflowError):
        workflow.move(make.editor(), story, "publish")


def test_the_checklist_reads_the_excerpt_limits(make):
    story = make.story(None, S.APPROVED, excerpt="x" * 60)
    assert missing(story) == set()
    set_setting("excerpt_min_length", 70)
    assert missing(story) == {"excerpt"}


# --- scheduling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        None,
        datetime(2030, 1, 1, 12, 0),  # no time zone
        "past",
        "now",
        "too far",
    ],
    ids=["none", "naive", "past", "now", "too-far"],
)
def test_schedule_needs_a_time_in_the_future(make, when):
    story = make.story(None, S.APPROVED)
    now = utcnow()
    times = {
        "past": now - timedelta(minutes=5),
        "now": now,
        "too far": now + timedelta(days=workflow.SCHEDULE_MAX_DAYS + 1),
    }
    when = times.get(when, when)
    with pytest.raises(WorkflowError) as refused:
        workflow.move(make.editor(), story, "schedule", publish_at=when)
    assert refused.value.field == "publish_at"
    db.session.rollback()
    story = reload(story)
    assert story.status == S.APPROVED and story.publish_at is None


def test_schedule_keeps_the_time(make):
    story = make.story(None, S.APPROVED)
    when = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    story = make.move(make.editor(), story, "schedule", publish_at=when)
    assert story.status == S.SCHEDULED
    assert story.publish_at == when and story.publish_at.tzinfo is not None
    story = make.move(make.editor(), story, "unschedule")
    assert story.status == S.APPROVED and story.publish_at is None


def test_schedule_accepts_any_time_zone(make):
    story = make.story(None, S.APPROVED)
    local = datetime.now(UTC).astimezone() + timedelta(days=1)
    story = make.move(make.editor(), story, "schedule", publish_at=local)
    assert abs(story.publish_at - local) < timedelta(seconds=1)


@pytest.mark.parametrize("name", ["request_changes", "withdraw"])
def test_a_story_taken_out_of_the_schedule_loses_its_time(make, name):
    writer = make.writer()
    story = make.story(writer, S.SCHEDULED)
    if name == "withdraw":  # not from scheduled: unschedule first
        story = make.move(make.editor(), story, "unschedule")
        story = make.move(writer, story, "withdraw")
    else:
        story = make.move(make.editor(), story, name, note="Wait for the vote.")
    assert story.publish_at is None
    assert publishing.publish_due(utcnow() + timedelta(days=30)) == 0


# --- two people at once -----------------------------------------------------------------------


def test_a_move_from_a_stale_version_is_a_conflict(make):
    story = make.story(None, S.IN_REVIEW)
    seen = story.version - 1  # the page was loaded before the last move
    with pytest.raises(Conflict) as refused:
        workflow.move(make.editor(), story, "reject", note="No.", version=seen)
    assert "Someone else changed this story" in refused.value.message
    db.session.rollback()
    story = reload(story)
    assert story.status == S.IN_REVIEW
    assert ("reject", S.IN_REVIEW, S.REJECTED) not in history(story)


def test_two_editors_deciding_at_once_cannot_both_succeed(make, two_approvals):
    first, second = make.editor(), make.editor()
    story = make.story(None, S.IN_REVIEW)
    seen = story.version  # both loaded the page now

    make.move(first, story, "approve", version=seen)
    story = reload(story)
    with pytest.raises(Conflict):
        workflow.move(second, story, "approve", version=seen)
    db.session.rollback()
    story = reload(story)
    assert story.approvals == 1 and story.status == S.IN_REVIEW
    assert [h[0] for h in history(story)].count("approve") == 1


def test_a_move_behind_our_back_is_a_conflict(make):
    """Another process moved the story after we loaded it: the claim fails, nothing is
    recorded."""
    editor = make.editor()
    story = make.story(None, S.IN_REVIEW)
    assert story.version == 2
    with db.engine.begin() as other:  # another process, its own connection
        other.execute(update(Story.__table__).where(Story.__table__.c.id == story.id)
                      .values(version=3))  # fmt: skip
    with pytest.raises(Conflict):
        workflow.move(editor, story, "approve")
    db.session.rollback()
    story = reload(story)
    assert story.status == S.IN_REVIEW and story.approvals == 0 and story.version == 3
    assert "approve" not in [h[0] for h in history(story)]


# --- silence ----------------------------------------------------------------------------------


def silence(make, user):
    penalties.silence(user, by=make.admin(), reason="Shouting.", days=3)
    db.session.commit()


@pytest.mark.parametrize(("status", "who"), [(S.IN_REVIEW, "editor"), (S.DRAFT, "writer"),
                                              (S.APPROVED, "author")])  # fmt: skip
def test_silenced_people_may_not_move_a_story(make, app, status, who):
    writer = make.author() if who == "author" else make.writer()
    story = make.story(writer, status)
    user = make.editor() if who == "editor" else writer
    assert any(can(user, f"blog.{name}", story) for name in workflow.TRANSITIONS)

    silence(make, user)
    story = reload(story)
    assert not [name for name in workflow.TRANSITIONS if can(user, f"blog.{name}", story)]
    with app.test_request_context(), pytest.raises(HTTPException) as refused:
        require(user, "blog.approve" if who == "editor" else "blog.submit", story)
    assert refused.value.code == 403


def test_a_silenced_editor_is_offered_no_move(make):
    """``available`` gives the buttons: a silenced editor sees none."""
    story = make.story(None, S.IN_REVIEW)
    editor = make.editor()
    silence(make, editor)
    assert workflow.available(editor, reload(story)) == []


def test_the_excerpt_and_body_used_by_the_maker_pass(make):
    """Guards the fixtures: their text passes the checklist as it stands."""
    assert 50 <= len(EXCERPT) <= 300
    story = make.story(None, S.APPROVED)
    assert missing(story) == set()
