"""Moves through the editorial flow over HTTP (``POST /blog/stories/<id>/move/<name>``): each
move made by someone allowed, refusals (404 for people who may not see the story, 403 for
those who see it, 401 → sign-in for anonymous readers), and bad input answered with a
message, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from plugins.blog.models import Status, StoryDecision
from space.db import db, utcnow
from space.moderation import penalties
from tests import factories
from tests.conftest import FreshContextClient, csrf_token

from .conftest import reload

S = Status


@pytest.fixture
def as_(app):
    """``as_(user)``: a client signed in as ``user`` (None: anonymous)."""

    def signed_in(user) -> FlaskClient:
        app.test_client_class = FreshContextClient
        client = app.test_client()
        if user is not None:
            token = csrf_token(client)
            response = client.post("/login", data={"login": user.username,
                                                   "password": factories.PASSWORD,
                                                   "csrf_token": token})  # fmt: skip
            assert response.status_code == 302
        return client

    return signed_in


def send(client, story, name, *, version=None, token=True, **fields):
    data = {"version": str(story.version if version is None else version), **fields}
    if token:
        data["csrf_token"] = csrf_token(client, "/")
    return client.post(f"/blog/stories/{story.id}/move/{name}", data=data)


def text(response) -> str:
    return response.get_data(as_text=True)


def local(moment) -> str:
    """A datetime-local input's value (the default time zone is UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


# (move, from, who, form fields, where the story ends up)
MOVES = [
    ("accept", S.PITCH, "editor", {"writer": "", "due_date": ""}, S.DRAFT),
    ("decline", S.PITCH, "editor", {"note": "Covered already."}, S.DECLINED),
    ("submit", S.DRAFT, "writer", {}, S.IN_REVIEW),
    ("withdraw", S.IN_REVIEW, "writer", {}, S.DRAFT),
    ("approve", S.IN_REVIEW, "editor", {}, S.APPROVED),
    ("request_changes", S.IN_REVIEW, "editor", {"note": "Add a source."}, S.CHANGES_REQUESTED),
    ("reject", S.IN_REVIEW, "editor", {"note": "Not for the blog."}, S.REJECTED),
    ("schedule", S.APPROVED, "author", {"publish_at": "in two days"}, S.SCHEDULED),
    ("unschedule", S.SCHEDULED, "editor", {}, S.APPROVED),
    ("publish", S.APPROVED, "author", {}, S.PUBLISHED),
    ("unpublish", S.PUBLISHED, "editor", {"note": "A legal question."}, S.UNPUBLISHED),
    ("reopen", S.REJECTED, "editor", {}, S.DRAFT),
    ("trash", S.DRAFT, "writer", {}, S.TRASH),
    ("restore", S.TRASH, "editor", {}, S.DRAFT),
]


@pytest.mark.parametrize(("name", "status", "who", "fields", "target"), MOVES,
                         ids=[m[0] for m in MOVES])  # fmt: skip
def test_each_move_over_http(make, as_, name, status, who, fields, target):
    writer = make.author() if who == "author" else make.writer()
    story = make.story(writer, status)
    user = make.editor() if who == "editor" else writer
    if fields.get("publish_at") == "in two days":
        fields = {"publish_at": local(utcnow() + timedelta(days=2))}
    client = as_(user)

    response = send(client, story, name, **fields)

    assert response.status_code == 302, text(response)[:2000]
    story = reload(story)
    assert story.status == target
    decision = db.session.scalars(
        select(StoryDecision).where(StoryDecision.story_id == story.id)
        .order_by(StoryDecision.id.desc())
    ).first()  # fmt: skip
    assert (decision.action, decision.user_id) == (name, user.id)
    if fields.get("note"):
        assert decision.note == fields["note"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200


def test_the_schedule_is_read_in_the_viewers_time_zone(make, as_):
    editor = make.editor()
    editor.timezone = "Europe/Paris"
    db.session.commit()
    story = make.story(None, S.APPROVED)
    when = (utcnow() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    response = send(as_(editor), story, "schedule", publish_at=local(when))
    assert response.status_code == 302
    story = reload(story)
    offset = story.publish_at - when
    assert offset in (timedelta(hours=-1), timedelta(hours=-2)), "10:00 in Paris is 8 or 9 UTC"


# --- refusals ---------------------------------------------------------------------------------


def test_people_who_may_not_see_the_story_get_404(make, as_):
    story = make.story(None, S.DRAFT)
    for person in (make.writer(), make.author()):
        assert send(as_(person), story, "submit").status_code == 404
        assert send(as_(person), story, "trash").status_code == 404
    assert reload(story).status == S.DRAFT


def test_anonymous_readers_are_sent_to_sign_in_or_told_nothing(make, as_):
    published = make.published()
    draft = make.story(None, S.DRAFT)
    client = as_(None)
    response = send(client, published, "unpublish", note="Nope.")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert send(client, draft, "submit").status_code == 404
    assert reload(published).status == S.PUBLISHED


@pytest.mark.parametrize(
    ("status", "name", "who"),
    [
        (S.IN_REVIEW, "approve", "writer"),  # a writer does not approve their own story
        (S.APPROVED, "publish", "writer"),  # a contributor does not publish
        (S.PUBLISHED, "unpublish", "author"),  # an author not involved, on a public story
        (S.PUBLISHED, "unpublish", "writer_author"),  # nor its author
        (S.IN_REVIEW, "reject", "pitcher"),
        (S.DRAFT, "approve", "editor"),  # not from a draft, whoever asks
        (S.PUBLISHED, "trash", "editor"),  # a published story is unpublished first
    ],
)
def test_people_who_see_the_story_get_403(make, as_, status, name, who):
    pitcher = make.writer()
    writer = make.author() if who == "writer_author" else make.writer()
    story = make.story(writer, status, pitcher=pitcher)
    user = {"writer": writer, "writer_author": writer, "author": make.author(),
            "pitcher": pitcher, "editor": make.editor()}[who]  # fmt: skip
    response = send(as_(user), story, name, note="Because.")
    assert response.status_code == 403
    assert reload(story).status == status


def test_a_silenced_editor_is_told_why(make, as_):
    editor = make.editor()
    story = make.story(None, S.IN_REVIEW)
    penalties.silence(editor, by=make.admin(), reason="Heated replies.", days=2)
    db.session.commit()
    response = send(as_(editor), story, "approve")
    assert response.status_code == 403
    assert "silenced" in text(response).lower()
    assert reload(story).status == S.IN_REVIEW


# --- bad input --------------------------------------------------------------------------------


def test_a_missing_note_is_asked_for_with_what_was_typed(make, as_):
    story = make.story(None, S.IN_REVIEW)
    response = send(as_(make.editor()), story, "reject", note="   ")
    assert response.status_code == 422
    assert "Please say why: the writer reads this note." in text(response)
    assert 'id="move-reject-error"' in text(response)
    assert reload(story).status == S.IN_REVIEW


def test_the_checklist_is_shown_when_it_blocks(make, as_):
    story = make.story(None, S.APPROVED, category=None)
    response = send(as_(make.editor()), story, "publish")
    assert response.status_code == 422
    assert "Not ready to publish" in text(response) and "It has a category" in text(response)
    assert reload(story).status == S.APPROVED


@pytest.mark.parametrize("typed", ["", "tomorrow at noon", "2020-01-01T10:00", "9999-99-99T99:99"])
def test_a_bad_schedule_time_is_refused(make, as_, typed):
    story = make.story(None, S.APPROVED)
    response = send(as_(make.editor()), story, "schedule", publish_at=typed)
    assert response.status_code == 422
    assert 'id="move-schedule-error"' in text(response)
    if typed:
        assert f'value="{typed}"' in text(response), "what was typed is shown again"
    assert reload(story).status == S.APPROVED


def test_an_unknown_writer_is_refused_on_accept(make, as_):
    story = make.pitch()
    response = send(as_(make.editor()), story, "accept", writer="nobody-here", due_date="")
    assert response.status_code == 422
    assert "There is no one with this username." in text(response)
    assert reload(story).status == S.PITCH


def test_a_stale_version_is_a_conflict(make, as_):
    story = make.story(None, S.IN_REVIEW)
    response = send(as_(make.editor()), story, "approve", version=story.version - 1)
    assert response.status_code == 409
    assert "Someone else changed this story meanwhile" in text(response)
    assert reload(story).status == S.IN_REVIEW


@pytest.mark.parametrize("version", ["", "abc", "-1", "0", "99999999999999999999"])
def test_a_bad_version_is_400(make, as_, version):
    story = make.story(None, S.IN_REVIEW)
    response = send(as_(make.editor()), story, "approve", version=version)
    assert response.status_code == 400
    assert reload(story).status == S.IN_REVIEW


def test_an_unknown_move_or_story_is_404(make, as_):
    story = make.story(None, S.IN_REVIEW)
    client = as_(make.editor())
    assert send(client, story, "explode").status_code == 404
    assert client.post("/blog/stories/999999/move/approve",
                       data={"version": "1", "csrf_token": csrf_token(client, "/")}
                       ).status_code == 404  # fmt: skip
    assert client.post("/blog/stories/abc/move/approve").status_code == 404


def test_a_move_without_the_csrf_token_is_refused(make, as_):
    story = make.story(None, S.IN_REVIEW)
    response = send(as_(make.editor()), story, "approve", token=False)
    assert response.status_code == 400
    assert reload(story).status == S.IN_REVIEW


def test_a_move_is_a_post(make, as_):
    story = make.story(None, S.IN_REVIEW)
    response = as_(make.editor()).get(f"/blog/stories/{story.id}/move/approve")
    assert response.status_code == 405
